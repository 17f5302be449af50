/**
 * `npm run random-sd`: a random-weight Stable Diffusion 1.5 pipeline in the ONNX layout, from the committed
 * skeletons (tools/random-sd/skeletons/<scale>): `full` has SD 1.5's exact shapes (UNet 859,520,964 parameters),
 * `mini` the same structure at small widths for tests. The UNet is written fp16 by default at full scale (as
 * fp16 Hub exports), fp32 at mini scale (SwiftShader WebGPU has no shader-f16); every graph keeps its weights in
 * `model.onnx_data`. `pipeline: 'ldm'` writes CompVis' LDM text2im instead (mini only): the LDM-BERT text encoder
 * of `ldm-mini` with a WordPiece vocab.txt, the mini UNet and VAE decoder, DDIM.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { configFiles, ldmConfigFiles, tokenizerFiles, wordPieceTokenizerFiles, type PipelineShape } from './pipelineFiles';
import { readSkeleton, writeComponent, type WrittenComponent } from './skeleton';

export type Scale = 'mini' | 'full';
export type Pipeline = 'sd15' | 'ldm';
export const COMPONENTS = ['text_encoder', 'unet', 'vae_decoder'] as const;
export type Component = (typeof COMPONENTS)[number];

export const SKELETONS = join(import.meta.dirname, '../../tools/random-sd/skeletons');

export interface RandomSdOptions {
  scale: Scale;
  /** Default sd15. */
  pipeline?: Pipeline;
  out: string;
  /** UNet precision; default fp16 for `full`, fp32 for `mini`. */
  unetFp16?: boolean;
  seed?: number;
  /** The skeletons folder (default tools/random-sd/skeletons; the GPU pack carries its own copy). */
  skeletons?: string;
}

export interface RandomSdSummary {
  scale: Scale;
  pipeline: Pipeline;
  out: string;
  components: Record<Component, WrittenComponent>;
  shape: PipelineShape;
}

interface SkeletonsJson {
  sample_size: number;
  unet_block_out_channels: number[];
  vae_block_out_channels: number[];
  cross_attention_dim: number;
  text: PipelineShape['text'];
  torch: string;
}

/** The skeleton folder each component comes from (LDM borrows the mini UNet and VAE decoder: the same shapes). */
function skeletonDir(scale: Scale, pipeline: Pipeline, component: Component): string {
  if (pipeline === 'sd15') return scale;
  if (scale !== 'mini') throw new Error(`random-sd: the LDM pipeline is written at mini scale only (its full-size skeleton is not exported)`);
  return component === 'text_encoder' ? 'ldm-mini' : 'mini';
}

export function shapeOf(scale: Scale, pipeline: Pipeline = 'sd15', skeletons = SKELETONS): PipelineShape & { torch: string } {
  const s = JSON.parse(readFileSync(join(skeletons, skeletonDir(scale, pipeline, 'text_encoder'), 'skeletons.json'), 'utf8')) as SkeletonsJson;
  return { sampleSize: s.sample_size, unetBlocks: s.unet_block_out_channels, vaeBlocks: s.vae_block_out_channels, crossAttentionDim: s.cross_attention_dim, text: s.text, torch: s.torch };
}

export function writeRandomSd(opts: RandomSdOptions): RandomSdSummary {
  const unetFp16 = opts.unetFp16 ?? opts.scale === 'full';
  const seed = opts.seed ?? 1;
  const pipeline = opts.pipeline ?? 'sd15';
  const skeletons = opts.skeletons ?? SKELETONS;
  const { torch, ...shape } = shapeOf(opts.scale, pipeline, skeletons);
  const ldm = pipeline === 'ldm';
  const note =
    `Written by \`npm run random-sd -- --scale ${opts.scale}${ldm ? ' --pipeline ldm' : ''}\` (seed ${seed}) from graphs exported by torch ${torch} ` +
    '(TorchScript, opset 14) with random weights: it draws noise. It exists to prove the loading, instrumentation and ' +
    (ldm ? "tokenizer path of CompVis' LDM text2im without its weights." : 'memory path at Stable Diffusion 1.5 size without SD weights.');
  const files = ldm ? { ...ldmConfigFiles(shape, note), ...wordPieceTokenizerFiles(shape.text.vocab_size ?? 30522) } : { ...configFiles(shape, note), ...tokenizerFiles() };
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(opts.out, path)), { recursive: true });
    writeFileSync(join(opts.out, path), text);
  }
  const components = {} as Record<Component, WrittenComponent>;
  COMPONENTS.forEach((c, i) => {
    const dir = join(opts.out, c);
    mkdirSync(dir, { recursive: true });
    components[c] = writeComponent(readSkeleton(join(skeletons, skeletonDir(opts.scale, pipeline, c), c)), dir, { fp16: c === 'unet' && unetFp16, seed: seed * 101 + i });
  });
  return { scale: opts.scale, pipeline, out: opts.out, components, shape };
}
