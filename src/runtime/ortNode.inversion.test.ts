// Editing a picture on the embedded toy model (real onnxruntime-node sessions, its vae_encoder): the pictures of
// tests/fixtures/pictures (renders of the model's world, written by tools/toy-model/render_pictures.py) come back
// through encode → decode, DDIM inversion retraces to the encoded latent, negative-prompt inversion reconstructs
// the picture better than plain DDIM inversion at guidance 7.5, and a swap edits it while prompt 0 stays the
// reconstruction. Thresholds sit under the figures docs/inversion.md reports (scripts/inversion-psnr.ts).

import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { editPicture, generate, imageToSample, invertImage, psnr, toRgba, type GenerateRequest } from '../diffusion';
import { REPO_ROOT } from '../../tests/helpers/fixtures';
import { TOY_MODEL_DIR } from '../../tests/helpers/toyModel';
import { loadNodeModel, type NodeModel } from './nodeModel';
import { readPng } from './nodeImages';

const PICTURES = resolve(REPO_ROOT, 'tests/fixtures/pictures');
interface Picture { file: string; prompt: string; edit: string }
const pictures = (JSON.parse(readFileSync(resolve(PICTURES, 'pictures.json'), 'utf8')) as { pictures: Picture[] }).pictures;
const STEPS = 20;

/** The picture at the model's 32 px as pixels `[1, 3, 32, 32]` and as the RGBA it is compared with. */
function load(file: string): { pixels: Float32Array; rgba: Uint8ClampedArray } {
  const png = readPng(resolve(PICTURES, file));
  const pixels = imageToSample(png.data, png.width, png.height, 32);
  return { pixels, rgba: toRgba(pixels, [1, 3, 32, 32])[0] };
}

describe('editing a picture on the toy model (onnxruntime-node)', () => {
  let model: NodeModel;

  beforeAll(async () => {
    model = await loadNodeModel(TOY_MODEL_DIR, { threads: 1, instrument: true });
  }, 120_000);

  afterAll(async () => {
    await model?.dispose();
  });

  it('has a VAE encoder whose round trip returns the pictures', async () => {
    expect(model.backend.encode).toBeDefined();
    for (const p of pictures) {
      const { pixels, rgba } = load(p.file);
      const z = await model.backend.encode!(pixels, [1, 3, 32, 32]);
      expect(z.dims).toEqual([1, 4, 16, 16]);
      const back = await model.backend.decode(z.data, z.dims);
      expect(psnr(toRgba(back.data, back.dims)[0], rgba), p.file).toBeGreaterThan(24);
    }
  });

  it('inverts to a latent that DDIM sampling with the source prompt brings back', async () => {
    const { pixels } = load(pictures[0].file);
    const inverted = await invertImage(model, { prompt: pictures[0].prompt, pixels, pixelDims: [1, 3, 32, 32], steps: STEPS });
    expect(inverted.timesteps).toHaveLength(STEPS);
    const back = await generate(model, { prompts: [pictures[0].prompt], seed: 0, steps: STEPS, guidance: 1, scheduler: 'ddim', initialLatent: inverted.latent });
    let err = 0;
    let size = 0;
    for (let i = 0; i < back.latents.length; i++) {
      err += (back.latents[i] - inverted.encoded[i]) ** 2;
      size += inverted.encoded[i] ** 2;
    }
    expect(Math.sqrt(err / size)).toBeLessThan(0.2); // relative error of the retraced latent
  });

  it('reconstructs better with negative-prompt inversion than with plain DDIM inversion, and edits the picture', async () => {
    for (const p of pictures) {
      const { pixels, rgba } = load(p.file);
      const request: GenerateRequest = { prompts: [p.prompt, p.edit], seed: 0, steps: STEPS, guidance: 7.5, edit: { kind: 'replace', crossReplaceSteps: 0.8, selfReplaceSteps: 0.4 } };
      const npi = await editPicture(model, request, { pixels, pixelDims: [1, 3, 32, 32], method: 'negative-prompt' });
      const ddim = await editPicture(model, request, { pixels, pixelDims: [1, 3, 32, 32], method: 'ddim' });
      const [npiSource, npiEdit] = npi.result.images;
      expect(psnr(npiSource, rgba), p.file).toBeGreaterThan(psnr(ddim.result.images[0], rgba));
      expect(psnr(npiSource, rgba), p.file).toBeGreaterThan(20);
      expect(npi.request).toMatchObject({ scheduler: 'ddim', steps: STEPS, negativePrompt: p.prompt });
      // The edit changes the picture; the source branch is the reconstruction whether or not there is an edit.
      expect(psnr(npiEdit, npiSource), p.file).toBeLessThan(30);
      const alone = await editPicture(model, { ...request, prompts: [p.prompt], edit: undefined }, { pixels, pixelDims: [1, 3, 32, 32], method: 'negative-prompt' });
      expect(alone.result.images[0]).toEqual(npiSource);
    }
  }, 120_000);

  it('refuses a model without an encoder, and a negative prompt with negative-prompt inversion', async () => {
    const { pixels } = load(pictures[0].file);
    const { encode: _encode, ...withoutEncoder } = model.backend;
    await expect(invertImage({ ...model, backend: withoutEncoder }, { prompt: 'a yellow star', pixels, pixelDims: [1, 3, 32, 32], steps: 2 })).rejects.toThrow(/no VAE encoder/);
    await expect(
      editPicture(model, { prompts: ['a yellow star'], negativePrompt: 'blurry', seed: 0, steps: 2, guidance: 7.5 }, { pixels, pixelDims: [1, 3, 32, 32], method: 'negative-prompt' }),
    ).rejects.toThrow(/negative-prompt inversion uses the source prompt/);
  });
});
