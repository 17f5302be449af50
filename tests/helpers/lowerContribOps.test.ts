/**
 * The contrib-op lowering that lets the CPU run the fully fused ORT corpus graph, checked op by op on
 * onnxruntime-node against direct computations of onnxruntime's definitions (docs/ContribOperators.md), and the
 * unpacking of packed MultiHeadAttention against the unpacked kernel itself.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { DataType, encodeModel, onnx, type AttributeProto } from '../../src/onnx/proto';
import { maxAbsDiff } from './fixtures';
import { contribOpsToLower, lowerContribOps } from './lowerContribOps';
import { testTempDir } from './tempDir';

type Input = { name: string; data: Float32Array; dims: number[] };

const values = (n: number, seed: number) => Float32Array.from({ length: n }, (_, i) => Math.sin(i * 1.37 + seed * 2.11) * 1.5);
const input = (name: string, dims: number[], seed: number): Input => ({ name, dims, data: values(dims.reduce((a, b) => a * b, 1), seed) });
const int = (name: string, i: number): AttributeProto => onnx.AttributeProto.create({ name, type: onnx.AttributeProto.AttributeType.INT, i });
const ints = (name: string, v: number[]): AttributeProto => onnx.AttributeProto.create({ name, type: onnx.AttributeProto.AttributeType.INTS, ints: v });
const float = (name: string, f: number): AttributeProto => onnx.AttributeProto.create({ name, type: onnx.AttributeProto.AttributeType.FLOAT, f });

/** A one-node com.microsoft graph over `inputs` (null: an optional input left out). */
function oneNode(opType: string, inputs: (Input | null)[], outputs: string[], attribute: AttributeProto[]): Uint8Array {
  const info = (name: string) => onnx.ValueInfoProto.create({ name, type: { tensorType: { elemType: DataType.FLOAT } } });
  return encodeModel(
    onnx.ModelProto.create({
      irVersion: 8,
      opsetImport: [{ domain: '', version: 14 }, { domain: 'com.microsoft', version: 1 }],
      graph: {
        name: opType,
        node: [{ name: 'op', opType, domain: 'com.microsoft', input: inputs.map((i) => i?.name ?? ''), output: outputs, attribute }],
        input: inputs.filter((i): i is Input => i !== null).map((i) => info(i.name)),
        output: outputs.map(info),
      },
    }),
  );
}

/** Runs `bytes` on onnxruntime-node's CPU and returns `outputs`. */
async function run(bytes: Uint8Array, inputs: (Input | null)[], outputs: string[]): Promise<Float32Array[]> {
  const file = join(testTempDir('lower-'), 'model.onnx');
  writeFileSync(file, bytes);
  const session = await ort.InferenceSession.create(file);
  const present = inputs.filter((i): i is Input => i !== null);
  const result = await session.run(Object.fromEntries(present.map((i) => [i.name, new ort.Tensor('float32', i.data, i.dims)])));
  await session.release();
  return outputs.map((o) => result[o].data as Float32Array);
}

/** The one-node graph, lowered (it must have exactly that op to lower), run on the CPU. */
async function runLowered(opType: string, inputs: (Input | null)[], outputs: string[], attribute: AttributeProto[]): Promise<Float32Array[]> {
  const bytes = oneNode(opType, inputs, outputs, attribute);
  expect(Object.keys(contribOpsToLower(bytes))).toEqual([opType]);
  return run(lowerContribOps(bytes, false), inputs, outputs);
}

/** onnxruntime's own MultiHeadAttention on separate query, key, value (no lowering involved). */
async function runUnpacked(inputs: Input[], heads: number): Promise<Float32Array> {
  const [y] = await run(oneNode('MultiHeadAttention', inputs, ['y'], [int('num_heads', heads)]), inputs, ['y']);
  return y;
}

