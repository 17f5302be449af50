// UNet graphs timed side by side on one onnxruntime-node execution provider (`bench --gpu` and the GPU pack):
// batch 4 (2 prompts × CFG), every variant in turn per round (order rotated), outputs read back every call.

import type * as ort from 'onnxruntime-node';
import { feedsFor, openSession, timedCall, type GpuEp } from './gpuSession';
import { rotate } from './stats';

export interface UnetVariant {
  name: string;
  /** Graph file; variants naming the same file share one session. */
  path: string;
  /** Feed the swap's early-call parameters (G = 1, H = 0, self replace on) instead of identity ones. */
  edit: boolean;
}

export interface VariantTimes {
  /** Session creation, ms, per graph file (keyed by the first variant that uses it). */
  sessionMs: Record<string, number>;
  /** ms per call, one value per round, per variant. */
  ms: Record<string, number[]>;
  stoppedEarly: boolean;
}

export interface TimeOptions {
  ep: GpuEp;
  latent: number;
  /** The text encoder's width (`cross_attention_dim`). */
  width: number;
  rounds: number;
  calls: number;
  warmup?: number;
  /** `performance.now()` after which no new round starts (what was measured is kept). */
  deadline: number;
  log: (line: string) => void;
}

export async function timeUnetVariants(variants: UnetVariant[], o: TimeOptions): Promise<VariantTimes> {
  const sessions = new Map<string, ort.InferenceSession>();
  const out: VariantTimes = { sessionMs: {}, ms: {}, stoppedEarly: false };
  try {
    for (const v of variants) {
      if (sessions.has(v.path)) continue;
      const t = performance.now();
      sessions.set(v.path, await openSession(v.path, o.ep));
      out.sessionMs[v.name] = performance.now() - t;
      o.log(`${o.ep}: ${v.name} session in ${(out.sessionMs[v.name] / 1000).toFixed(1)} s`);
    }
    const shape = { prompts: 2, latent: o.latent, width: o.width };
    const runs = variants.map((v) => {
      const s = sessions.get(v.path)!;
      return { name: v.name, s, feeds: feedsFor(s, { ...shape, edit: v.edit }) };
    });
    for (const r of runs) {
      out.ms[r.name] = [];
      for (let i = 0; i < (o.warmup ?? 2); i++) await timedCall(r.s, r.feeds);
    }
    for (let round = 0; round < o.rounds; round++) {
      if (performance.now() > o.deadline) {
        out.stoppedEarly = true;
        break;
      }
      for (const r of rotate(runs, round)) {
        let sum = 0;
        for (let i = 0; i < o.calls; i++) sum += await timedCall(r.s, r.feeds);
        out.ms[r.name].push(sum / o.calls);
      }
      o.log(`  UNet rounds ${round + 1}/${o.rounds}`);
    }
    return out;
  } finally {
    for (const s of sessions.values()) await s.release();
  }
}
