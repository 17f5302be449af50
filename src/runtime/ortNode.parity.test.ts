// Parity with PyTorch: the pipeline on onnxruntime-node reproduces the toy model's reference run
// (tests/fixtures/toy-shapes-reference, written by tools/toy-model/export.py) with and without P2P.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generate, toRgba, type GenerateResult } from '../diffusion';
import { decodeFloat32, decodeTensor, maxAbsDiff, type EncodedTensor } from '../../tests/helpers/fixtures';
import { TOY_MODEL_DIR, TOY_REFERENCE_DIR } from '../../tests/helpers/toyModel';
import { hostResidentLoop } from '../diffusion/hostResidentLoop';
import { loadNodeModel, type NodeModel } from './nodeModel';

// TOY_MODEL_DIR / TOY_REFERENCE_DIR check another export of the same tool (e.g. `train.py --smoke`).
const MODEL_DIR = TOY_MODEL_DIR;
const FIXTURE_DIR = TOY_REFERENCE_DIR;
const SEEDS = [0, 1];

interface ReferenceRun {
  prompts: string[];
  seed: number;
  steps: number;
  guidance: number;
  crossReplaceSteps: number;
  selfReplaceSteps: number;
  timesteps: number[];
  input_ids: EncodedTensor;
  text_embeddings: EncodedTensor;
  initial_latent: EncodedTensor;
  latents_plain: EncodedTensor;
  images_plain: EncodedTensor;
  latents_p2p: EncodedTensor;
  images_p2p: EncodedTensor;
}

const floats = decodeFloat32;

/** Share of channel values (RGB of every pixel) within `tol` of the reference images, both as uint8. */
function pixelAgreement(ours: GenerateResult, reference: EncodedTensor, tol: number): number {
  const ref = decodeTensor(reference);
  const dims = ref.shape as [number, number, number, number];
  const theirs = toRgba(decodeFloat32(reference), dims);
  let ok = 0;
  let total = 0;
  ours.images.forEach((img, p) => {
    for (let i = 0; i < img.length; i++) {
      if (i % 4 === 3) continue;
      total += 1;
      if (Math.abs(img[i] - theirs[p][i]) <= tol) ok += 1;
    }
  });
  return ok / total;
}

