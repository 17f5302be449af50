// Step 1 of the pipeline ("check inputs, prepare the controller"): validates a GenerateRequest against
// the model and turns its edit into a Prompt-to-Prompt plan (reference `AttentionReplace` & co.).

import { localBlendAlphas, planEdit, MAX_LEN, type EditPlan } from '../p2p';
import type { BackendCapabilities } from './backend';
import { defaultScheduler, SCHEDULER_NAMES, type SchedulerConfig, type SchedulerName } from './scheduler';
import { PipelineError, type GenerateRequest, type PipelineTokenizer } from './pipelineTypes';

export const LIMITS = { maxSteps: 1000, maxGuidance: 50, maxPrompts: 8, maxLatentSide: 512 } as const;

export interface PreparedRun {
  prompts: string[];
  /** The unconditional branch's text ("" = none). */
  negativePrompt: string;
  scheduler: SchedulerName;
  latentDims: [number, number, number, number];
  plan: EditPlan | null;
  blend: { alphas: Float32Array; threshold: number } | null;
  /** The UNet needs p2p inputs (instrumented), whether or not an edit runs. */
  feedP2P: boolean;
}

function fail(message: string): never {
  throw new PipelineError('bad-input', message);
}

function checkNumbers(req: GenerateRequest): void {
  if (!Number.isInteger(req.steps) || req.steps < 1 || req.steps > LIMITS.maxSteps) {
    fail(`steps must be an integer in 1 … ${LIMITS.maxSteps}, got ${req.steps}`);
  }
  if (typeof req.guidance !== 'number' || !Number.isFinite(req.guidance) || req.guidance < 0 || req.guidance > LIMITS.maxGuidance) {
    fail(`guidance must be a number in 0 … ${LIMITS.maxGuidance}, got ${req.guidance}`);
  }
  if (!Number.isSafeInteger(req.seed) || req.seed < 0) fail(`seed must be a non-negative integer, got ${req.seed}`);
  const scheduler = req.scheduler;
  if (scheduler !== undefined && !SCHEDULER_NAMES.includes(scheduler)) fail(`unknown scheduler "${scheduler}" (known: ${SCHEDULER_NAMES.join(', ')})`);
}

function checkPrompts(req: GenerateRequest): string[] {
  if (!Array.isArray(req.prompts) || req.prompts.length === 0) fail('at least one prompt is needed');
  if (req.prompts.length > LIMITS.maxPrompts) fail(`at most ${LIMITS.maxPrompts} prompts, got ${req.prompts.length}`);
  req.prompts.forEach((p, i) => {
    if (typeof p !== 'string' || p.trim() === '') fail(i === 0 ? 'the source prompt is empty' : `prompt ${i} is empty`);
  });
  return [...req.prompts];
}

function checkNegative(req: GenerateRequest): string {
  const negative = req.negativePrompt ?? '';
  if (typeof negative !== 'string') fail('the negative prompt must be text');
  return negative;
}

function latentDims(req: GenerateRequest, caps: BackendCapabilities, prompts: number): [number, number, number, number] {
  const size = req.latentSize ?? caps.latentSize;
  if (!size) fail('the model does not say its latent size: pass latentSize');
  const [h, w] = size;
  for (const side of [h, w]) {
    if (!Number.isInteger(side) || side < 1 || side > LIMITS.maxLatentSide) fail(`latent size must be integers in 1 … ${LIMITS.maxLatentSide}, got [${h}, ${w}]`);
  }
  return [prompts, caps.latentChannels, h, w];
}

/** Builds the edit plan; p2p errors (word counts, missing words) become `bad-input` with a hint. */
function planFor(req: GenerateRequest, prompts: string[], tok: PipelineTokenizer): EditPlan {
  const edit = req.edit!;
  try {
    return planEdit(
      {
        prompts,
        kind: edit.kind,
        numSteps: req.steps,
        crossReplaceSteps: edit.crossReplaceSteps,
        selfReplaceSteps: edit.selfReplaceSteps,
        equalizer: edit.equalizer,
        reweightBase: edit.reweightBase,
      },
      tok,
      MAX_LEN,
    );
  } catch (err) {
    const message = (err as Error).message;
    const hint = /same length/.test(message) ? ' (use a refine edit when words are added or removed)' : '';
    fail(`${message}${hint}`);
  }
}

function blendFor(req: GenerateRequest, prompts: string[], tok: PipelineTokenizer): PreparedRun['blend'] {
  const lb = req.edit?.localBlend;
  if (!lb) return null;
  const threshold = lb.threshold ?? 0.3;
  if (!(threshold >= 0 && threshold <= 1)) fail(`LocalBlend threshold must lie in [0, 1], got ${threshold}`);
  try {
    return { alphas: localBlendAlphas(prompts, lb.words, tok, MAX_LEN), threshold };
  } catch (err) {
    fail((err as Error).message);
  }
}

/** `schedulerConfig` gives the default scheduler (its `_class_name`) when the request names none. */
export function prepareRun(req: GenerateRequest, caps: BackendCapabilities, tok: PipelineTokenizer, schedulerConfig?: SchedulerConfig): PreparedRun {
  checkNumbers(req);
  const prompts = checkPrompts(req);
  const negativePrompt = checkNegative(req);
  const dims = latentDims(req, caps, prompts.length);
  if (req.initialLatent && req.initialLatent.length !== dims[1] * dims[2] * dims[3]) {
    fail(`initialLatent has ${req.initialLatent.length} values, expected [1, ${dims[1]}, ${dims[2]}, ${dims[3]}]`);
  }
  let plan: EditPlan | null = null;
  let blend: PreparedRun['blend'] = null;
  if (req.edit) {
    if (prompts.length < 2) fail('an edit needs the source prompt and at least one edited prompt');
    if (!caps.instrumented) {
      throw new PipelineError(
        'not-instrumented',
        'Prompt-to-Prompt editing needs the attention-instrumented UNet (p2p_* inputs); this UNet is a stock export. ' +
          'Run without an edit for the no-controller baseline.',
      );
    }
    plan = planFor(req, prompts, tok);
    blend = blendFor(req, prompts, tok);
  }
  return { prompts, negativePrompt, scheduler: req.scheduler ?? defaultScheduler(schedulerConfig), latentDims: dims, plan, blend, feedP2P: caps.instrumented };
}
