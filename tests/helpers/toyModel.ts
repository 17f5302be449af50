/**
 * Test-only access to the embedded toy model (`public/models/toy-shapes`) and its PyTorch reference
 * run (`tests/fixtures/toy-shapes-reference`), both written by tools/toy-model/export.py.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { decodeModel, encodeModel } from '../../src/onnx/proto';
import { REPO_ROOT } from './fixtures';

/** The committed toy model, or another export of the same tool named by `TOY_MODEL_DIR`. */
export const TOY_MODEL_DIR = process.env.TOY_MODEL_DIR ? resolve(process.env.TOY_MODEL_DIR) : resolve(REPO_ROOT, 'public/models/toy-shapes');
/** The PyTorch reference run of that model (`TOY_REFERENCE_DIR` overrides it with the model). */
export const TOY_REFERENCE_DIR = process.env.TOY_REFERENCE_DIR ? resolve(process.env.TOY_REFERENCE_DIR) : resolve(REPO_ROOT, 'tests/fixtures/toy-shapes-reference');
export const TOY_UNET = resolve(TOY_MODEL_DIR, 'unet/model.onnx');
/** The embedded emoji model (tools/toy-model/export_emoji.py). */
export const TOY_EMOJI_DIR = resolve(REPO_ROOT, 'public/models/toy-emoji');

export interface ToyP2pConfig {
  mapResolution: number;
  selfMaxQuery: number;
  latentSize: number;
  mapLayers: string[];
  attentionLayers?: { name: string; kind: 'cross' | 'self'; queryLength: number }[];
}

export function toyP2pConfig(): ToyP2pConfig {
  return JSON.parse(readFileSync(resolve(TOY_MODEL_DIR, 'p2p.json'), 'utf8')) as ToyP2pConfig;
}

/** PyTorch module path (`down_blocks.0.attentions.0.transformer_blocks.0.attn2`) → layer name in reports. */
export function layerName(modulePath: string): string {
  return modulePath.replace(/\.(?=[a-z_])/gi, '/');
}

/** The toy model's reference edit ("a red circle" → "a red square", cross 0.8, self 0.4) with `steps`. */
export function toySwap(steps: number) {
  return {
    prompts: ['a red circle', 'a red square'],
    edit: { kind: 'replace' as const, crossReplaceSteps: 0.8, selfReplaceSteps: 0.4 },
    seed: 8888,
    steps,
    guidance: 7.5,
  };
}

/**
 * The toy UNet with `sample`/`out_sample` height and width made symbolic (the export fixes them at the
 * latent size; the graph itself is fully convolutional and runs at any size).
 */
export function toyUnetWithSymbolicLatent(): Uint8Array {
  const model = decodeModel(new Uint8Array(readFileSync(TOY_UNET)));
  const graph = model.graph!;
  for (const io of [graph.input!.find((i) => i.name === 'sample')!, graph.output!.find((o) => o.name === 'out_sample')!]) {
    const dims = io.type!.tensorType!.shape!.dim!;
    dims[2] = { dimParam: 'height' };
    dims[3] = { dimParam: 'width' };
  }
  graph.valueInfo = [];
  return encodeModel(model);
}
