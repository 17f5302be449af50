import { describe, expect, it } from 'vitest';
import { DEFAULT_RECIPE } from '../state/recipe';
import { encodeRecipe } from '../state/urlCodec';
import { lessonsFor, SWEEP } from './lessons';

const sd = { ...DEFAULT_RECIPE, model: 'sd-1.5', seed: 42 };
const emoji = { ...DEFAULT_RECIPE, model: 'toy-emoji', seed: 3 };
const toy = { ...DEFAULT_RECIPE, model: 'toy-shapes', prompt: 'a yellow star', edits: ['a yellow heart'], cross: 0.4, self: 0.2, guidance: 7.5 };

describe('classroom lessons', () => {
  it('follow the notebook’s sections in order, for both families', () => {
    for (const current of [DEFAULT_RECIPE, toy, sd, emoji]) expect(lessonsFor(current).map((l) => l.id)).toEqual(['3.1', '3.3', '3.4', '3.6', '3.8', '3.10']);
  });

  it('run on the current model, with the example’s seed where it has one (the notebook’s 8888), else the current', () => {
    for (const lesson of lessonsFor(sd).slice(0, -1)) for (const r of lesson.runs) expect([r.model, r.seed]).toEqual(['sd-1.5', 8888]);
    for (const lesson of lessonsFor({ ...toy, seed: 7 })) for (const r of lesson.runs) expect([r.model, r.seed]).toEqual(['toy-shapes', 7]);
    for (const lesson of lessonsFor(emoji).slice(0, -1)) for (const r of lesson.runs) expect([r.model, r.seed]).toEqual(['toy-emoji', 8888]);
  });

  it('use the notebook’s own examples on the emoji model: squirrel → lion / cat, dog → cat on a bicycle, pizza → lasagne', () => {
    const [maps, , swap, sweep, local] = lessonsFor(emoji);
    expect(maps!.runs[0]!.prompt).toBe('a painting of a squirrel eating a burger');
    expect(swap!.runs[0]!.edits).toEqual(['a painting of a lion eating a burger', 'a painting of a cat eating a burger']);
    expect(sweep!.runs.map((r) => [r.prompt, r.edits[0], r.cross])).toEqual(SWEEP.map((f) => ['a dog riding a bicycle', 'a cat riding a bicycle', f]));
    expect(local!.runs[1]!.blendWords).toEqual([['pizza'], ['lasagne']]);
  });

  it('point every figure cell at a run, phase and prompt that exist', () => {
    for (const current of [DEFAULT_RECIPE, toy, sd, emoji, { ...toy, edits: ['a yellow heart', 'a yellow circle'], baseline: true }]) {
      for (const lesson of lessonsFor(current)) {
        const cells = lesson.rows.flatMap((r) => r.cells);
        expect(cells.length).toBeGreaterThan(0);
        for (const c of [...cells, ...(lesson.maps ? [{ ...lesson.maps, phase: 'main' as const }] : [])]) {
          const run = lesson.runs[c.run]!;
          expect(run, `${lesson.id} run ${c.run}`).toBeDefined();
          expect(c.prompt).toBeLessThanOrEqual(run.edits.length);
          if (c.phase === 'baseline') expect(run.baseline).toBe(true);
        }
      }
    }
  });

  it('compare with and without the controller in 3.3, and sweep cross 0.9 / 0.5 / 0.1 in 3.6', () => {
    const [, baseline, swap, sweep, local] = lessonsFor(toy);
    expect(baseline!.runs[0]!.baseline).toBe(true);
    expect(baseline!.rows.map((r) => r.cells[0]!.phase)).toEqual(['main', 'baseline']);
    expect(swap!.runs[0]).toMatchObject({ prompt: 'a yellow star', edits: ['a yellow heart'], cross: 0.4, self: 0.2 });
    expect(sweep!.runs.map((r) => r.cross)).toEqual([...SWEEP]);
    expect(new Set(sweep!.runs.map((r) => `${r.prompt}|${r.edits[0]}|${r.self}|${r.seed}`)).size).toBe(1); // only cross changes
    // 3.8: the same recipe with and without LocalBlend.
    expect(local!.runs[0]!.blendWords).toEqual([]);
    expect(local!.runs[1]!.blendWords.length).toBeGreaterThan(0);
    expect(encodeRecipe({ ...local!.runs[1]!, blendWords: [] })).toBe(encodeRecipe(local!.runs[0]!));
  });

  it('take 3.10 from the studio as it stands', () => {
    const own = { ...DEFAULT_RECIPE, prompt: 'a red circle', edits: ['a red square', 'a red heart'], crossWords: { heart: 0.2 }, baseline: false };
    const lesson = lessonsFor(own).at(-1)!;
    expect(lesson.runs).toEqual([own]);
    expect(lesson.rows).toHaveLength(1);
    expect(lesson.rows[0]!.cells.map((c) => c.label)).toEqual(['source: a red circle', 'edit: a red square', 'edit: a red heart']);
  });
});
