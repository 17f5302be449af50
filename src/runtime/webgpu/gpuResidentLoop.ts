/**
 * The denoising loop with the latents on the GPU (WebGPU sessions): the UNet reads its `[x; x]` sample
 * from a GPU buffer filled from the scheduler state and leaves `out_sample` on the GPU; guidance, the
 * scheduler plan and LocalBlend run as WGSL kernels on onnxruntime-web's own `GPUDevice`. Only
 * `p2p_attn` (small) and, when asked, the latents are read back. CPU twin: `hostResidentLoop`.
 * Also the attention heatmap tiles for the worker's attention events (CPU twin: `tokenHeatmaps`).
 */
import type { ResidentBlend, ResidentLoop, ResidentUnetCall } from '../../diffusion';
import type { LinearStepPlan } from '../../diffusion/linearStep';
import { readBack, storageBuffer } from '../kernels/gpuBuffers';
import { HeatmapKernel } from '../kernels/heatmaps';
import { LinearStepKernel, type SchedulerState } from '../kernels/linearStep';
import { LocalBlendKernel } from '../kernels/localBlend';
import type { UnetRunner } from '../ortBackend';
import { readFloat } from '../ortTensors';
import { ort } from '../ortWeb';

interface Kernels {
  step: LinearStepKernel;
  blend: LocalBlendKernel;
  heatmaps: HeatmapKernel;
}

/** Kernels are compiled once per device. */
const compiled = new WeakMap<GPUDevice, Kernels>();

function kernelsFor(device: GPUDevice): Kernels {
  let k = compiled.get(device);
  if (!k) {
    k = { step: new LinearStepKernel(device), blend: new LocalBlendKernel(device), heatmaps: new HeatmapKernel(device) };
    compiled.set(device, k);
  }
  return k;
}

/** The UNet output the WebGPU UNet session keeps on the GPU (`preferredOutputLocation`; diffusers' name). */
export const GPU_NOISE_OUTPUT = 'out_sample';

/**
 * A resident loop for UNets with float32 `sample`/`out_sample` on WebGPU whose noise output is the one
 * kept on the GPU; null otherwise (the pipeline then keeps latents on the CPU).
 */
export async function gpuResidentLoop(unet: UnetRunner, latents: Float32Array, dims: [number, number, number, number]): Promise<ResidentLoop | null> {
  if (unet.sampleType !== 'float32' || unet.noiseType !== 'float32' || unet.noiseName !== GPU_NOISE_OUTPUT) return null;
  const device = (await ort.env.webgpu.device) as GPUDevice;
  const kernels = kernelsFor(device);
  const count = latents.length;
  const bytes = count * 4;
  const state: SchedulerState = kernels.step.createState(latents);
  const sample = storageBuffer(device, 2 * bytes, 'UNet sample [x; x]');
  let noise: ort.Tensor | null = null;
  const [P, C, h, w] = dims;

  const release = (): void => {
    noise?.dispose();
    noise = null;
  };

  return {
    async unet(call: ResidentUnetCall) {
      const encoder = device.createCommandEncoder();
      encoder.copyBufferToBuffer(state.buffer, state.latentOffset, sample, 0, bytes);
      encoder.copyBufferToBuffer(state.buffer, state.latentOffset, sample, bytes, bytes);
      device.queue.submit([encoder.finish()]);
      const input = ort.Tensor.fromGpuBuffer(sample, { dataType: 'float32', dims: [2 * P, C, h, w] });
      const out = await unet.run(input, { ...call, sampleDims: [2 * P, C, h, w] });
      release();
      try {
        if (out.noise.location !== 'gpu-buffer') throw new Error('the UNet output is not on the GPU (preferredOutputLocation)');
        noise = out.noise;
        return { attn: out.attn && (await readFloat(out.attn, 'UNet p2p_attn')) };
      } finally {
        for (const t of Object.values(out.all)) if (t !== noise) t.dispose();
      }
    },

    async update(plan: LinearStepPlan, guidance: number, blend?: ResidentBlend) {
      if (!noise) throw new Error('resident loop: update before unet');
      const temporary: GPUBuffer[] = [];
      const encoder = device.createCommandEncoder();
      temporary.push(...kernels.step.encode(encoder, plan, state, noise.gpuBuffer as GPUBuffer, guidance));
      if (blend) {
        const from = storageBuffer(device, bytes, 'local-blend in');
        const to = storageBuffer(device, bytes, 'local-blend out');
        const maps = storageBuffer(device, blend.maps);
        const alphas = storageBuffer(device, blend.alphas);
        encoder.copyBufferToBuffer(state.buffer, state.latentOffset, from, 0, bytes);
        const keys = blend.alphas.length / P;
        temporary.push(from, to, maps, alphas, ...kernels.blend.encode(encoder, { latents: from, maps, alphas, out: to }, { dims, res: blend.mapRes, keys, threshold: blend.threshold }));
        encoder.copyBufferToBuffer(to, 0, state.buffer, state.latentOffset, bytes);
      }
      device.queue.submit([encoder.finish()]);
      // The next ORT run is queued after this work on the same device, so the output can go back to ORT now.
      release();
      for (const b of temporary) b.destroy();
    },

    async read() {
      return new Float32Array(await readBack(device, device.createCommandEncoder(), state.buffer, bytes, state.latentOffset));
    },

    dispose() {
      release();
      state.buffer.destroy();
      sample.destroy();
    },
  };
}

/** Per-token heatmap tiles on onnxruntime-web's GPU device (`Backend.heatmapTiles`). */
export async function gpuHeatmapTiles(maps: Float32Array, prompts: number, res: number, count: number): Promise<Uint8ClampedArray[][]> {
  const device = (await ort.env.webgpu.device) as GPUDevice;
  return kernelsFor(device).heatmaps.run(maps, prompts, res, maps.length / (prompts * res * res), count);
}
