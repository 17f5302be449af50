/**
 * The denoising loop with the latents on the GPU (WebGPU sessions): the UNet reads its `[x/d; x/d]` sample
 * (float32 or float16, d Euler's input divisor) from a GPU buffer a kernel fills from the scheduler state, and
 * leaves `out_sample` (widened to float32 on the GPU when float16) and `p2p_attn` on the GPU;
 * guidance, the scheduler plan, the attention store (sum of `p2p_attn`) and LocalBlend run as WGSL kernels
 * on onnxruntime-web's own `GPUDevice`. The text context and the P2P parameters are bound as GPU tensors and
 * written again only when they change. Nothing is read back between steps: latents and attention only when
 * the caller asks (`read`, `attention`). CPU twin: `hostResidentLoop`.
 * Also the attention heatmap tiles for the worker's attention events (CPU twin: `tokenHeatmaps`).
 */
import type { ResidentBlend, ResidentLoop, ResidentUnetCall } from '../../diffusion';
import type { LinearStepPlan } from '../../diffusion/linearStep';
import { AccumulateKernel } from '../kernels/accumulate';
import { readBack, storageBuffer, type FloatType } from '../kernels/gpuBuffers';
import { HeatmapKernel } from '../kernels/heatmaps';
import { LinearStepKernel, type SchedulerState } from '../kernels/linearStep';
import { LocalBlendKernel } from '../kernels/localBlend';
import { UnetSampleKernel } from '../kernels/unetSample';
import type { BoundUnetInputs, UnetRunner } from '../ortBackend';
import { ort } from '../ortWeb';
import { BoundInputs } from './boundInputs';

interface Kernels {
  step: LinearStepKernel;
  accumulate: AccumulateKernel;
  blend: LocalBlendKernel;
  heatmaps: HeatmapKernel;
  sample: UnetSampleKernel;
}

/** Kernels are compiled once per device. */
const compiled = new WeakMap<GPUDevice, Kernels>();

function kernelsFor(device: GPUDevice): Kernels {
  let k = compiled.get(device);
  if (!k) {
    k = { step: new LinearStepKernel(device), accumulate: new AccumulateKernel(device), blend: new LocalBlendKernel(device), heatmaps: new HeatmapKernel(device), sample: new UnetSampleKernel(device) };
    compiled.set(device, k);
  }
  return k;
}

/** The UNet output the WebGPU UNet session keeps on the GPU (`preferredOutputLocation`; diffusers' name). */
export const GPU_NOISE_OUTPUT = 'out_sample';
/** The instrumented UNet's attention output, also kept on the GPU (summed there by the attention store). */
export const GPU_ATTN_OUTPUT = 'p2p_attn';

/** Float element types the loop handles on the device. */
function floatType(type: string): FloatType | null {
  return type === 'float32' || type === 'float16' ? type : null;
}

/**
 * The context and P2P parameters of a call as bound GPU tensors (inputs of other than float32/float16 graph types
 * stay CPU feeds). Low-memory mode's two half calls keep separate slots, so neither re-uploads the other's values.
 */
function bindCall(bound: BoundInputs, unet: UnetRunner, call: ResidentUnetCall): BoundUnetInputs {
  const out: BoundUnetInputs = {};
  const slot = call.half ? `${call.half}:` : '';
  const bind = (role: keyof BoundUnetInputs, values: Float32Array, dims: number[]): void => {
    const type = floatType(unet.inputTypes[role] ?? '');
    if (type) out[role] = bound.tensor(`${slot}${role}`, values, dims, type);
  };
  bind('context', call.context, call.contextDims);
  const p = call.p2p;
  if (p) {
    const len = call.contextDims[1];
    bind('map', p.map, [p.edits, len, len]);
    bind('gain', p.gain, [p.edits, len]);
    bind('keep', p.keep, [p.edits, len]);
    bind('self', Float32Array.of(p.self ? 1 : 0), [1]);
  }
  return out;
}

/**
 * A resident loop for UNets with float32 or float16 `sample`/`out_sample` on WebGPU whose noise output is the one
 * kept on the GPU; null otherwise (the pipeline then keeps latents on the CPU).
 */