/** GroupNorm of NHWC [n, h, w, c] over `groups`, affine, optional SiLU. */
function groupNorm(x: Float32Array, [n, h, w, c]: number[], gamma: Float32Array, beta: Float32Array, groups: number, eps: number, silu: boolean) {
  const y = new Float32Array(x.length);
  const per = c / groups;
  for (let b = 0; b < n; b++)
    for (let g = 0; g < groups; g++) {
      const idx: number[] = [];
      for (let p = 0; p < h * w; p++) for (let k = 0; k < per; k++) idx.push((b * h * w + p) * c + g * per + k);
      const mean = idx.reduce((s, i) => s + x[i], 0) / idx.length;
      const variance = idx.reduce((s, i) => s + (x[i] - mean) ** 2, 0) / idx.length;
      for (const i of idx) {
        const v = ((x[i] - mean) / Math.sqrt(variance + eps)) * gamma[i % c] + beta[i % c];
        y[i] = silu ? v / (1 + Math.exp(-v)) : v;
      }
    }
  return y;
}

const erf = (x: number) => {
  // Abramowitz–Stegun 7.1.26 is 1.5e-7 accurate: enough against float32 kernels at 1e-5.
  const t = 1 / (1 + 0.3275911 * Math.abs(x));
  const y = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-x * x);
  return Math.sign(x) * y;
};

