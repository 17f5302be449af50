/**
 * The instrumented graph on onnxruntime-node, for unfused and fused (com.microsoft.MultiHeadAttention)
 * attention: identity parameters reproduce the stock model; an edit makes every layer's probabilities
 * equal `applyEdit` of the unedited ones, and `p2p_attn` their head-mean sum.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { beforeAll, describe, expect, it } from 'vitest';
import { GRAPH, LAYERS, buildAttentionGraph, type AttentionStyle } from '../../tests/helpers/attentionGraph';
import { CLIP_TOKENIZER_DIR, maxAbsDiff } from '../../tests/helpers/fixtures';
import { applyEdit, planEdit, type EditParams } from '../p2p';
import { loadPromptTokenizer } from '../text';
import { decodeModel, instrumentUnet, type InstrumentResult } from './index';
import { testTempDir } from '../../tests/helpers/tempDir';

const PROMPTS = ['a cat riding a bicycle', 'a dog riding a bicycle'];
const P = PROMPTS.length;
const BATCH = 2 * P;
const QUERIES = GRAPH.side * GRAPH.side;

function noise(n: number, seed: number): Float32Array {
  return Float32Array.from({ length: n }, (_, i) => Math.sin(i * 12.9898 + seed * 78.233) * 0.9);
}

async function session(model: Uint8Array, external?: { path: string; data: Uint8Array }): Promise<ort.InferenceSession> {
  const dir = testTempDir('p2p-graph-');
  writeFileSync(join(dir, 'model.onnx'), model);
  if (external) writeFileSync(join(dir, external.path), external.data);
  return ort.InferenceSession.create(join(dir, 'model.onnx'));
}

const baseFeeds = () => ({
  sample: new ort.Tensor('float32', noise(BATCH * GRAPH.channels * QUERIES, 1), [BATCH, GRAPH.channels, GRAPH.side, GRAPH.side]),
  timestep: new ort.Tensor('float32', Float32Array.of(0.25), [1]),
  encoder_hidden_states: new ort.Tensor('float32', noise(BATCH * GRAPH.tokens * GRAPH.contextDim, 2), [BATCH, GRAPH.tokens, GRAPH.contextDim]),
});

function p2pFeeds(params: EditParams) {
  const e = P - 1;
  return {
    p2p_map: new ort.Tensor('float32', params.map, [e, 77, 77]),
    p2p_gain: new ort.Tensor('float32', params.gain, [e, 77]),
    p2p_keep: new ort.Tensor('float32', params.keep, [e, 77]),
    p2p_self: new ort.Tensor('float32', Float32Array.of(params.selfReplace ? 1 : 0), [1]),
  };
}

const identity: EditParams = {
  map: new Float32Array((P - 1) * 77 * 77),
  gain: new Float32Array((P - 1) * 77),
  keep: new Float32Array((P - 1) * 77).fill(1),
  selfReplace: false,
};

describe.each<AttentionStyle>(['unfused', 'fused'])('%s attention', (style) => {
  const stockBytes = buildAttentionGraph(style);
  let result: InstrumentResult;
  let stock: ort.InferenceSession;
  let instrumented: ort.InferenceSession;
  let edit: EditParams;

  beforeAll(async () => {
    result = instrumentUnet(stockBytes, {
      latentSize: [GRAPH.side, GRAPH.side],
      mapResolution: GRAPH.side,
      selfMaxQuery: QUERIES,
      exposeLayers: LAYERS.map((l) => l.path),
    });
    stock = await session(stockBytes);
    instrumented = await session(result.model, result.externalData);
    const tok = await loadPromptTokenizer(CLIP_TOKENIZER_DIR);
    edit = planEdit({ prompts: PROMPTS, kind: 'replace', numSteps: 10, crossReplaceSteps: 0.8, selfReplaceSteps: 0.4 }, tok).call(1);
  });

  it('reports every layer with its kind and place', () => {
    expect(result.report.layers.map((l) => [l.name, l.kind, l.place, l.queryLength, l.edited, l.feedsMap])).toEqual(
      LAYERS.map((l) => [l.path, l.cross ? 'cross' : 'self', l.path.startsWith('down') ? 'down' : 'up', QUERIES, true, l.cross]),
    );
    expect(result.report.counts).toMatchObject({ cross: 2, self: 2, edited: 4, mapLayers: 2 });
  });

  it('identity parameters reproduce the stock model', async () => {
    const feeds = baseFeeds();
    const [a, b] = await Promise.all([stock.run(feeds), instrumented.run({ ...feeds, ...p2pFeeds(identity) })]);
    expect(maxAbsDiff(a.out_sample.data as Float32Array, b.out_sample.data as Float32Array)).toBeLessThan(1e-5);
  });

  it('a single prompt (no edits, E = 0) reproduces the stock model', async () => {
    const feeds = {
      sample: new ort.Tensor('float32', noise(2 * GRAPH.channels * QUERIES, 3), [2, GRAPH.channels, GRAPH.side, GRAPH.side]),
      timestep: new ort.Tensor('float32', Float32Array.of(0.5), [1]),
      encoder_hidden_states: new ort.Tensor('float32', noise(2 * GRAPH.tokens * GRAPH.contextDim, 4), [2, GRAPH.tokens, GRAPH.contextDim]),
    };
    const none = {
      p2p_map: new ort.Tensor('float32', new Float32Array(0), [0, 77, 77]),
      p2p_gain: new ort.Tensor('float32', new Float32Array(0), [0, 77]),
      p2p_keep: new ort.Tensor('float32', new Float32Array(0), [0, 77]),
      p2p_self: new ort.Tensor('float32', Float32Array.of(1), [1]),
    };
    const [a, b] = await Promise.all([stock.run(feeds), instrumented.run({ ...feeds, ...none })]);
    expect(maxAbsDiff(a.out_sample.data as Float32Array, b.out_sample.data as Float32Array)).toBeLessThan(1e-5);
    expect(b.p2p_attn.dims).toEqual([1, QUERIES, 77]);
  });

  it('an edit gives applyEdit of every layer, and p2p_attn their head-mean sum', async () => {
    const out = await instrumented.run({ ...baseFeeds(), ...p2pFeeds(edit) });
    const expectedMaps = new Float32Array(P * QUERIES * 77);
    for (const layer of LAYERS) {
      const probs = out[`${layer.path}/probs`].data as Float32Array;
      const keys = layer.cross ? 77 : QUERIES;
      const want = applyEdit(probs, [BATCH * GRAPH.heads, QUERIES, keys], P, layer.cross, edit, QUERIES);
      const got = out[`${layer.path}/edited`].data as Float32Array;
      expect(maxAbsDiff(got, want)).toBeLessThan(1e-6);
      if (!layer.cross) continue;
      // Conditional group = second half; head-mean per prompt.
      for (let p = 0; p < P; p++) {
        for (let h = 0; h < GRAPH.heads; h++) {
          const from = ((P + p) * GRAPH.heads + h) * QUERIES * 77;
          for (let i = 0; i < QUERIES * 77; i++) expectedMaps[p * QUERIES * 77 + i] += want[from + i] / GRAPH.heads;
        }
      }
    }
    expect(out.p2p_attn.dims).toEqual([P, QUERIES, 77]);
    expect(maxAbsDiff(out.p2p_attn.data as Float32Array, expectedMaps)).toBeLessThan(1e-5);
    const plain = await stock.run(baseFeeds());
    expect(maxAbsDiff(out.out_sample.data as Float32Array, plain.out_sample.data as Float32Array)).toBeGreaterThan(1e-3);
  });
});

describe('fused layers the edit leaves alone stay fused', () => {
  it('self-attention above the query threshold keeps its MultiHeadAttention node', () => {
    const result = instrumentUnet(buildAttentionGraph('fused'), { latentSize: [4, 4], mapResolution: 4, selfMaxQuery: 8 });
    const fused = decodeModel(result.model).graph!.node!.filter((n) => n.opType === 'MultiHeadAttention');
    expect(fused.map((n) => n.name)).toEqual(LAYERS.filter((l) => !l.cross).map((l) => expect.stringContaining(l.path)));
    expect(result.report.layers.filter((l) => !l.edited).map((l) => l.kind)).toEqual(['self', 'self']);
  });
});