describe('toy-shapes parity with the PyTorch reference run', () => {
  let stock: NodeModel;
  let p2p: NodeModel;
  const runs = new Map<number, ReferenceRun>();

  beforeAll(async () => {
    for (const s of SEEDS) runs.set(s, JSON.parse(readFileSync(join(FIXTURE_DIR, `run-seed${s}.json`), 'utf8')) as ReferenceRun);
    const ref = runs.get(SEEDS[0])!;
    stock = await loadNodeModel(MODEL_DIR, { threads: 1 });
    p2p = await loadNodeModel(MODEL_DIR, { threads: 1, instrument: true, instrumentOptions: { selfMaxQuery: (ref as { selfMaxQuery?: number }).selfMaxQuery } });
  }, 120_000);

  afterAll(async () => {
    await stock?.dispose();
    await p2p?.dispose();
  });

  const request = (ref: ReferenceRun) => ({ prompts: ref.prompts, seed: ref.seed, steps: ref.steps, guidance: ref.guidance });

  for (const seed of SEEDS) {
    it(`seed ${seed}, no controller: token ids, text embeddings, initial and final latents, images`, async () => {
      const ref = runs.get(seed)!;
      const P = ref.prompts.length;
      const res = await generate(stock, request(ref));
      const ids = decodeTensor(ref.input_ids).data as BigInt64Array;
      expect(Array.from(res.tokenIds)).toEqual(Array.from(ids.subarray(P * 77), Number));
      expect(Array.from(stock.tokenizer.fit('').ids)).toEqual(Array.from(ids.subarray(0, 77), Number));
      expect(res.timesteps).toEqual(ref.timesteps);
      const emb = floats(ref.text_embeddings);
      expect(maxAbsDiff(res.textEmbeddings, emb.subarray(emb.length / 2))).toBeLessThan(1e-4);
      // torchRandn matches torch to the last bit or two (Math.cos/log vs ATen's vectorised float32 kernels).
      expect(maxAbsDiff(res.initialLatent, floats(ref.initial_latent))).toBeLessThan(1e-6);
      const latentDiff = maxAbsDiff(res.latents, floats(ref.latents_plain));
      console.info(`seed ${seed} plain: latents max |Δ| ${latentDiff.toExponential(2)}, pixels within 2/255 ${pixelAgreement(res, ref.images_plain, 2)}`);
      // 21 float32 UNet calls with guidance 7.5 amplifying ORT-vs-torch rounding (~1e-6 per op);
      // any real mistake (timestep, batch order, scheduler state) moves latents by 1e-2 or more.
      expect(maxAbsDiff(res.latents, floats(ref.latents_plain))).toBeLessThan(1e-3);
      expect(pixelAgreement(res, ref.images_plain, 2)).toBeGreaterThanOrEqual(0.999);
    }, 120_000);

    it(`seed ${seed}, P2P word swap on the instrumented UNet: final latents and images`, async () => {
      const ref = runs.get(seed)!;
      const edit = { kind: 'replace' as const, crossReplaceSteps: ref.crossReplaceSteps, selfReplaceSteps: ref.selfReplaceSteps };
      const res = await generate(p2p, { ...request(ref), edit });
      const latentDiff = maxAbsDiff(res.latents, floats(ref.latents_p2p));
      console.info(`seed ${seed} p2p: latents max |Δ| ${latentDiff.toExponential(2)}, pixels within 2/255 ${pixelAgreement(res, ref.images_p2p, 2)}`);
      expect(maxAbsDiff(res.latents, floats(ref.latents_p2p))).toBeLessThan(1e-3);
      expect(pixelAgreement(res, ref.images_p2p, 2)).toBeGreaterThanOrEqual(0.999);
    }, 120_000);
  }

  // Euler scales the UNet's input (x / √(σ² + 1)) and DDIM with clip_sample clamps x̂₀: both now run as plans too.
  const branches: { name: string; scheduler?: 'euler' | 'ddim'; config: Record<string, unknown>; lowMemory?: boolean }[] = [
    { name: 'PNDM', scheduler: undefined, config: {} },
    { name: 'Euler', scheduler: 'euler' as const, config: {} },
    { name: 'DDIM with clip_sample', scheduler: 'ddim' as const, config: { clip_sample: true, clip_sample_range: 1 } },
    { name: 'low-memory mode (two half calls per step)', scheduler: undefined, config: {}, lowMemory: true },
  ];
  for (const branch of branches) {
    it(`the resident-loop branch (latents kept by the backend, steps sent as linear plans) gives the same run: ${branch.name}`, async () => {
      const ref = runs.get(SEEDS[0])!;
      const req = {
        ...request(ref),
        ...(branch.scheduler ? { scheduler: branch.scheduler } : {}),
        ...(branch.lowMemory ? { lowMemory: true } : {}),
        edit: { kind: 'replace' as const, crossReplaceSteps: ref.crossReplaceSteps, selfReplaceSteps: ref.selfReplaceSteps, localBlend: { words: [['circle'], ['square']], threshold: 0.3 } },
      };
      const model = { ...p2p, schedulerConfig: { ...p2p.schedulerConfig, ...branch.config } };
      const plain = await generate(model, req);
      let loops = 0;
      const backend = {
        ...p2p.backend,
        residentLoop: async (latents: Float32Array, dims: [number, number, number, number]) => {
          loops += 1;
          return hostResidentLoop(p2p.backend, latents, dims);
        },
      };
      const steps: number[] = [];
      const resident = await generate({ ...model, backend }, req, { onStep: async (k, state) => void steps.push((await state.latents()).length) });
      expect(loops).toBe(1);
      expect(resident.latentsOnDevice).toBe(true);
      expect(steps).toHaveLength(plain.timesteps.length);
      expect(maxAbsDiff(resident.latents, plain.latents)).toBeLessThan(1e-5);
      expect(maxAbsDiff(resident.attention!.maps, plain.attention!.maps)).toBeLessThan(1e-5);
    }, 120_000);
  }
});