describe('lowerContribOps', () => {
  it('GroupNorm (NHWC, SiLU) equals its definition', async () => {
    const x = input('x', [2, 3, 3, 4], 1);
    const gamma = input('gamma', [4], 2);
    const beta = input('beta', [4], 3);
    const [y] = await runLowered('GroupNorm', [x, gamma, beta], ['y'], [int('groups', 2), float('epsilon', 1e-5), int('activation', 1), int('channels_last', 1)]);
    expect(maxAbsDiff(y, groupNorm(x.data, x.dims, gamma.data, beta.data, 2, 1e-5, true))).toBeLessThan(1e-5);
  });

  it('SkipGroupNorm adds a broadcast skip and a bias, and returns the sum', async () => {
    const x = input('x', [2, 2, 2, 4], 4);
    const gamma = input('gamma', [4], 5);
    const beta = input('beta', [4], 6);
    const skip = input('skip', [2, 1, 1, 4], 7);
    const bias = input('bias', [4], 8);
    const [y, s] = await runLowered('SkipGroupNorm', [x, gamma, beta, skip, bias], ['y', 's'], [int('groups', 2), float('epsilon', 1e-5), int('activation', 0)]);
    const sum = x.data.map((v, i) => v + skip.data[Math.floor(i / 16) * 4 + (i % 4)] + bias.data[i % 4]);
    expect(maxAbsDiff(s, sum)).toBeLessThan(1e-6);
    expect(maxAbsDiff(y, groupNorm(sum, x.dims, gamma.data, beta.data, 2, 1e-5, false))).toBeLessThan(1e-5);
  });

  it('SkipGroupNorm takes a 2-D (N, C) skip as (N, 1, 1, C)', async () => {
    const x = input('x', [2, 3, 3, 4], 18);
    const gamma = input('gamma', [4], 19);
    const beta = input('beta', [4], 20);
    const skip = input('skip', [2, 4], 21);
    const [y] = await runLowered('SkipGroupNorm', [x, gamma, beta, skip], ['y'], [int('groups', 4), int('activation', 1)]);
    const sum = x.data.map((v, i) => v + skip.data[Math.floor(i / 36) * 4 + (i % 4)]);
    expect(maxAbsDiff(y, groupNorm(sum, x.dims, gamma.data, beta.data, 4, 1e-5, true))).toBeLessThan(1e-5);
  });

  it('NhwcConv equals a direct channels-last convolution', async () => {
    const [n, h, w, c, m] = [1, 4, 4, 3, 2];
    const x = input('x', [n, h, w, c], 9);
    const weight = input('w', [m, 3, 3, c], 10);
    const bias = input('b', [m], 11);
    const [y] = await runLowered('NhwcConv', [x, weight, bias], ['y'], [ints('kernel_shape', [3, 3]), ints('pads', [1, 1, 1, 1]), ints('strides', [2, 2])]);
    const expected: number[] = [];
    for (let oy = 0; oy < 2; oy++)
      for (let ox = 0; ox < 2; ox++)
        for (let o = 0; o < m; o++) {
          let acc = bias.data[o];
          for (let ky = 0; ky < 3; ky++)
            for (let kx = 0; kx < 3; kx++) {
              const iy = oy * 2 + ky - 1;
              const ix = ox * 2 + kx - 1;
              if (iy < 0 || ix < 0 || iy >= h || ix >= w) continue;
              for (let k = 0; k < c; k++) acc += x.data[(iy * w + ix) * c + k] * weight.data[((o * 3 + ky) * 3 + kx) * c + k];
            }
          expected.push(acc);
        }
    expect(maxAbsDiff(y, expected)).toBeLessThan(1e-5);
  });

  it('BiasSplitGelu and BiasAdd equal their definitions', async () => {
    const x = input('x', [2, 3, 8], 12);
    const bias = input('bias', [8], 13);
    const [gelu] = await runLowered('BiasSplitGelu', [x, bias], ['y'], []);
    const expected: number[] = [];
    for (let r = 0; r < 6; r++)
      for (let k = 0; k < 4; k++) {
        const left = x.data[r * 8 + k] + bias.data[k];
        const right = x.data[r * 8 + 4 + k] + bias.data[4 + k];
        expected.push(left * 0.5 * right * (1 + erf(right / Math.SQRT2)));
      }
    expect(maxAbsDiff(gelu, expected)).toBeLessThan(1e-5);
    const skip = input('skip', [2, 3, 8], 14);
    const [sum] = await runLowered('BiasAdd', [x, bias, skip], ['y'], []);
    expect(maxAbsDiff(sum, x.data.map((v, i) => v + bias.data[i % 8] + skip.data[i]))).toBeLessThan(1e-6);
  });

  it('packed QKV and packed KV MultiHeadAttention equal the unpacked kernel', async () => {
    const [b, l, heads, size] = [2, 5, 2, 4];
    const qkv = input('qkv', [b, l, heads, 3, size], 15);
    const part = (p: number, parts: number, src: Input) => {
      const out = new Float32Array(b * l * heads * size);
      for (let i = 0; i < b * l * heads; i++) out.set(src.data.subarray((i * parts + p) * size, (i * parts + p + 1) * size), i * size);
      return out;
    };
    const attrs = [int('num_heads', heads)];
    const [packed] = await runLowered('MultiHeadAttention', [qkv], ['y'], attrs);
    const flat = (name: string, p: number, parts: number, src: Input): Input => ({ name, dims: [b, l, heads * size], data: part(p, parts, src) });
    const unpackedModel = [flat('q', 0, 3, qkv), flat('k', 1, 3, qkv), flat('v', 2, 3, qkv)];
    const reference = await runUnpacked(unpackedModel, heads);
    expect(maxAbsDiff(packed, reference)).toBeLessThan(1e-6);

    const query = input('query', [b, l, heads * size], 16);
    const kv = input('kv', [b, 7, heads, 2, size], 17);
    const [cross] = await runLowered('MultiHeadAttention', [query, kv], ['y'], attrs);
    const kvFlat = (name: string, p: number): Input => ({ name, dims: [b, 7, heads * size], data: Float32Array.from({ length: b * 7 * heads * size }, (_, i) => kv.data[(Math.floor(i / size) * 2 + p) * size + (i % size)]) });
    expect(maxAbsDiff(cross, await runUnpacked([query, kvFlat('k', 0), kvFlat('v', 1)], heads))).toBeLessThan(1e-6);
  });
});
