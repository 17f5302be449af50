/**
 * The instrumentation on exports that carry less information than ours (onnxruntime-node, toy UNet):
 * node names without module paths (place from graph order) and a sample whose height and width are
 * symbolic (query lengths checked in the graph at run time). Each variant must give the same layers
 * and the same outputs as the fully named, statically sized instrumentation.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { maxAbsDiff } from '../../tests/helpers/fixtures';
import { TOY_UNET, toyP2pConfig, toyUnetWithSymbolicLatent } from '../../tests/helpers/toyModel';
import { torchRandn } from '../diffusion';
import { decodeModel, encodeModel, instrumentUnet, type InstrumentOptions, type InstrumentResult } from './index';
import { testTempDir } from '../../tests/helpers/tempDir';

const stockBytes = new Uint8Array(readFileSync(TOY_UNET));
const cfg = toyP2pConfig();
const contextDim = Number(decodeModel(stockBytes).graph!.input!.find((i) => i.name === 'encoder_hidden_states')!.type!.tensorType!.shape!.dim![2].dimValue);

async function session(result: InstrumentResult): Promise<ort.InferenceSession> {
  const dir = testTempDir('toy-unet-variant-');
  writeFileSync(join(dir, 'model.onnx'), result.model);
  if (result.externalData) writeFileSync(join(dir, result.externalData.path), result.externalData.data);
  return ort.InferenceSession.create(join(dir, 'model.onnx'));
}

/** One CFG call of 2 prompts with a real edit: token maps, gains, and self-attention replacement on. */
function editFeeds(side: number): Record<string, ort.Tensor> {
  const B = 4;
  return {
    sample: new ort.Tensor('float32', torchRandn(11, [B, 4, side, side]), [B, 4, side, side]),
    timestep: new ort.Tensor('float32', Float32Array.of(600), [1]),
    encoder_hidden_states: new ort.Tensor('float32', torchRandn(12, [B, 77, contextDim]), [B, 77, contextDim]),
    p2p_map: new ort.Tensor('float32', Float32Array.from({ length: 77 * 77 }, (_, i) => (i % 78 === 0 ? 1 : 0)), [1, 77, 77]),
    p2p_gain: new ort.Tensor('float32', new Float32Array(77).fill(0.6), [1, 77]),
    p2p_keep: new ort.Tensor('float32', new Float32Array(77).fill(0.4), [1, 77]),
    p2p_self: new ort.Tensor('float32', Float32Array.of(1), [1]),
  };
}

async function outputs(result: InstrumentResult, side: number): Promise<{ noise: Float32Array; attn: Float32Array }> {
  const out = await (await session(result)).run(editFeeds(side));
  return { noise: out.out_sample.data as Float32Array, attn: out.p2p_attn.data as Float32Array };
}

const options: InstrumentOptions = { mapResolution: cfg.mapResolution, selfMaxQuery: cfg.selfMaxQuery };
/** The level whose cross-attention feeds the maps: one per halving from the latent side to the map side. */
const mapLevel = Math.log2(cfg.latentSize / cfg.mapResolution);

describe('instrumentation without module names or static sizes', () => {
  it('places layers by graph order when node names carry no module path', async () => {
    const model = decodeModel(stockBytes);
    for (const node of model.graph!.node!) node.name = '';
    const anonymous = instrumentUnet(encodeModel(model), options);
    const named = instrumentUnet(stockBytes, options);
    const shape = (r: InstrumentResult) => r.report.layers.map((l) => [l.kind, l.place, l.block, l.level, l.queryLength, l.edited, l.feedsMap]);
    expect(shape(anonymous)).toEqual(shape(named));
    expect(anonymous.report.layers.every((l) => l.placedBy === 'graph-order')).toBe(true);
    expect(named.report.layers.every((l) => l.placedBy === 'name')).toBe(true);
    // Readable names from the place: the first down block with attention (its cross-attention), the mid block's.
    const firstDown = named.report.layers.find((l) => l.place === 'down')!.block;
    expect(anonymous.report.layers.map((l) => l.name)).toContain(`down_blocks.${firstDown}/attention.0/attn2`);
    expect(anonymous.report.layers.map((l) => l.name)).toContain('mid_block/attention.0/attn1');
    const [a, b] = await Promise.all([outputs(anonymous, cfg.latentSize), outputs(named, cfg.latentSize)]);
    expect(maxAbsDiff(a.noise, b.noise)).toBe(0);
    expect(maxAbsDiff(a.attn, b.attn)).toBe(0);
  });

  it('checks self-attention query lengths in the graph when the latent size is symbolic', async () => {
    const symbolic = toyUnetWithSymbolicLatent();
    const runtime = instrumentUnet(symbolic, { selfMaxQuery: cfg.selfMaxQuery, mapLevel });
    expect(runtime.report.queryLengths).toBe('runtime');
    expect(instrumentUnet(stockBytes, options).report.queryLengths).toBe('static');

    // The same graph at two latent sizes equals the graph instrumented for that size: at 2× the
    // latent side the full-resolution self layers exceed selfMaxQuery and must be left unedited.
    const L = cfg.latentSize;
    for (const side of [L, 2 * L]) {
      const sized = instrumentUnet(symbolic, { selfMaxQuery: cfg.selfMaxQuery, mapLevel, latentSize: [side, side] });
      const editedSelf = sized.report.layers.filter((l) => l.kind === 'self' && l.edited).length;
      expect(editedSelf).toBeGreaterThan(0);
      if (side > L) expect(editedSelf).toBeLessThan(runtime.report.layers.filter((l) => l.kind === 'self' && l.edited).length);
      const [a, b] = await Promise.all([outputs(runtime, side), outputs(sized, side)]);
      expect(maxAbsDiff(a.noise, b.noise), `latent ${side}×${side}`).toBeLessThan(1e-6);
      expect(maxAbsDiff(a.attn, b.attn), `latent ${side}×${side}`).toBeLessThan(1e-6);
    }
  });
});

describe('fusing the self-attention layers the edit leaves alone', () => {
  it('turns each into one MultiHeadAttention node with the same outputs', async () => {
    // selfMaxQuery 16: the 64-query self layers (8×8 maps) are not edited, so they can be fused.
    const opts: InstrumentOptions = { mapResolution: cfg.mapResolution, selfMaxQuery: 16 };
    const plain = instrumentUnet(stockBytes, opts);
    const fused = instrumentUnet(stockBytes, { ...opts, fuseUnedited: true });
    const unedited = plain.report.layers.filter((l) => !l.edited).map((l) => l.name);
    expect(unedited.length).toBeGreaterThan(0);
    expect(fused.report.layers.filter((l) => l.fusedKernel).map((l) => l.name)).toEqual(unedited);
    expect(plain.report.counts.fusedKernel).toBe(0);
    const graph = decodeModel(fused.model).graph!;
    const mha = graph.node!.filter((n) => n.opType === 'MultiHeadAttention' && n.domain === 'com.microsoft');
    expect(mha).toHaveLength(unedited.length);
    // Their softmaxes are gone; the edited layers keep theirs.
    const softmaxes = (g: typeof graph) => g.node!.filter((n) => n.opType === 'Softmax').length;
    expect(softmaxes(graph)).toBe(softmaxes(decodeModel(plain.model).graph!) - unedited.length);
    const [a, b] = await Promise.all([outputs(fused, cfg.latentSize), outputs(plain, cfg.latentSize)]);
    expect(maxAbsDiff(a.noise, b.noise)).toBeLessThan(1e-5);
    expect(maxAbsDiff(a.attn, b.attn)).toBeLessThan(1e-6);
  });
});
