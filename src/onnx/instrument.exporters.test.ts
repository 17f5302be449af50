/**
 * The exporter-pattern corpus: UNet graphs written by the real exporters (torch 2.11 TorchScript with SDPA at
 * opsets 14 and 17, the classic baddbmm processor, the dynamo exporter at opset 18, fp16 with model.onnx_data,
 * onnxruntime's transformers optimizer; see tests/fixtures/exports/real-exporters/README.md), run on
 * onnxruntime-node with seeded weights. Every one must instrument; identity parameters reproduce the stock graph;
 * a swap edit changes only the edited prompt's conditional output; with node names stripped the layers are
 * placed by graph order exactly where their names put them. The fully fused ORT graph holds contrib ops that only
 * CUDA runs: the instrumenter gets the real graph, and both sessions (stock and instrumented) get the same
 * standard-op lowering of those ops (tests/helpers/lowerContribOps.ts).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { beforeAll, describe, expect, it } from 'vitest';
import { corpusUnets, materializeExport } from '../../tests/helpers/exportCorpus';
import { writeFloat32Variant } from '../../tests/helpers/float32Variant';
import { contribOpsToLower, lowerContribOps } from '../../tests/helpers/lowerContribOps';
import { maxAbsDiff } from '../../tests/helpers/fixtures';
import { fromHalf, toHalf } from '../runtime/float16';
import { decodeModel, encodeModel, instrumentUnet, type InstrumentResult } from './index';

const LATENT = 8;
const BATCH = 4; // [uncond P0, uncond P1, cond P0, cond P1]
const PER_IMAGE = 4 * LATENT * LATENT;

function noise(n: number, seed: number): Float32Array {
  return Float32Array.from({ length: n }, (_, i) => Math.sin(i * 12.9898 + seed * 78.233) * 0.9);
}

const sample = noise(BATCH * PER_IMAGE, 1);
const context = noise(BATCH * 77 * 768, 2);

/** A session on `bytes` written into `dir` (next to its external weights), contrib ops lowered where the CPU lacks them. */
async function session(dir: string, fileName: string, bytes: Uint8Array, fp16: boolean): Promise<ort.InferenceSession> {
  const runnable = Object.keys(contribOpsToLower(bytes)).length > 0 ? lowerContribOps(bytes, fp16) : bytes;
  const file = join(dir, fileName);
  writeFileSync(file, runnable);
  return ort.InferenceSession.create(file);
}

async function runStock(dir: string, file: string, fp16: boolean): Promise<Float32Array> {
  const s = await session(dir, 'model.run.onnx', readFileSync(file), fp16);
  const t = (d: Float32Array, dims: number[]) => (fp16 ? new ort.Tensor('float16', toHalf(d), dims) : new ort.Tensor('float32', d, dims));
  const r = await s.run({ sample: t(sample, [BATCH, 4, LATENT, LATENT]), timestep: t(Float32Array.of(501), [1]), encoder_hidden_states: t(context, [BATCH, 77, 768]) });
  await s.release();
  const out = r.out_sample;
  return out.type === 'float16' ? fromHalf(out.data as Uint16Array) : (out.data as Float32Array);
}

async function runInstrumented(dir: string, result: InstrumentResult, edit: boolean, fp16: boolean): Promise<Float32Array> {
  if (result.externalData) writeFileSync(join(dir, result.externalData.path), result.externalData.data);
  const s = await session(dir, 'model.p2p.onnx', result.model, fp16);
  const map = new Float32Array(77 * 77);
  for (let i = 0; i < 77; i++) map[i * 77 + (edit ? (i * 7) % 77 : i)] = 1;
  const r = await s.run({
    sample: new ort.Tensor('float32', sample, [BATCH, 4, LATENT, LATENT]),
    timestep: new ort.Tensor('float32', Float32Array.of(501), [1]),
    encoder_hidden_states: new ort.Tensor('float32', context, [BATCH, 77, 768]),
    p2p_map: new ort.Tensor('float32', map, [1, 77, 77]),
    p2p_gain: new ort.Tensor('float32', new Float32Array(77).fill(edit ? 1 : 0), [1, 77]),
    p2p_keep: new ort.Tensor('float32', new Float32Array(77).fill(edit ? 0 : 1), [1, 77]),
    p2p_self: new ort.Tensor('float32', Float32Array.of(edit ? 1 : 0), [1]),
  });
  await s.release();
  return r.out_sample.data as Float32Array;
}