export async function gpuResidentLoop(unet: UnetRunner, latents: Float32Array, dims: [number, number, number, number]): Promise<ResidentLoop | null> {
  const sampleType = floatType(unet.sampleType);
  const noiseType = floatType(unet.noiseType);
  if (!sampleType || !noiseType || unet.noiseName !== GPU_NOISE_OUTPUT) return null;
  const count = latents.length;
  // float16 values travel in pairs (one u32 word).
  if ((sampleType === 'float16' || noiseType === 'float16') && count % 2 !== 0) return null;
  const device = (await ort.env.webgpu.device) as GPUDevice;
  const kernels = kernelsFor(device);
  const bytes = count * 4;
  const state: SchedulerState = kernels.step.createState(latents);
  const sample = storageBuffer(device, UnetSampleKernel.sampleBytes(count, sampleType), `UNet sample [x; x] (${sampleType})`);
  /** Low-memory mode: the sample `x/d` of a half call, and the `[uncond; cond]` output assembled from the two calls. */
  let halfSample: GPUBuffer | null = null;
  let halves: { buffer: GPUBuffer; filled: Set<'uncond' | 'cond'> } | null = null;
  const halfOutputBytes = count * (noiseType === 'float16' ? 2 : 4);
  /** A float16 UNet output widened to float32 for the step kernel. */
  const wideNoise = noiseType === 'float16' ? storageBuffer(device, 2 * bytes, 'UNet output (float32)') : null;
  const bound = new BoundInputs(device);
  /** The attention store: `p2p_attn` summed over the run's calls, created at the first call. */
  let attnSum: { buffer: GPUBuffer; count: number } | null = null;
  let blendBuffers: { from: GPUBuffer; to: GPUBuffer; alphas: GPUBuffer; source: Float32Array } | null = null;
  let noise: ort.Tensor | null = null;
  const [P, C, h, w] = dims;

  const release = (): void => {
    noise?.dispose();
    noise = null;
  };

  /** Adds a call's `p2p_attn` to the store on the device (a CPU-located output is uploaded first). */
  const accumulate = (attn: ort.Tensor): void => {
    const n = attn.dims.reduce((a, b) => a * b, 1);
    if (attnSum && attnSum.count !== n) throw new Error(`p2p_attn changed size (${attnSum.count} → ${n})`);
    attnSum ??= { buffer: storageBuffer(device, n * 4, 'attention store'), count: n };
    const onCpu = attn.location === 'cpu' || attn.location === 'cpu-pinned';
    if (!onCpu && attn.type !== 'float32') throw new Error(`p2p_attn is ${attn.type}; the attention store needs float32`);
    const x = onCpu ? storageBuffer(device, Float32Array.from(attn.data as ArrayLike<number>), 'p2p_attn upload') : (attn.gpuBuffer as GPUBuffer);
    const encoder = device.createCommandEncoder();
    const params = kernels.accumulate.encode(encoder, x, attnSum.buffer, n);
    device.queue.submit([encoder.finish()]);
    params.destroy();
    if (onCpu) x.destroy();
  };

  return {
    async unet(call: ResidentUnetCall) {
      const copies = call.half ? 1 : 2;
      const target = call.half ? (halfSample ??= storageBuffer(device, UnetSampleKernel.sampleBytes(count, sampleType, 1), `UNet sample x (${sampleType})`)) : sample;
      const encoder = device.createCommandEncoder();
      const params = kernels.sample.encodeSample(encoder, state.buffer, state.latentRegion * count, count, call.inputDivisor ?? 1, target, sampleType, copies);
      device.queue.submit([encoder.finish()]);
      params.destroy();
      const sampleDims: [number, number, number, number] = [copies * P, C, h, w];
      const input = ort.Tensor.fromGpuBuffer(target, { dataType: sampleType, dims: sampleDims });
      const out = await unet.run(input, { ...call, sampleDims }, bindCall(bound, unet, call));
      release();
      try {
        if (out.noise.location !== 'gpu-buffer') throw new Error('the UNet output is not on the GPU (preferredOutputLocation)');
        if (call.half) {
          // Copied into its half of [uncond; cond] (queued before the output goes back to ORT below).
          halves ??= { buffer: storageBuffer(device, 2 * halfOutputBytes, 'UNet output [uncond; cond]'), filled: new Set() };
          const copy = device.createCommandEncoder();
          copy.copyBufferToBuffer(out.noise.gpuBuffer as GPUBuffer, 0, halves.buffer, call.half === 'cond' ? halfOutputBytes : 0, halfOutputBytes);
          device.queue.submit([copy.finish()]);
          halves.filled.add(call.half);
        } else {
          noise = out.noise;
        }
        if (!out.attn || call.half === 'uncond') return {};
        accumulate(out.attn);
        return { attnPixels: out.attn.dims[1] };
      } finally {
        // Work reading these outputs is queued before any later ORT run on this device: they can go back to ORT now.
        for (const t of Object.values(out.all)) if (t !== noise) t.dispose();
      }
    },

    async update(plan: LinearStepPlan, guidance: number, blend?: ResidentBlend) {
      let output: GPUBuffer;
      if (noise) output = noise.gpuBuffer as GPUBuffer;
      else if (halves?.filled.size === 2) output = halves.buffer;
      else throw new Error('resident loop: update before the UNet calls of the step');
      const temporary: GPUBuffer[] = [];
      const encoder = device.createCommandEncoder();
      if (wideNoise) {
        temporary.push(kernels.sample.encodeUnpack(encoder, output, 2 * count, wideNoise));
        output = wideNoise;
      }
      temporary.push(...kernels.step.encode(encoder, plan, state, output, guidance));
      if (blend) {
        if (!attnSum) throw new Error('resident loop: LocalBlend before any p2p_attn');
        if (!blendBuffers || blendBuffers.source !== blend.alphas) {
          if (blendBuffers) for (const b of [blendBuffers.from, blendBuffers.to, blendBuffers.alphas]) b.destroy();
          blendBuffers = { from: storageBuffer(device, bytes, 'local-blend in'), to: storageBuffer(device, bytes, 'local-blend out'), alphas: storageBuffer(device, blend.alphas), source: blend.alphas };
        }
        const { from, to, alphas } = blendBuffers;
        encoder.copyBufferToBuffer(state.buffer, state.latentOffset, from, 0, bytes);
        const keys = blend.alphas.length / P;
        temporary.push(...kernels.blend.encode(encoder, { latents: from, maps: attnSum.buffer, alphas, out: to }, { dims, res: blend.mapRes, keys, threshold: blend.threshold }));
        encoder.copyBufferToBuffer(to, 0, state.buffer, state.latentOffset, bytes);
      }
      device.queue.submit([encoder.finish()]);
      // The next ORT run is queued after this work on the same device, so the output can go back to ORT now.
      release();
      halves?.filled.clear();
      for (const b of temporary) b.destroy();
    },

    async read() {
      return new Float32Array(await readBack(device, device.createCommandEncoder(), state.buffer, bytes, state.latentOffset));
    },

    async attention() {
      if (!attnSum) return null;
      return new Float32Array(await readBack(device, device.createCommandEncoder(), attnSum.buffer, attnSum.count * 4));
    },

    dispose() {
      release();
      state.buffer.destroy();
      sample.destroy();
      halfSample?.destroy();
      halves?.buffer.destroy();
      wideNoise?.destroy();
      bound.dispose();
      attnSum?.buffer.destroy();
      if (blendBuffers) for (const b of [blendBuffers.from, blendBuffers.to, blendBuffers.alphas]) b.destroy();
    },
  };
}

/** Per-token heatmap tiles on onnxruntime-web's GPU device (`Backend.heatmapTiles`). */
export async function gpuHeatmapTiles(maps: Float32Array, prompts: number, res: number, count: number): Promise<Uint8ClampedArray[][]> {
  const device = (await ort.env.webgpu.device) as GPUDevice;
  return kernelsFor(device).heatmaps.run(maps, prompts, res, maps.length / (prompts * res * res), count);
}
