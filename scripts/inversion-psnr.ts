// Measures editing a picture on the embedded toy model (issue #21): for fixed test pictures — renders of its world
// (tests/fixtures/pictures) and images it generated itself — and for plain DDIM inversion vs negative-prompt
// inversion at several step counts, it prints a markdown table of
//   - the VAE round trip (encode → decode) PSNR,
//   - the reconstruction PSNR (prompt 0 of the edit run vs the picture),
//   - the edit's background PSNR (edit vs picture outside the object, whose place pictures.json gives) and how much
//     the object region changed (mean |Δ| of its pixels, 0–255): a good edit keeps the first high and the second
//     well above zero.
//   npx tsx scripts/inversion-psnr.ts [--steps 10,20,50] [--model DIR]

import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { editPicture, generate, imageToSample, psnr, toRgba, type GenerateRequest } from '../src/diffusion';
import { loadNodeModel } from '../src/runtime/nodeModel';
import { readPng } from '../src/runtime/nodeImages';

interface Picture { file: string; prompt: string; edit: string; object: { centre: [number, number]; radius: number } }

const { values } = parseArgs({ options: { steps: { type: 'string', default: '10,20,50' }, model: { type: 'string', default: 'public/models/toy-shapes' } } });
const STEPS = values.steps!.split(',').map(Number);
const SIZE = 32;

/** Pixels inside the object's disc (1.25 × its radius, in the 32-px world) are the object; the rest background. */
function objectMask(object: Picture['object']): boolean[] {
  const [cx, cy] = object.centre;
  const r = object.radius * 1.25;
  return Array.from({ length: SIZE * SIZE }, (_, i) => (((i % SIZE) + 0.5 - cx) ** 2 + (Math.floor(i / SIZE) + 0.5 - cy) ** 2 <= r * r));
}

function split(a: Uint8ClampedArray, b: Uint8ClampedArray, mask: boolean[]): { background: number; objectChange: number } {
  const keep = (inObject: boolean) => {
    const pick = (img: Uint8ClampedArray) => Uint8ClampedArray.from(mask.flatMap((m, i) => (m === inObject ? [...img.subarray(i * 4, i * 4 + 4)] : [])));
    return [pick(a), pick(b)] as const;
  };
  const [ba, bb] = keep(false);
  const [oa, ob] = keep(true);
  let change = 0;
  for (let i = 0; i < oa.length; i++) if (i % 4 !== 3) change += Math.abs(oa[i] - ob[i]);
  return { background: psnr(ba, bb), objectChange: change / ((oa.length / 4) * 3) };
}

const fmt = (v: number) => (Number.isFinite(v) ? v.toFixed(1) : '∞');

async function main(): Promise<void> {
  const model = await loadNodeModel(values.model!, { instrument: true, threads: 1 });
  try {
    const dir = resolve('tests/fixtures/pictures');
    const rendered = (JSON.parse(readFileSync(resolve(dir, 'pictures.json'), 'utf8')) as { pictures: Picture[] }).pictures.map((p) => {
      const png = readPng(resolve(dir, p.file));
      return { name: p.file, ...p, pixels: imageToSample(png.data, png.width, png.height, SIZE) };
    });
    // Pictures the model made itself (PNDM, seed 8888): the object's place is taken from the render prior it learnt,
    // so only the reconstruction is reported for them.
    const generated = [];
    for (const [prompt, edit] of [['a yellow star', 'a yellow heart'], ['a green triangle', 'a green circle']]) {
      const res = await generate(model, { prompts: [prompt], seed: 8888, steps: 20, guidance: 7.5 });
      const rgba = res.images[0];
      generated.push({ name: `generated: ${prompt}`, prompt, edit, object: undefined, pixels: imageToSample(rgba, SIZE, SIZE, SIZE) });
    }
    console.log('| picture | inversion | steps | VAE round trip PSNR (dB) | reconstruction PSNR (dB) | edit: background PSNR (dB) | edit: object change (mean abs diff, 0-255) |');
    console.log('| --- | --- | ---: | ---: | ---: | ---: | ---: |');
    for (const p of [...rendered, ...generated]) {
      const input = toRgba(p.pixels, [1, 3, SIZE, SIZE])[0];
      const z = await model.backend.encode!(p.pixels, [1, 3, SIZE, SIZE]);
      const back = await model.backend.decode(z.data, z.dims);
      const roundTrip = psnr(toRgba(back.data, back.dims)[0], input);
      for (const method of ['ddim', 'negative-prompt'] as const) {
        for (const steps of STEPS) {
          const request: GenerateRequest = { prompts: [p.prompt, p.edit], seed: 0, steps, guidance: 7.5, edit: { kind: 'replace', crossReplaceSteps: 0.8, selfReplaceSteps: 0.4 } };
          const { result } = await editPicture(model, request, { pixels: p.pixels, pixelDims: [1, 3, SIZE, SIZE], method });
          const [source, edited] = result.images;
          const quality = p.object ? split(edited, input, objectMask(p.object)) : undefined;
          console.log(`| ${p.name} (${p.prompt} → ${p.edit}) | ${method} | ${steps} | ${fmt(roundTrip)} | ${fmt(psnr(source, input))} | ${quality ? fmt(quality.background) : '–'} | ${quality ? quality.objectChange.toFixed(1) : '–'} |`);
        }
      }
    }
  } finally {
    await model.dispose();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