const image = (out: Float32Array, i: number) => out.subarray(i * PER_IMAGE, (i + 1) * PER_IMAGE);
const scaleOf = (v: Float32Array) => v.reduce((m, x) => Math.max(m, Math.abs(x)), 0);
/** Largest difference from the reference, relative to the reference's scale. */
const relErr = (v: Float32Array, ref: Float32Array) => maxAbsDiff(v, ref) / scaleOf(ref);

describe.each(corpusUnets())('exporter corpus: $name', ({ name, fp16 }) => {
  let dir = '';
  let file = '';
  let result: InstrumentResult;
  let stock: Float32Array;
  /** float16 graphs: the float32 twin (same graph, same weight values), instrumented and stock. */
  let twin: { result: InstrumentResult; stock: Float32Array } | undefined;
  const options = { latentSize: [LATENT, LATENT] as [number, number], selfMaxQuery: LATENT * LATENT, mapResolution: 2 };

  beforeAll(async () => {
    ({ dir, file } = materializeExport(name));
    result = instrumentUnet(readFileSync(file), options);
    stock = await runStock(dir, file, fp16);
    if (fp16) {
      const twinFile = writeFloat32Variant(dir, file);
      twin = { result: instrumentUnet(readFileSync(twinFile), options), stock: await runStock(dir, twinFile, false) };
    }
  }, 120_000);

  it('instruments every attention layer (16 cross, 16 self for SD 1.x structure)', () => {
    expect(result.report.counts).toMatchObject({ cross: 16, self: 16, down: 12, mid: 2, up: 18, edited: 32 });
    expect(result.report.floatType).toBe(fp16 ? 'float16' : 'float32');
  });

  it('with identity parameters reproduces the stock graph', async () => {
    const identity = await runInstrumented(dir, result, false, fp16);
    if (!twin) {
      expect(relErr(identity, stock)).toBeLessThan(1e-5);
      return;
    }
    // float16: the instrumented twin computes the stock function exactly, and the float16 graph is as accurate as
    // the stock float16 graph (both against the float32 twin). Float16 rounding depends on the CPU's kernels: on an
    // AVX2-only EPYC (2026-12-07) the fully fused graph's stock float16 run, its contrib ops lowered by the test's
    // helper, is 3.9 % off its twin and the instrumented one 1.1 %, so a fixed bound against the stock run failed
    // there (3.8 % > 2 %) though it held on an AVX-512 machine.
    const twinIdentity = await runInstrumented(dir, twin.result, false, false);
    expect(relErr(twinIdentity, twin.stock)).toBeLessThan(1e-5);
    const own = relErr(stock, twin.stock);
    expect(relErr(identity, twin.stock)).toBeLessThan(Math.max(2e-2, 2 * own));
  });

  it('a swap edit changes only the edited prompt of the conditional group', async () => {
    // Against the same graph's identity run: the other three images must not move (≤ 1e-6 of their scale; they come
    // out bit-identical here). fp16 rounding of the explicit attention against the stock kernel is the identity test's.
    const edited = await runInstrumented(dir, result, true, fp16);
    const identity = await runInstrumented(dir, result, false, fp16);
    for (const i of [0, 1, 2]) expect(maxAbsDiff(image(edited, i), image(identity, i)) / scaleOf(image(identity, i))).toBeLessThan(1e-6);
    expect(maxAbsDiff(image(edited, 3), image(identity, 3)) / scaleOf(image(identity, 3))).toBeGreaterThan(1e-2);
  });

  it('with node names stripped, places every layer by graph order where the names put it', () => {
    const model = decodeModel(readFileSync(file));
    for (const node of model.graph!.node!) node.name = '';
    const stripped = instrumentUnet(encodeModel(model), options).report;
    const where = (r: InstrumentResult['report']) => r.layers.map((l) => `${l.kind} ${l.place} level ${l.level}`);
    expect(where(stripped)).toEqual(where(result.report));
  });
});
