/**
 * WGSL attention store: `sum += x` on a GPUDevice, so `p2p_attn` is summed over a run's UNet calls without
 * leaving the GPU. CPU twin: `accumulate` in src/diffusion/pipelineTensors.ts (parity in e2e/kernels.spec.ts).
 */
import { bindGroup, computePipeline, dispatch, readBack, storageBuffer, uniformBuffer, validated } from './gpuBuffers';
import shaderSource from './accumulate.wgsl?raw';

const WORKGROUP_SIZE = 256;

export class AccumulateKernel {
  private readonly pipeline: GPUComputePipeline;

  constructor(private readonly device: GPUDevice) {
    this.pipeline = computePipeline(device, shaderSource, 'main', 'accumulate', WORKGROUP_SIZE);
  }

  /** Encodes `sum += x` over `count` floats; returns the uniform to destroy after submit. */
  encode(encoder: GPUCommandEncoder, x: GPUBuffer, sum: GPUBuffer, count: number): GPUBuffer {
    const params = uniformBuffer(this.device, [count]);
    dispatch(encoder, this.pipeline, bindGroup(this.device, this.pipeline, [x, sum, params]), Math.ceil(count / WORKGROUP_SIZE), 1, 'accumulate');
    return params;
  }

  /** Tests and probes: the sum of `steps` on the GPU, read back once. */
  async run(steps: Float32Array[]): Promise<Float32Array> {
    return validated(this.device, 'accumulate', async () => {
      const count = steps[0].length;
      const sum = storageBuffer(this.device, count * 4, 'attention sum');
      const temporary: GPUBuffer[] = [];
      for (const s of steps) {
        const x = storageBuffer(this.device, s);
        const encoder = this.device.createCommandEncoder();
        temporary.push(x, this.encode(encoder, x, sum, count));
        this.device.queue.submit([encoder.finish()]);
      }
      const result = new Float32Array(await readBack(this.device, this.device.createCommandEncoder(), sum, count * 4));
      for (const b of [sum, ...temporary]) b.destroy();
      return result;
    });
  }
}
