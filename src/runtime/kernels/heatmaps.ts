/**
 * WGSL per-token heatmap tiles on a GPUDevice: `[P, R·R, K]` accumulated cross-attention → one
 * greyscale `R·R` tile per token, scaled to its maximum. CPU twin: `tokenHeatmaps` in src/p2p.
 */
import { bindGroup, computePipeline, dispatch, readBack, storageBuffer, uniformBuffer, validated } from './gpuBuffers';
import shaderSource from './heatmaps.wgsl?raw';

const WORKGROUP_SIZE = 256;

export class HeatmapKernel {
  private readonly pipeline: GPUComputePipeline;

  constructor(private readonly device: GPUDevice) {
    this.pipeline = computePipeline(device, shaderSource, 'main', 'heatmaps', WORKGROUP_SIZE);
  }

  /** Encodes the kernel: `tiles` receives `[prompts, count, pixels]` u32 grey levels. Returns the uniform to destroy. */
  encode(encoder: GPUCommandEncoder, maps: GPUBuffer, tiles: GPUBuffer, shape: { prompts: number; pixels: number; keys: number; count: number }): GPUBuffer {
    const params = uniformBuffer(this.device, [shape.pixels, shape.keys, shape.count]);
    dispatch(encoder, this.pipeline, bindGroup(this.device, this.pipeline, [maps, tiles, params]), shape.count, shape.prompts, 'heatmaps');
    return params;
  }

  /** Tiles per prompt, each `count` tiles of `pixels` bytes (as `tokenHeatmaps` returns for one prompt). */
  async run(maps: Float32Array, prompts: number, res: number, keys: number, count: number): Promise<Uint8ClampedArray[][]> {
    return validated(this.device, 'heatmaps', async () => {
      const pixels = res * res;
      if (maps.length !== prompts * pixels * keys) throw new Error(`attention maps are not [${prompts}, ${pixels}, ${keys}]`);
      const tilesCount = Math.min(count, keys);
      const bytes = prompts * tilesCount * pixels * 4;
      const input = storageBuffer(this.device, maps);
      const tiles = storageBuffer(this.device, bytes);
      const encoder = this.device.createCommandEncoder();
      const params = this.encode(encoder, input, tiles, { prompts, pixels, keys, count: tilesCount });
      const levels = new Uint32Array(await readBack(this.device, encoder, tiles, bytes));
      for (const b of [input, tiles, params]) b.destroy();
      return Array.from({ length: prompts }, (_, p) =>
        Array.from({ length: tilesCount }, (_, t) => Uint8ClampedArray.from(levels.subarray((p * tilesCount + t) * pixels, (p * tilesCount + t + 1) * pixels))),
      );
    });
  }
}
