/**
 * WGSL classifier-free guidance on a GPUDevice: `[uncond; cond]` → `u + g·(c − u)`.
 * CPU twin: `guidance` in src/diffusion (the wasm and Node paths use it; parity tested in e2e).
 */
import { bindGroup, computePipeline, dispatch, readBack, storageBuffer, uniformBuffer, validated } from './gpuBuffers';
import shaderSource from './guidance.wgsl?raw';

const WORKGROUP_SIZE = 256;

export class GuidanceKernel {
  private readonly pipeline: GPUComputePipeline;

  constructor(private readonly device: GPUDevice) {
    this.pipeline = computePipeline(device, shaderSource, 'main', 'guidance', WORKGROUP_SIZE);
  }

  /** Encodes the kernel: `noise` is `2·count` floats, `out` receives `count`. Returns the uniform to destroy. */
  encode(encoder: GPUCommandEncoder, noise: GPUBuffer, out: GPUBuffer, count: number, scale: number): GPUBuffer {
    const params = uniformBuffer(this.device, [count, scale], [1]);
    dispatch(encoder, this.pipeline, bindGroup(this.device, this.pipeline, [noise, out, params]), Math.ceil(count / WORKGROUP_SIZE), 1, 'guidance');
    return params;
  }

  /** Convenience for tests and probes: uploads, runs and reads back. */
  async run(uncond: Float32Array, cond: Float32Array, scale: number): Promise<Float32Array> {
    return validated(this.device, 'guidance', async () => {
      if (uncond.length !== cond.length) throw new Error('guidance: uncond and cond differ in length');
      const count = uncond.length;
      const noise = storageBuffer(this.device, 2 * count * 4);
      this.device.queue.writeBuffer(noise, 0, uncond);
      this.device.queue.writeBuffer(noise, count * 4, cond);
      const out = storageBuffer(this.device, count * 4);
      const encoder = this.device.createCommandEncoder();
      const params = this.encode(encoder, noise, out, count, scale);
      const result = new Float32Array(await readBack(this.device, encoder, out, count * 4));
      for (const b of [noise, out, params]) b.destroy();
      return result;
    });
  }
}
