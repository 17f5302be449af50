/**
 * The edit plan: a Prompt-to-Prompt controller (replace, refine, reweight) reduced to the generic
 * linear form of ARCHITECTURE.md, evaluated per UNet call:
 *   A'[e] = (A[0] @ M[e]) ⊙ G[e] + A[e] ⊙ H[e]  (cross-attention),  A'[e] = A[0] (small self-attention).
 * Code → paper: M = token map (mapper), G = gain, H = keep, α_t = time–word alphas, a = refinement
 * alphas, q = equalizer (reweight factors).
 */
import { equalizer } from './equalizer';
import { refinementMapper } from './refinementMapper';
import { replacementMapper } from './replacementMapper';
import { rangeToCounts, toRange, type StepFraction } from './schedule';
import { timeWordAlphas, type CrossReplaceSteps } from './timeWordAlphas';
import { MAX_LEN, type WordTokenizer } from './tokens';

export type EditKind = 'replace' | 'refine' | 'reweight';

export interface EditSpec {
  /** Source prompt first, then the edited prompts. */
  prompts: string[];
  kind: EditKind;
  /** Denoising steps; the alpha table has `numSteps + 1` rows, indexed by UNet call. */
  numSteps: number;
  crossReplaceSteps: CrossReplaceSteps;
  selfReplaceSteps: StepFraction;
  /** Reweight: words of each edited prompt and their factors. */
  equalizer?: { words: (string | number)[]; values: number[] };
  /** Reweight on top of a swap or a refinement (the reference's `prev_controller`). */
  reweightBase?: 'replace' | 'refine';
}

/** Per-call inputs of the instrumented UNet (`p2p_map`, `p2p_gain`, `p2p_keep`, `p2p_self`). */
export interface EditParams {
  /** `[E, maxLen, maxLen]`, shared between calls: do not mutate. */
  map: Float32Array;
  /** `[E, maxLen]` */
  gain: Float32Array;
  /** `[E, maxLen]` */
  keep: Float32Array;
  selfReplace: boolean;
}

export interface EditPlan {
  readonly edits: number;
  readonly maxLen: number;
  /** UNet calls the alpha table covers (`numSteps + 1`). */
  readonly calls: number;
  /** Self-attention replaced for calls in `[start, end)`. */
  readonly selfReplaceCalls: [number, number];
  call(step: number): EditParams;
}

function validate(spec: EditSpec): void {
  if (!Array.isArray(spec.prompts) || spec.prompts.length < 2) {
    throw new Error('an edit needs the source prompt and at least one edited prompt');
  }
  spec.prompts.forEach((p, i) => {
    if (typeof p !== 'string' || p.trim() === '') {
      throw new Error(i === 0 ? 'the source prompt is empty' : `edited prompt ${i} is empty`);
    }
  });
  if (!Number.isInteger(spec.numSteps) || spec.numSteps < 1) {
    throw new Error(`numSteps must be a positive integer, got ${spec.numSteps}`);
  }
  if (spec.kind !== 'replace' && spec.kind !== 'refine' && spec.kind !== 'reweight') {
    throw new Error(`unknown edit kind "${String(spec.kind)}" (replace, refine or reweight)`);
  }
  if (spec.kind === 'reweight' && !spec.equalizer) throw new Error('a reweight edit needs equalizer words and values');
}

function identityMap(maxLen: number): Float32Array {
  const m = new Float32Array(maxLen * maxLen);
  for (let i = 0; i < maxLen; i++) m[i * maxLen + i] = 1;
  return m;
}

/** Token map M and refinement alphas a of one edited prompt for a swap, a refinement, or neither. */
function tokenMap(
  base: 'replace' | 'refine' | 'identity',
  source: string,
  target: string,
  tok: WordTokenizer,
  maxLen: number,
): { map: Float32Array; a: Float32Array } {
  if (base === 'replace') return { map: replacementMapper(source, target, tok, maxLen), a: new Float32Array(maxLen).fill(1) };
  if (base === 'identity') return { map: identityMap(maxLen), a: new Float32Array(maxLen).fill(1) };
  const { mapper, alphas } = refinementMapper(source, target, tok, maxLen);
  const map = new Float32Array(maxLen * maxLen);
  // One-hot columns: target token j reads source token mapper[j]; new tokens (−1) read nothing.
  mapper.forEach((s, j) => {
    if (s >= 0) map[s * maxLen + j] = 1;
  });
  return { map, a: alphas };
}

export function planEdit(spec: EditSpec, tok: WordTokenizer, maxLen = MAX_LEN): EditPlan {
  validate(spec);
  const [source, ...targets] = spec.prompts;
  const edits = targets.length;
  const calls = spec.numSteps + 1;
  const base = spec.kind === 'reweight' ? (spec.reweightBase ?? 'identity') : spec.kind;

  const map = new Float32Array(edits * maxLen * maxLen);
  const a = new Float32Array(edits * maxLen);
  const q = new Float32Array(edits * maxLen).fill(1);
  targets.forEach((target, e) => {
    const m = tokenMap(base, source, target, tok, maxLen);
    map.set(m.map, e * maxLen * maxLen);
    a.set(m.a, e * maxLen);
    if (spec.equalizer) {
      // Row e uses the word positions in edited prompt e (the reference uses prompts[1] for all).
      const row = equalizer(target, spec.equalizer.words, spec.equalizer.values, tok, maxLen).subarray(0, maxLen);
      q.set(row, e * maxLen);
    }
  });
  const alphaTable = timeWordAlphas(spec.prompts, spec.numSteps, spec.crossReplaceSteps, tok, maxLen);
  const selfReplaceCalls = rangeToCounts(toRange(spec.selfReplaceSteps, 'self-attention replace steps'), spec.numSteps);

  return {
    edits,
    maxLen,
    calls,
    selfReplaceCalls,
    call(step: number): EditParams {
      if (!Number.isInteger(step) || step < 0 || step >= calls) {
        throw new Error(`UNet call ${step} is outside the plan (0 … ${calls - 1})`);
      }
      const gain = new Float32Array(edits * maxLen);
      const keep = new Float32Array(edits * maxLen);
      for (let i = 0; i < edits * maxLen; i++) {
        const alpha = alphaTable[step * edits * maxLen + i];
        // G = a·q·α ; H = (1 − a)·q·α + (1 − α). Plain replace/refine have q = 1.
        gain[i] = a[i] * q[i] * alpha;
        keep[i] = (1 - a[i]) * q[i] * alpha + (1 - alpha);
      }
      const selfReplace = step >= selfReplaceCalls[0] && step < selfReplaceCalls[1];
      return { map, gain, keep, selfReplace };
    },
  };
}
