/**
 * The toy model's reweight preset gives a meaningful image (issue 24: pink ×4 gave an almost empty dark
 * one): run through the real pipeline on onnxruntime-node, its edit is the source's heart made smaller
 * (the word "small" strengthened) on the same background, and ×0 switches the word off (a bigger heart).
 * Pixel counts are measured the way the preset's comment (src/state/presets.ts) records them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generate } from '../src/diffusion';
import { loadNodeModel, type NodeModel } from '../src/runtime/nodeModel';
import { PRESETS, applyPreset } from '../src/state/presets';
import { DEFAULT_RECIPE, type Recipe } from '../src/state/recipe';
import { toGenerateRequest } from '../src/state/toRequest';
import { TOY_MODEL_DIR } from './helpers/toyModel';

/** Pixels with a channel over 120 (the shape) and the mean grey of the others (the background). */
function measure(rgba: Uint8ClampedArray): { object: number; background: number } {
  let object = 0;
  let bg = 0;
  let bgCount = 0;
  for (let i = 0; i < rgba.length; i += 4) {
    if (Math.max(rgba[i], rgba[i + 1], rgba[i + 2]) > 120) object++;
    else {
      bg += (rgba[i] + rgba[i + 1] + rgba[i + 2]) / 3;
      bgCount++;
    }
  }
  return { object, background: bg / Math.max(1, bgCount) };
}

let model: NodeModel;
beforeAll(async () => {
  model = await loadNodeModel(TOY_MODEL_DIR, { instrument: true, threads: 1 });
});
afterAll(async () => {
  await model?.dispose();
});

async function run(recipe: Recipe) {
  const { images } = await generate(model, toGenerateRequest({ ...recipe, baseline: false }));
  return { source: measure(images[0]), edit: measure(images[1]) };
}

describe('toy reweight preset', () => {
  const preset = PRESETS.find((p) => p.id === 'toy-reweight')!;
  const recipe = applyPreset(DEFAULT_RECIPE, preset);

  it('strengthens its word: a smaller heart on the same background', async () => {
    const { source, edit } = await run(recipe);
    expect(source.object).toBeGreaterThan(30);
    expect(edit.object).toBeLessThan(0.8 * source.object);
    expect(edit.object).toBeGreaterThan(0.3 * source.object); // not the near-empty image of pink ×4
    expect(Math.abs(edit.background - source.background)).toBeLessThan(10);
  });

  it('with the word off (×0) the heart is no longer small', async () => {
    const { source, edit } = await run({ ...recipe, weights: { small: 0 } });
    expect(edit.object).toBeGreaterThan(1.5 * source.object);
  });
});
