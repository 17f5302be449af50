// Command-line options of `scripts/generate.ts` turned into a GenerateRequest: prompts, the P2P edit
// (replace/refine/reweight, cross/self windows, LocalBlend words) and sampling settings.

import { parseArgs } from 'node:util';
import { SCHEDULER_NAMES, type EditOptions, type GenerateRequest, type SchedulerName } from '../diffusion';

export const USAGE = `usage: npx tsx scripts/generate.ts --model DIR --prompt "…" [--edit "…"]… --out DIR
  --kind replace|refine|reweight   edit kind (default replace)
  --cross 0.8 | --cross-word dog=0.4   cross-attention injection window (default 0.8; per word repeatable)
  --self 0.4                        self-attention replace window (default 0.4)
  --weight word=2                   reweight factors (repeatable; needed for --kind reweight)
  --reweight-base replace|refine    reweight on top of a swap or a refinement
  --blend "circle,square"           LocalBlend words, one entry per prompt (words of an entry space-separated)
  --threshold 0.3                   LocalBlend threshold
  --seed 8888 --steps 50 --guidance 7.5 --scheduler pndm|ddim|euler|dpmpp-2m
  --baseline                        also run the no-controller baseline (same seed)
  --low-memory                      run uncond and cond as separate UNet calls
  --threads N                       onnxruntime threads per session`;

export interface GenerateCli {
  modelDir: string;
  outDir: string;
  request: GenerateRequest;
  baseline: boolean;
  threads?: number;
}

function number(value: string | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n)) throw new Error(`--${name} must be a number, got "${value}"`);
  return n;
}

function pairs(values: string[] | undefined, name: string): [string, number][] {
  return (values ?? []).map((v) => {
    const at = v.lastIndexOf('=');
    if (at <= 0) throw new Error(`--${name} takes word=value, got "${v}"`);
    return [v.slice(0, at), number(v.slice(at + 1), name, 0)];
  });
}

export function parseGenerateArgs(argv: string[]): GenerateCli {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      model: { type: 'string' },
      prompt: { type: 'string' },
      edit: { type: 'string', multiple: true },
      kind: { type: 'string' },
      cross: { type: 'string' },
      'cross-word': { type: 'string', multiple: true },
      self: { type: 'string' },
      weight: { type: 'string', multiple: true },
      'reweight-base': { type: 'string' },
      blend: { type: 'string' },
      threshold: { type: 'string' },
      seed: { type: 'string' },
      steps: { type: 'string' },
      guidance: { type: 'string' },
      scheduler: { type: 'string' },
      baseline: { type: 'boolean' },
      'low-memory': { type: 'boolean' },
      threads: { type: 'string' },
      out: { type: 'string' },
    },
  });
  if (!values.model) throw new Error('--model is required');
  if (!values.prompt) throw new Error('--prompt is required');
  const scheduler = (values.scheduler ?? 'pndm') as SchedulerName;
  if (!SCHEDULER_NAMES.includes(scheduler)) throw new Error(`--scheduler must be one of ${SCHEDULER_NAMES.join(', ')}`);
  const prompts = [values.prompt, ...(values.edit ?? [])];
  const request: GenerateRequest = {
    prompts,
    seed: number(values.seed, 'seed', 8888),
    steps: number(values.steps, 'steps', 50),
    guidance: number(values.guidance, 'guidance', 7.5),
    scheduler,
    lowMemory: values['low-memory'] ?? false,
  };
  if (prompts.length > 1) request.edit = editOptions(values, prompts.length);
  else if (values.kind || values.blend || values.weight) throw new Error('--kind, --blend and --weight need at least one --edit prompt');
  return {
    modelDir: values.model,
    outDir: values.out ?? 'out',
    request,
    baseline: values.baseline ?? false,
    threads: values.threads ? number(values.threads, 'threads', 0) : undefined,
  };
}

interface EditArgs {
  kind?: string;
  cross?: string;
  'cross-word'?: string[];
  self?: string;
  weight?: string[];
  'reweight-base'?: string;
  blend?: string;
  threshold?: string;
}

function editOptions(values: EditArgs, prompts: number): EditOptions {
  const kind = values.kind ?? 'replace';
  if (kind !== 'replace' && kind !== 'refine' && kind !== 'reweight') throw new Error(`--kind must be replace, refine or reweight, got "${kind}"`);
  const cross = number(values.cross, 'cross', 0.8);
  const words = pairs(values['cross-word'], 'cross-word');
  const edit: EditOptions = {
    kind,
    crossReplaceSteps: words.length > 0 ? { default_: cross, ...Object.fromEntries(words) } : cross,
    selfReplaceSteps: number(values.self, 'self', 0.4),
  };
  const weights = pairs(values.weight, 'weight');
  if (weights.length > 0) edit.equalizer = { words: weights.map((w) => w[0]), values: weights.map((w) => w[1]) };
  const base = values['reweight-base'];
  if (base !== undefined) {
    if (base !== 'replace' && base !== 'refine') throw new Error('--reweight-base must be replace or refine');
    edit.reweightBase = base;
  }
  if (values.blend !== undefined) {
    const entries = values.blend.split(',').map((e) => e.trim().split(/\s+/).filter(Boolean));
    if (entries.length !== prompts) throw new Error(`--blend needs one entry per prompt (${prompts}), got ${entries.length}`);
    edit.localBlend = { words: entries, threshold: number(values.threshold, 'threshold', 0.3) };
  }
  return edit;
}
