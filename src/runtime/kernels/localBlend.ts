/**
 * WGSL LocalBlend on a GPUDevice: masks from the accumulated cross-attention, then the blend of the
 * edited latents toward the source outside them. CPU twin: `localBlend` in src/p2p (the wasm and Node
 * paths use it; parity tested in e2e/kernels.spec.ts).
 */
import { bindGroup, computePipeline, dispatch, readBack, storageBuffer, uniformBuffer, validated } from './gpuBuffers';
import shaderSource from './localBlend.wgsl?raw';

const WORKGROUP_SIZE = 256;

export interface LocalBlendShape {
  /** Latent dims `[P, C, H, W]`. */
  dims: [number, number, number, number];
  /** Map side R (`maps` is `[P, R·R, keys]`). */
  res: number;
  keys: number;
  threshold: number;
}

export class LocalBlendKernel {
  private readonly masksPipeline: GPUComputePipeline;
  private readonly blendPipeline: GPUComputePipeline;

  constructor(private readonly device: GPUDevice) {
    this.masksPipeline = computePipeline(device, shaderSource, 'masks_main', 'local-blend masks', WORKGROUP_SIZE);
    this.blendPipeline = computePipeline(device, shaderSource, 'blend_main', 'local-blend blend', WORKGROUP_SIZE);
  }

  /** Encodes both passes; returns the temporary buffers for the caller to destroy after submit. */
  encode(encoder: GPUCommandEncoder, buffers: { latents: GPUBuffer; maps: GPUBuffer; alphas: GPUBuffer; out: GPUBuffer }, shape: LocalBlendShape): GPUBuffer[] {
    const [P, C, H, W] = shape.dims;
    const params = uniformBuffer(this.device, [P, C, H, W, shape.res, shape.keys, shape.threshold], [6]);
    const scratch = storageBuffer(this.device, P * shape.res * shape.res * 4, 'local-blend word maps');
    const masks = storageBuffer(this.device, P * H * W * 4, 'local-blend masks');
    dispatch(encoder, this.masksPipeline, bindGroup(this.device, this.masksPipeline, [buffers.maps, buffers.alphas, scratch, masks, params]), P, 1, 'local-blend masks');
    const blendGroup = bindGroup(this.device, this.blendPipeline, [buffers.latents, masks, buffers.out, params]);
    dispatch(encoder, this.blendPipeline, blendGroup, Math.ceil((P * C * H * W) / WORKGROUP_SIZE), 1, 'local-blend blend');
    return [params, scratch, masks];
  }

  /** Uploads, runs and reads back (tests, probes). */
  async run(latents: Float32Array, maps: Float32Array, alphas: Float32Array, shape: LocalBlendShape): Promise<Float32Array> {
    return validated(this.device, 'local-blend', async () => {
      const buffers = {
        latents: storageBuffer(this.device, latents),
        maps: storageBuffer(this.device, maps),
        alphas: storageBuffer(this.device, alphas),
        out: storageBuffer(this.device, latents.byteLength),
      };
      const encoder = this.device.createCommandEncoder();
      const temporary = this.encode(encoder, buffers, shape);
      const result = new Float32Array(await readBack(this.device, encoder, buffers.out, latents.byteLength));
      for (const b of [...Object.values(buffers), ...temporary]) b.destroy();
      return result;
    });
  }
}
