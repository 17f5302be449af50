/**
 * The instrumentation on the embedded toy UNet (onnxruntime-node): the report matches the PyTorch
 * module's attention layers; identity parameters reproduce the stock UNet; both storage forms give
 * equal results without copying weights; an edit reproduces the PyTorch reference controller.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import * as ort from 'onnxruntime-node';
import { beforeAll, describe, expect, it } from 'vitest';
import { decodeFloat32, maxAbsDiff, type EncodedTensor } from '../../tests/helpers/fixtures';
import { TOY_REFERENCE_DIR, TOY_UNET, layerName, toyP2pConfig } from '../../tests/helpers/toyModel';
import { torchRandn } from '../diffusion';
import { applyEdit } from '../p2p';
import { decodeModel, externalizeWeights, instrumentUnet, type InstrumentResult } from './index';
import { testTempDir } from '../../tests/helpers/tempDir';


async function sessionFor(model: Uint8Array, files: Record<string, Uint8Array> = {}): Promise<ort.InferenceSession> {
  const dir = testTempDir('toy-unet-');
  writeFileSync(join(dir, 'model.onnx'), model);
  for (const [name, data] of Object.entries(files)) writeFileSync(join(dir, name), data);
  return ort.InferenceSession.create(join(dir, 'model.onnx'));
}

function tensor(t: EncodedTensor): ort.Tensor {
  return new ort.Tensor('float32', decodeFloat32(t), t.shape);
}

describe('toy UNet instrumentation', () => {
  const cfg = toyP2pConfig();
  const stockBytes = new Uint8Array(readFileSync(TOY_UNET));
  const options = { mapResolution: cfg.mapResolution, selfMaxQuery: cfg.selfMaxQuery };
  let result: InstrumentResult;
  let stock: ort.InferenceSession;
  let instrumented: ort.InferenceSession;
  let contextDim: number;

  beforeAll(async () => {
    result = instrumentUnet(stockBytes, options);
    stock = await ort.InferenceSession.create(TOY_UNET);
    instrumented = await sessionFor(result.model, { [result.externalData!.path]: result.externalData!.data });
    const ctx = decodeModel(stockBytes).graph!.input!.find((i) => i.name === 'encoder_hidden_states')!;
    contextDim = Number(ctx.type!.tensorType!.shape!.dim![2].dimValue);
  });

  it('reports every attention layer of the PyTorch module, classified', () => {
    const layers = result.report.layers;
    expect(layers.filter((l) => l.feedsMap).map((l) => l.name)).toEqual(cfg.mapLayers.map(layerName));
    // The PyTorch module's own list: execution order, kind, and the query length of a real forward pass.
    expect(cfg.attentionLayers?.length).toBeGreaterThan(0);
    expect(layers.map((l) => [l.name, l.kind, l.queryLength])).toEqual(
      cfg.attentionLayers!.map((l) => [layerName(l.name), l.kind, l.queryLength]),
    );
    expect(result.report.counts.cross).toBe(result.report.counts.self);
    expect(result.report.mapResolution).toBe(cfg.mapResolution);
  });

  it('identity parameters reproduce the stock UNet (2 prompts × CFG, 3 timesteps)', async () => {
    const [P, L] = [2, cfg.latentSize];
    const sample = torchRandn(7, [2 * P, 4, L, L]);
    const context = torchRandn(8, [2 * P, 77, contextDim]);
    for (const t of [981, 500, 21]) {
      const feeds = {
        sample: new ort.Tensor('float32', sample, [2 * P, 4, L, L]),
        timestep: new ort.Tensor('float32', Float32Array.of(t), [1]),
        encoder_hidden_states: new ort.Tensor('float32', context, [2 * P, 77, contextDim]),
      };
      const identity = {
        p2p_map: new ort.Tensor('float32', new Float32Array(77 * 77), [1, 77, 77]),
        p2p_gain: new ort.Tensor('float32', new Float32Array(77), [1, 77]),
        p2p_keep: new ort.Tensor('float32', new Float32Array(77).fill(1), [1, 77]),
        p2p_self: new ort.Tensor('float32', Float32Array.of(0), [1]),
      };
      const [a, b] = await Promise.all([stock.run(feeds), instrumented.run({ ...feeds, ...identity })]);
      expect(maxAbsDiff(a.out_sample.data as Float32Array, b.out_sample.data as Float32Array)).toBeLessThan(1e-5);
    }
  });

  it('embedded and external-data storage give equal results, and embedded weights are not copied', async () => {
    const external = externalizeWeights(decodeModel(stockBytes.slice()), 'weights.pb');
    const fromExternal = instrumentUnet(external.model, options);
    expect(fromExternal.externalData).toBeUndefined();
    // The embedded form's rewritten graph is small and points into the original bytes.
    expect(result.model.byteLength).toBeLessThan(stockBytes.byteLength / 4);
    expect(result.externalData!.data).toBe(stockBytes);
    const original = new Map(decodeModel(stockBytes).graph!.initializer!.map((t) => [t.name, t.rawData]));
    const moved = decodeModel(result.model).graph!.initializer!.filter((t) => t.externalData?.length);
    expect(moved.length).toBeGreaterThan(10);
    for (const t of moved) {
      const entry = (k: string) => t.externalData!.find((e) => e.key === k)!.value!;
      expect(entry('location')).toBe(result.externalData!.path);
      const [offset, length] = [Number(entry('offset')), Number(entry('length'))];
      const same = Buffer.from(stockBytes.subarray(offset, offset + length)).equals(Buffer.from(original.get(t.name)!));
      expect(same, t.name ?? '').toBe(true);
    }
    const other = await sessionFor(fromExternal.model, { 'weights.pb': external.weights });
    const L = cfg.latentSize;
    const feeds = {
      sample: new ort.Tensor('float32', torchRandn(3, [4, 4, L, L]), [4, 4, L, L]),
      timestep: new ort.Tensor('float32', Float32Array.of(400), [1]),
      encoder_hidden_states: new ort.Tensor('float32', torchRandn(4, [4, 77, contextDim]), [4, 77, contextDim]),
      p2p_map: new ort.Tensor('float32', Float32Array.from({ length: 77 * 77 }, (_, i) => (i % 78 === 0 ? 1 : 0)), [1, 77, 77]),
      p2p_gain: new ort.Tensor('float32', new Float32Array(77).fill(0.7), [1, 77]),
      p2p_keep: new ort.Tensor('float32', new Float32Array(77).fill(0.3), [1, 77]),
      p2p_self: new ort.Tensor('float32', Float32Array.of(1), [1]),
    };
    const [a, b] = await Promise.all([instrumented.run(feeds), other.run(feeds)]);
    expect(maxAbsDiff(a.out_sample.data as Float32Array, b.out_sample.data as Float32Array)).toBe(0);
  });

  const callFile = resolve(TOY_REFERENCE_DIR, 'unet-call.json');
  it('an edit reproduces the PyTorch reference controller on one UNet call', async () => {
    interface Call {
      cross_layer: string;
      self_layer: string;
      heads: number;
      prompts: string[];
      selfMaxQuery: number;
      [tensor: string]: EncodedTensor | string | number | string[];
    }
    const call = JSON.parse(readFileSync(callFile, 'utf8')) as Call;
    const t = (k: string) => call[k] as EncodedTensor;
    const layers = [layerName(call.cross_layer), layerName(call.self_layer), ...cfg.mapLayers.map(layerName)];
    const debug = instrumentUnet(stockBytes, { ...options, exposeLayers: [...new Set(layers)] });
    const session = await sessionFor(debug.model, { [debug.externalData!.path]: debug.externalData!.data });
    const out = await session.run({
      sample: tensor(t('sample')),
      timestep: tensor(t('timestep')),
      encoder_hidden_states: tensor(t('encoder_hidden_states')),
      p2p_map: tensor(t('p2p_map')),
      p2p_gain: tensor(t('p2p_gain')),
      p2p_keep: tensor(t('p2p_keep')),
      p2p_self: tensor(t('p2p_self')),
    });
    for (const [kind, layer] of [['cross', layers[0]], ['self', layers[1]]] as const) {
      expect(maxAbsDiff(out[`${layer}/probs`].data as Float32Array, decodeFloat32(t(`${kind}_before`)))).toBeLessThan(1e-4);
      expect(maxAbsDiff(out[`${layer}/edited`].data as Float32Array, decodeFloat32(t(`${kind}_after`)))).toBeLessThan(1e-4);
    }
    expect(maxAbsDiff(out.out_sample.data as Float32Array, decodeFloat32(t('out_sample')))).toBeLessThan(1e-4);

    // p2p_attn = Σ over map layers of the head-mean of applyEdit(probs) in the conditional group.
    const P = call.prompts.length;
    const params = {
      map: decodeFloat32(t('p2p_map')),
      gain: decodeFloat32(t('p2p_gain')),
      keep: decodeFloat32(t('p2p_keep')),
      selfReplace: decodeFloat32(t('p2p_self'))[0] > 0.5,
    };
    const Q = cfg.mapResolution ** 2;
    const expected = new Float32Array(P * Q * 77);
    for (const layer of cfg.mapLayers.map(layerName)) {
      const probs = out[`${layer}/probs`].data as Float32Array;
      const edited = applyEdit(probs, [2 * P * call.heads, Q, 77], P, true, params, call.selfMaxQuery);
      for (let p = 0; p < P; p++) {
        for (let h = 0; h < call.heads; h++) {
          const from = ((P + p) * call.heads + h) * Q * 77;
          for (let i = 0; i < Q * 77; i++) expected[p * Q * 77 + i] += edited[from + i] / call.heads;
        }
      }
    }
    expect(maxAbsDiff(out.p2p_attn.data as Float32Array, expected)).toBeLessThan(1e-5);
  });
});
