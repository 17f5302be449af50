/**
 * WGSL kernels around a resident UNet call: the sample `[x/d; x/d]` from the scheduler state (float32, or float16
 * packed in pairs), and a float16 UNet output widened to float32 for the step kernel — so fp16 UNets and Euler's
 * input scaling keep the latents on the GPU. CPU twins: `divideInput` + `concatBatch`, `toHalf` / `fromHalf`
 * (parity in e2e/kernels.spec.ts).
 */
import { bindGroup, computePipeline, dispatch, readBack, storageBuffer, uniformBuffer, validated, type FloatType } from './gpuBuffers';
import shaderSource from './unetSample.wgsl?raw';

const WORKGROUP_SIZE = 256;

export class UnetSampleKernel {
  private readonly sample32: GPUComputePipeline;
  private readonly sample16: GPUComputePipeline;
  private readonly unpack: GPUComputePipeline;

  constructor(private readonly device: GPUDevice) {
    this.sample32 = computePipeline(device, shaderSource, 'sample_f32', 'unet-sample-f32', WORKGROUP_SIZE);
    this.sample16 = computePipeline(device, shaderSource, 'sample_f16', 'unet-sample-f16', WORKGROUP_SIZE);
    this.unpack = computePipeline(device, shaderSource, 'unpack_f16', 'unpack-f16', WORKGROUP_SIZE);
  }

  /** Bytes of a sample holding `copies` (2: `[x; x]`) of a `count`-value latent. */
  static sampleBytes(count: number, type: FloatType, copies = 2): number {
    return copies * count * (type === 'float16' ? 2 : 4);
  }

  /**
   * Encodes `out ← [x/d; x/d]` (`copies` 2) or `out ← x/d` (1) from the latent at float index `offset` of `state`;
   * float16 needs an even `count`. Returns the uniform to destroy after submit.
   */
  encodeSample(encoder: GPUCommandEncoder, state: GPUBuffer, offset: number, count: number, divisor: number, out: GPUBuffer, type: FloatType, copies: 1 | 2 = 2): GPUBuffer {
    if (type === 'float16' && count % 2 !== 0) throw new Error(`a float16 sample packs values in pairs; this latent has ${count}`);
    const params = uniformBuffer(this.device, [count, offset, divisor, copies], [2]);
    const pipeline = type === 'float16' ? this.sample16 : this.sample32;
    const threads = type === 'float16' ? count / 2 : count;
    dispatch(encoder, pipeline, bindGroup(this.device, pipeline, [state, out, params]), Math.ceil(threads / WORKGROUP_SIZE), 1, `unet-sample-${type}`);
    return params;
  }

  /** Encodes `out ← float32(half)` for `count` float16 values (even) packed in `half`; returns the uniform. */
  encodeUnpack(encoder: GPUCommandEncoder, half: GPUBuffer, count: number, out: GPUBuffer): GPUBuffer {
    if (count % 2 !== 0) throw new Error(`float16 values are unpacked in pairs; got ${count}`);
    const params = uniformBuffer(this.device, [count / 2, 0, 1, 1], [2]);
    dispatch(encoder, this.unpack, bindGroup(this.device, this.unpack, [half, out, params]), Math.ceil(count / 2 / WORKGROUP_SIZE), 1, 'unpack-f16');
    return params;
  }

  /** Tests: the sample for latent `x` and divisor `d` (float16 as its bits), and `halves` (float16 bits) widened. */
  async run(x: Float32Array, divisor: number, type: FloatType, halves?: Uint16Array): Promise<{ sample: Float32Array | Uint16Array; unpacked?: Float32Array }> {
    return validated(this.device, 'unet-sample', async () => {
      const state = storageBuffer(this.device, Float32Array.of(-1, ...x), 'state');
      const out = storageBuffer(this.device, UnetSampleKernel.sampleBytes(x.length, type), 'sample');
      const encoder = this.device.createCommandEncoder();
      const temporary = [state, out, this.encodeSample(encoder, state, 1, x.length, divisor, out, type)];
      const bytes = await readBack(this.device, encoder, out, UnetSampleKernel.sampleBytes(x.length, type));
      const sample = type === 'float16' ? new Uint16Array(bytes) : new Float32Array(bytes);
      let unpacked: Float32Array | undefined;
      if (halves) {
        const words = new Uint32Array(halves.buffer.slice(halves.byteOffset, halves.byteOffset + halves.byteLength));
        const half = storageBuffer(this.device, words, 'halves');
        const wide = storageBuffer(this.device, halves.length * 4, 'widened');
        const enc = this.device.createCommandEncoder();
        temporary.push(half, wide, this.encodeUnpack(enc, half, halves.length, wide));
        unpacked = new Float32Array(await readBack(this.device, enc, wide, halves.length * 4));
      }
      for (const b of temporary) b.destroy();
      return { sample, unpacked };
    });
  }
}
