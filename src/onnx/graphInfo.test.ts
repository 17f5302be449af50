/**
 * The wire-format graph reader against onnx-proto's full decode, on real graphs: the toy model's three
 * (fp32, embedded weights) and every exporter-corpus graph (fp16, external data, names stripped, dynamo).
 * Inputs, outputs, weight element counts, external-data locations and op counts must agree exactly.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { EXPORTS_DIR } from '../../tests/helpers/exportCorpus';
import { TOY_MODEL_DIR } from '../../tests/helpers/toyModel';
import { readGraphInfo, type GraphValue } from './graphInfo';
import { decodeModel, toNumber, type ValueInfoProto } from './proto';
import { NotOnnxError } from './notOnnx';

const CORPUS = ['baddbmm-ts-op14', 'clip-text-encoder', 'ort-mha-only-fp16', 'sdpa-dynamo-op18', 'sdpa-ts-op14', 'sdpa-ts-op14-fp16-onnx_data', 'sdpa-ts-op17'];
const graphs: [string, Uint8Array][] = [
  ...['text_encoder', 'unet', 'vae_decoder'].map((c): [string, Uint8Array] => [`toy ${c}`, new Uint8Array(readFileSync(join(TOY_MODEL_DIR, c, 'model.onnx')))]),
  ...CORPUS.map((n): [string, Uint8Array] => [`corpus ${n}`, new Uint8Array(gunzipSync(readFileSync(join(EXPORTS_DIR, n, 'model.onnx.gz'))))]),
];

function viaProto(v: ValueInfoProto): GraphValue {
  const t = v.type?.tensorType;
  const dims = t?.shape?.dim?.map((d) => (d.dimParam ? d.dimParam : d.dimValue !== null && d.dimValue !== undefined ? toNumber(d.dimValue) : null));
  return { name: v.name ?? '', elemType: t?.elemType ?? 0, ...(dims ? { dims } : {}) };
}

describe.each(graphs)('readGraphInfo: %s', (_, bytes) => {
  it('agrees with onnx-proto on inputs, outputs, weights, external data and ops', () => {
    const info = readGraphInfo(bytes);
    const graph = decodeModel(bytes).graph!;
    const weights = new Set(graph.initializer!.map((i) => i.name));
    expect(info.inputs).toEqual(graph.input!.filter((i) => !weights.has(i.name)).map(viaProto));
    expect(info.outputs).toEqual(graph.output!.map(viaProto));
    const elements: Record<number, number> = {};
    const locations: string[] = [];
    for (const init of graph.initializer!) {
      elements[init.dataType!] = (elements[init.dataType!] ?? 0) + init.dims!.reduce<number>((a, d) => a * toNumber(d), 1);
      const location = init.externalData?.find((e) => e.key === 'location')?.value;
      if (location && !locations.includes(location)) locations.push(location);
    }
    expect(info.weightElements).toEqual(elements);
    expect(info.externalData).toEqual(locations);
    const ops: Record<string, number> = {};
    for (const node of graph.node!) ops[node.opType!] = (ops[node.opType!] ?? 0) + 1;
    expect(info.ops).toEqual(ops);
  });
});

describe('readGraphInfo on bytes that are no ONNX model', () => {
  it('throws NotOnnxError in the words the loaders recognise as an unreadable graph', () => {
    const toy = graphs[1][1];
    const inverted = toy.map((b) => 255 - b);
    expect(() => readGraphInfo(inverted)).toThrow(NotOnnxError);
    expect(() => readGraphInfo(inverted)).toThrow(/not an ONNX model: (invalid wire type|index out of range|invalid varint)/);
    expect(() => readGraphInfo(toy.subarray(0, toy.byteLength >> 1))).toThrow(/index out of range/);
    expect(() => readGraphInfo(new TextEncoder().encode('{"not": "onnx"}'))).toThrow(NotOnnxError);
  });
});
