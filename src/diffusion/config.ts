// Reads a diffusers `scheduler_config.json` object with validation: each scheduler names the keys it
// uses; a value it cannot honour, or a key no diffusers scheduler has, throws an Error naming the key.

/**
 * A scheduler config as loaded from JSON (diffusers' `scheduler_config.json`). Typed `object` so that
 * interface-typed configs (without an index signature) are accepted too; keys are read at run time.
 */
export type SchedulerConfig = object;

/**
 * Keys of diffusers schedulers that a given scheduler may ignore, as diffusers itself does when a config
 * written for one scheduler (say SD's PNDM) is loaded into another (`DDIMScheduler.from_config`).
 */
const KNOWN_DIFFUSERS_KEYS = new Set([
  'num_train_timesteps', 'beta_start', 'beta_end', 'beta_schedule', 'trained_betas', 'skip_prk_steps',
  'set_alpha_to_one', 'prediction_type', 'timestep_spacing', 'steps_offset', 'clip_sample',
  'clip_sample_range', 'thresholding', 'dynamic_thresholding_ratio', 'sample_max_value',
  'rescale_betas_zero_snr', 'interpolation_type', 'use_karras_sigmas', 'use_exponential_sigmas',
  'use_beta_sigmas', 'sigma_min', 'sigma_max', 'timestep_type', 'final_sigmas_type', 'solver_order',
  'algorithm_type', 'solver_type', 'lower_order_final', 'euler_at_final', 'use_lu_lambdas',
  'use_flow_sigmas', 'flow_shift', 'lambda_min_clipped', 'variance_type', 'use_dynamic_shifting',
  'time_shift_type', 'beta_sigmas_alpha', 'beta_sigmas_beta', 'shift', 'base_shift', 'max_shift',
  'base_image_seq_len', 'max_image_seq_len', 'shift_terminal', 'invert_sigmas', 'clip_denoised',
]);

export class ConfigReader {
  private readonly used = new Set<string>();
  private readonly entries: ReadonlyMap<string, unknown>;

  constructor(
    config: SchedulerConfig,
    private readonly schedulerName: string,
  ) {
    this.entries = new Map(Object.entries(config));
  }

  private fail(key: string, message: string): never {
    throw new Error(`${this.schedulerName} scheduler config '${key}': ${message}`);
  }

  /** The raw value, with `null` treated as absent (diffusers writes `None` as null). */
  private raw(key: string): unknown {
    this.used.add(key);
    const value = this.entries.get(key);
    return value === null ? undefined : value;
  }

  number(key: string, fallback: number): number {
    const value = this.raw(key);
    if (value === undefined) return fallback;
    if (value === '-inf' || value === '-Infinity') return -Infinity;
    if (value === 'inf' || value === 'Infinity') return Infinity;
    if (typeof value !== 'number' || Number.isNaN(value)) this.fail(key, `expected a number, got ${JSON.stringify(value)}`);
    return value;
  }

  integer(key: string, fallback: number, min: number): number {
    const value = this.number(key, fallback);
    if (!Number.isInteger(value) || value < min) this.fail(key, `expected an integer ≥ ${min}, got ${value}`);
    return value;
  }

  boolean(key: string, fallback: boolean): boolean {
    const value = this.raw(key);
    if (value === undefined) return fallback;
    if (typeof value !== 'boolean') this.fail(key, `expected true or false, got ${JSON.stringify(value)}`);
    return value;
  }

  /** One of `supported`; any other value throws (listing what is supported). */
  choice<T extends string | number>(key: string, supported: readonly T[], fallback: T): T {
    const value = this.raw(key);
    if (value === undefined) return fallback;
    const match = supported.find((option) => option === value);
    if (match === undefined) {
      this.fail(key, `unsupported value ${JSON.stringify(value)} (supported: ${supported.map((s) => JSON.stringify(s)).join(', ')})`);
    }
    return match;
  }

  /**
   * A key this implementation supports at one value only (the feature behind other values is not
   * implemented). An absent key takes diffusers' default, which may itself be unsupported.
   */
  only(key: string, supported: boolean | number | null, diffusersDefault = supported): void {
    const value = this.raw(key);
    const effective = value === undefined ? diffusersDefault : value;
    if (effective !== supported) {
      const shown = value === undefined ? `${JSON.stringify(effective)} (the diffusers default)` : JSON.stringify(value);
      this.fail(key, `unsupported value ${shown}; only ${JSON.stringify(supported)} is supported`);
    }
  }

  /** Accepts any value: the key only matters to features that are switched off here. */
  ignore(...keys: string[]): void {
    for (const key of keys) this.used.add(key);
  }

  /** Optional number array (`trained_betas`). */
  numberArray(key: string): number[] | undefined {
    const value = this.raw(key);
    if (value === undefined) return undefined;
    if (!Array.isArray(value) || !value.every((entry): entry is number => typeof entry === 'number')) {
      this.fail(key, 'expected an array of numbers');
    }
    return value;
  }

  /** Call after reading: throws for keys that no diffusers scheduler has (likely typos). */
  finish(): void {
    for (const key of this.entries.keys()) {
      if (key.startsWith('_') || this.used.has(key) || KNOWN_DIFFUSERS_KEYS.has(key)) continue;
      this.fail(key, 'unknown key');
    }
  }
}
