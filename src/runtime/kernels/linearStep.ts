/**
 * WGSL scheduler update with guidance fused: runs a `LinearStepPlan` (src/diffusion/linearStep.ts) on
 * a GPU `SchedulerState` (the kept slots and the latent, ping-ponging between two regions), reading ε from
 * the UNet's `[uncond; cond]` output. CPU twin: `guidance` + `applyLinearStep` (parity in e2e/kernels.spec.ts).
 */
import { MAX_SLOTS, checkPlan, type LinearStepPlan, type Operand } from '../../diffusion/linearStep';
import { bindGroup, computePipeline, dispatch, readBack, storageBuffer, uniformBuffer, validated } from './gpuBuffers';
import shaderSource from './linearStep.wgsl?raw';

const WORKGROUP_SIZE = 256;
const EPS = 0xffffffff;

/**
 * A scheduler's tensors on the GPU: one buffer of `MAX_SLOTS + 2` regions of `count` values — the
 * kept slots, then two latent regions used in turn (the current latent and the next one).
 */
export class SchedulerState {
  /** Region holding the current latent (MAX_SLOTS or MAX_SLOTS + 1). */
  latentRegion = MAX_SLOTS;

  constructor(readonly buffer: GPUBuffer, readonly count: number) {}

  region(operand: Operand | 'next'): number {
    if (operand === 'eps') return EPS;
    if (operand === 'x') return this.latentRegion;
    if (operand === 'next') return 2 * MAX_SLOTS + 1 - this.latentRegion;
    return operand;
  }

  get latentOffset(): number {
    return this.latentRegion * this.count * 4;
  }
}

export class LinearStepKernel {
  private readonly pipeline: GPUComputePipeline;

  constructor(private readonly device: GPUDevice) {
    this.pipeline = computePipeline(device, shaderSource, 'main', 'linear-step', WORKGROUP_SIZE);
  }

  /** State for latents of `count` values, starting from `latent`. */
  createState(latent: Float32Array): SchedulerState {
    const state = new SchedulerState(storageBuffer(this.device, (MAX_SLOTS + 2) * latent.length * 4, 'scheduler state'), latent.length);
    this.device.queue.writeBuffer(state.buffer, state.latentOffset, latent);
    return state;
  }

  /**
   * Encodes one step: every output of the plan; the next latent then becomes the current one.
   * Returns the uniforms to destroy after submit. `noise` is the UNet output `[uncond; cond]`.
   */
  encode(encoder: GPUCommandEncoder, plan: LinearStepPlan, state: SchedulerState, noise: GPUBuffer, scale: number): GPUBuffer[] {
    checkPlan(plan);
    const count = state.count;
    const uniforms = plan.outputs.map(({ target, terms, clamp }) => {
      // Params: count, terms, dest, scale, clamp, 3 words of padding (the arrays align to 16 bytes), operands, coeffs.
      const words = [count, terms.length, state.region(target), scale, clamp ?? 0, 0, 0, 0];
      const operands = Array.from({ length: 8 }, (_, k) => (k < terms.length ? state.region(terms[k].operand) : 0));
      const coeffs = Array.from({ length: 8 }, (_, k) => (k < terms.length ? terms[k].coeff : 0));
      const params = uniformBuffer(this.device, [...words, ...operands, ...coeffs], [3, 4, ...coeffs.map((_, k) => 16 + k)]);
      dispatch(encoder, this.pipeline, bindGroup(this.device, this.pipeline, [state.buffer, noise, params]), Math.ceil(count / WORKGROUP_SIZE), 1, 'linear-step');
      return params;
    });
    state.latentRegion = state.region('next');
    return uniforms;
  }

  /**
   * Tests: runs consecutive steps from latent `x` with the given UNet outputs, the state staying on
   * the GPU between them; returns the latent after each step.
   */
  async run(plans: LinearStepPlan[], x: Float32Array, noises: Float32Array[], scale: number): Promise<Float32Array[]> {
    return validated(this.device, 'linear-step', async () => {
      const state = this.createState(x);
      const latents: Float32Array[] = [];
      for (let k = 0; k < plans.length; k++) {
        const noise = storageBuffer(this.device, noises[k]);
        const encoder = this.device.createCommandEncoder();
        const uniforms = this.encode(encoder, plans[k], state, noise, scale);
        latents.push(new Float32Array(await readBack(this.device, encoder, state.buffer, state.count * 4, state.latentOffset)));
        for (const b of [noise, ...uniforms]) b.destroy();
      }
      state.buffer.destroy();
      return latents;
    });
  }
}
