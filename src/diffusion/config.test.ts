import { describe, expect, it } from 'vitest';
import { createScheduler, type SchedulerName } from './index';

/** Stable Diffusion 1.x's scheduler_config.json (written for PNDM). */
const sdConfig = {
  _class_name: 'PNDMScheduler',
  _diffusers_version: '0.7.0.dev0',
  beta_end: 0.012,
  beta_schedule: 'scaled_linear',
  beta_start: 0.00085,
  num_train_timesteps: 1000,
  set_alpha_to_one: false,
  skip_prk_steps: true,
  steps_offset: 1,
  trained_betas: null,
  clip_sample: false,
};

const badConfigs: [SchedulerName, Record<string, unknown>, RegExp][] = [
  ['ddim', { beta_schedule: 'cosine' }, /'beta_schedule'.*"cosine"/],
  ['ddim', { steps_offset: 'one' }, /'steps_offset'/],
  ['ddim', { thresholding: true }, /'thresholding'/],
  ['ddim', { timestep_spacing: 'uniform' }, /'timestep_spacing'/],
  ['ddim', { beta_strat: 0.001 }, /'beta_strat': unknown key/],
  ['ddim', { rescale_betas_zero_snr: true }, /'rescale_betas_zero_snr'/],
  ['pndm', { skip_prk_steps: false }, /'skip_prk_steps'/],
  ['pndm', { prediction_type: 'sample' }, /'prediction_type'/],
  ['euler', { use_karras_sigmas: true }, /'use_karras_sigmas'/],
  ['euler', { interpolation_type: 'log_linear' }, /'interpolation_type'/],
  ['dpmpp-2m', { algorithm_type: 'sde-dpmsolver++' }, /'algorithm_type'/],
  ['dpmpp-2m', { solver_order: 3 }, /'solver_order'/],
  ['dpmpp-2m', { trained_betas: [0.1, 0.2] }, /'trained_betas'/],
];

describe('scheduler configs', () => {
  it.each(badConfigs)('%s rejects %j with an error naming the key', (name, override, message) => {
    expect(() => createScheduler(name, { ...sdConfig, ...override })).toThrow(message);
  });

  it('a PNDM default config without skip_prk_steps says why it is refused', () => {
    const { skip_prk_steps: _omitted, ...withoutSkip } = sdConfig;
    expect(() => createScheduler('pndm', withoutSkip)).toThrow(/'skip_prk_steps'.*diffusers default/);
  });

  it.each(['pndm', 'ddim', 'euler', 'dpmpp-2m'] as const)('%s accepts the SD PNDM config (other schedulers\u2019 keys are ignored)', (name) => {
    const scheduler = createScheduler(name, sdConfig);
    scheduler.setTimesteps(10);
    expect(scheduler.timesteps.length).toBe(name === 'pndm' ? 11 : 10);
  });

  it.each(['pndm', 'ddim', 'euler', 'dpmpp-2m'] as const)('%s refuses to step before setTimesteps', (name) => {
    const scheduler = createScheduler(name, sdConfig);
    const x = new Float32Array(4);
    expect(() => scheduler.step(x, 981, x)).toThrow(/setTimesteps/);
  });

  it('rejects step counts outside [1, num_train_timesteps]', () => {
    expect(() => createScheduler('ddim', sdConfig).setTimesteps(0)).toThrow(/inference steps/);
    expect(() => createScheduler('dpmpp-2m', sdConfig).setTimesteps(1001)).toThrow(/inference steps/);
  });
});
