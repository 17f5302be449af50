/**
 * `npm run random-sd`: a random-weight Stable Diffusion 1.5 pipeline in the ONNX layout, from the committed
 * skeletons (tools/random-sd/skeletons/<scale>): `full` has SD 1.5's exact shapes (UNet 859,520,964 parameters),
 * `mini` the same structure at small widths for tests. The UNet is written fp16 by default at full scale (as
 * fp16 Hub exports), fp32 at mini scale (SwiftShader WebGPU has no shader-f16); every graph keeps its weights in
 * `model.onnx_data`.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { configFiles, tokenizerFiles, type PipelineShape } from './pipelineFiles';
import { readSkeleton, writeComponent, type WrittenComponent } from './skeleton';

export type Scale = 'mini' | 'full';
export const COMPONENTS = ['text_encoder', 'unet', 'vae_decoder'] as const;
export type Component = (typeof COMPONENTS)[number];

export const SKELETONS = join(import.meta.dirname, '../../tools/random-sd/skeletons');

export interface RandomSdOptions {
  scale: Scale;
  out: string;
  /** UNet precision; default fp16 for `full`, fp32 for `mini`. */
  unetFp16?: boolean;
  seed?: number;
}

export interface RandomSdSummary {
  scale: Scale;
  out: string;
  components: Record<Component, WrittenComponent>;
  shape: PipelineShape;
}

interface SkeletonsJson {
  sample_size: number;
  unet_block_out_channels: number[];
  vae_block_out_channels: number[];
  cross_attention_dim: number;
  text: { dim: number; layers: number; heads: number };
  torch: string;
}

export function shapeOf(scale: Scale): PipelineShape & { torch: string } {
  const s = JSON.parse(readFileSync(join(SKELETONS, scale, 'skeletons.json'), 'utf8')) as SkeletonsJson;
  return { sampleSize: s.sample_size, unetBlocks: s.unet_block_out_channels, vaeBlocks: s.vae_block_out_channels, crossAttentionDim: s.cross_attention_dim, text: s.text, torch: s.torch };
}

export function writeRandomSd(opts: RandomSdOptions): RandomSdSummary {
  const unetFp16 = opts.unetFp16 ?? opts.scale === 'full';
  const seed = opts.seed ?? 1;
  const { torch, ...shape } = shapeOf(opts.scale);
  const note =
    `Written by \`npm run random-sd -- --scale ${opts.scale}\` (seed ${seed}) from graphs exported by torch ${torch} ` +
    '(TorchScript, opset 14) with random weights: it draws noise. It exists to prove the loading, instrumentation and ' +
    'memory path at Stable Diffusion 1.5 size without SD weights.';
  const files = { ...configFiles(shape, note), ...tokenizerFiles() };
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(opts.out, path)), { recursive: true });
    writeFileSync(join(opts.out, path), text);
  }
  const components = {} as Record<Component, WrittenComponent>;
  COMPONENTS.forEach((c, i) => {
    const dir = join(opts.out, c);
    mkdirSync(dir, { recursive: true });
    components[c] = writeComponent(readSkeleton(join(SKELETONS, opts.scale, c)), dir, { fp16: c === 'unet' && unetFp16, seed: seed * 101 + i });
  });
  return { scale: opts.scale, out: opts.out, components, shape };
}
