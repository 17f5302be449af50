// Training noise schedule shared by all schedulers: betas, ᾱ_t = Π(1 − β), and σ_t = √((1 − ᾱ_t)/ᾱ_t).
// Mirrors diffusers' float32 tensors (torch.linspace, torch.cumprod with double accumulation on CPU).

import type { ConfigReader } from './config';

const f32 = Math.fround;

/** The schedule a scheduler is trained with; values are float32-exact like diffusers' tensors. */
export interface NoiseSchedule {
  numTrainTimesteps: number;
  betas: Float64Array;
  /** ᾱ_t for t = 0 … T−1 (`alphas_cumprod`). */
  alphasCumprod: Float64Array;
}

/** `torch.linspace(start, end, steps, dtype=float32)` on CPU (first half from the start, second from the end). */
export function torchLinspaceFloat32(start: number, end: number, steps: number): Float64Array {
  const out = new Float64Array(steps);
  const from = f32(start);
  const to = f32(end);
  const step = steps > 1 ? f32(f32(to - from) / (steps - 1)) : 0;
  const halfway = Math.floor(steps / 2);
  for (let i = 0; i < steps; i++) {
    out[i] = i < halfway ? f32(from + f32(step * i)) : f32(to - f32(step * (steps - i - 1)));
  }
  return out;
}

/** Glide's cosine schedule (`betas_for_alpha_bar`, Nichol & Dhariwal 2021), capped at 0.999. */
function squaredCosineBetas(count: number): Float64Array {
  const alphaBar = (t: number): number => Math.cos(((t + 0.008) / 1.008) * (Math.PI / 2)) ** 2;
  const betas = new Float64Array(count);
  for (let i = 0; i < count; i++) {
    betas[i] = f32(Math.min(1 - alphaBar((i + 1) / count) / alphaBar(i / count), 0.999));
  }
  return betas;
}

/** Reads `num_train_timesteps`, `beta_*`, `trained_betas` and builds the schedule. */
export function readNoiseSchedule(reader: ConfigReader): NoiseSchedule {
  const trainedBetas = reader.numberArray('trained_betas');
  const numTrainTimesteps = reader.integer('num_train_timesteps', trainedBetas?.length ?? 1000, 1);
  const betaStart = reader.number('beta_start', 0.0001);
  const betaEnd = reader.number('beta_end', 0.02);
  const kind = reader.choice('beta_schedule', ['linear', 'scaled_linear', 'squaredcos_cap_v2'] as const, 'linear');
  reader.only('rescale_betas_zero_snr', false);

  let betas: Float64Array;
  if (trainedBetas !== undefined) {
    betas = Float64Array.from(trainedBetas, f32);
  } else if (kind === 'linear') {
    betas = torchLinspaceFloat32(betaStart, betaEnd, numTrainTimesteps);
  } else if (kind === 'scaled_linear') {
    // Latent diffusion's schedule: linear in √β, then squared (in float32).
    betas = torchLinspaceFloat32(Math.sqrt(betaStart), Math.sqrt(betaEnd), numTrainTimesteps).map((b) => f32(b * b));
  } else {
    betas = squaredCosineBetas(numTrainTimesteps);
  }
  if (betas.length !== numTrainTimesteps) {
    throw new Error(`scheduler config 'trained_betas': has ${betas.length} values, num_train_timesteps is ${numTrainTimesteps}`);
  }

  const alphasCumprod = new Float64Array(numTrainTimesteps);
  let product = 1; // torch.cumprod on CPU accumulates float32 in double
  for (let t = 0; t < numTrainTimesteps; t++) {
    product *= f32(1 - betas[t]);
    alphasCumprod[t] = f32(product);
  }
  return { numTrainTimesteps, betas, alphasCumprod };
}

/** Karras σ_t = √((1 − ᾱ_t)/ᾱ_t) for every training timestep, in float32 like diffusers. */
export function trainingSigmas(schedule: NoiseSchedule): Float64Array {
  return schedule.alphasCumprod.map((alphaBar) => f32(Math.sqrt(f32(f32(1 - alphaBar) / alphaBar))));
}

/** `np.interp(x, arange(len(values)), values)`: piecewise-linear lookup, clamped at both ends. */
export function interpolate(values: ArrayLike<number>, x: number): number {
  const last = values.length - 1;
  if (x <= 0) return values[0];
  if (x >= last) return values[last];
  const i = Math.floor(x);
  const slope = values[i + 1] - values[i];
  return slope * (x - i) + values[i];
}
