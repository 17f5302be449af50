import { describe, expect, it } from 'vitest';
import { DEFAULT_RECIPE, MAX_EDITS, modelFamily, resolveKind, reweightBase, type Recipe } from './recipe';
import { decodeRecipe, encodeRecipe } from './urlCodec';

const full: Recipe = {
  ...DEFAULT_RECIPE,
  model: 'toy-shapes',
  prompt: 'a red circle at the top',
  edits: ['a red square at the top', 'a big red circle at the top'],
  negativePrompt: 'blue, green & "blurry" 100%',
  kind: 'refine',
  cross: [0.1, 0.9],
  crossWords: { square: 0.4, big: [0.2, 0.6] },
  self: 0.3,
  weights: { red: 4 },
  blendWords: [['circle'], ['square'], ['circle']],
  blendThreshold: 0.35,
  seed: 123456,
  steps: 25,
  guidance: 6,
  scheduler: 'ddim',
  baseline: false,
};

describe('recipe URL codec', () => {
  it('round-trips every field through readable query parameters', () => {
    const query = encodeRecipe(full);
    expect(query).toContain('p=a+red+circle+at+the+top');
    expect(query).toContain('cross=0.1-0.9');
    expect(decodeRecipe(query)).toEqual({ recipe: full, ignored: [] });
  });

  it('writes n= only for a negative prompt, and reads a link without it as none', () => {
    const query = encodeRecipe(full);
    expect(new URLSearchParams(query).get('n')).toBe(full.negativePrompt);
    const none = encodeRecipe({ ...full, negativePrompt: '' });
    expect(new URLSearchParams(none).has('n')).toBe(false);
    expect(decodeRecipe(none).recipe.negativePrompt).toBe('');
    const { recipe, ignored } = decodeRecipe(`p=a+cat&e=a+dog&n=${'x'.repeat(600)}&n=twice`);
    expect(recipe.negativePrompt).toBe('x'.repeat(500));
    expect(ignored).toEqual(['n given 2 times (the first one is used)', 'the negative prompt cut to 500 characters']);
  });

  it('an empty query gives the defaults and no notice', () => {
    expect(decodeRecipe('')).toEqual({ recipe: DEFAULT_RECIPE, ignored: [] });
  });

  it('hostile and malformed values load safe defaults with a notice for each', () => {
    const { recipe, ignored } = decodeRecipe(
      'p=%3Cscript%3Ealert(1)%3C%2Fscript%3E&e=x&k=evil&steps=1000000000&g=NaN&seed=-5&cross=2&self=0.6-0.2&sched=evil&w=red:99&cw=:0.4&model=..%2F..%2Fetc&zzz=1&bt=abc',
    );
    // Prompt text is kept as text (React renders it escaped), never interpreted.
    expect(recipe.prompt).toBe('<script>alert(1)</script>');
    expect(recipe.steps).toBe(DEFAULT_RECIPE.steps);
    expect(recipe.guidance).toBe(DEFAULT_RECIPE.guidance);
    expect(recipe.seed).toBe(DEFAULT_RECIPE.seed);
    expect(recipe.cross).toBe(DEFAULT_RECIPE.cross);
    expect(recipe.self).toBe(DEFAULT_RECIPE.self);
    expect(recipe.scheduler).toBe(DEFAULT_RECIPE.scheduler);
    expect(recipe.weights).toEqual({});
    expect(recipe.model).toBe(DEFAULT_RECIPE.model);
    expect(ignored).toHaveLength(12);
    expect(ignored.join('\n')).toMatch(/steps="1000000000" \(expected an integer in 1…150\)/);
    expect(ignored.join('\n')).toMatch(/unknown parameter "zzz"/);
  });

  it('drops reserved names as cw=/w= words with a notice, and never touches a prototype', () => {
    const { recipe, ignored } = decodeRecipe('p=a+red+circle&e=a+red+square&w=__proto__:2&cw=__proto__:0.2-0.5&w=constructor:3&cw=toString:0.1&w=red:2');
    expect(recipe.weights).toEqual({ red: 2 });
    expect(recipe.crossWords).toEqual({});
    expect(Object.getPrototypeOf(recipe.weights)).toBe(Object.prototype);
    expect(Object.getPrototypeOf(recipe.crossWords)).toBe(Object.prototype);
    expect(ignored).toEqual([
      'cw="__proto__:0.2-0.5" ("__proto__" is a reserved name, not a word)',
      'cw="toString:0.1" ("toString" is a reserved name, not a word)',
      'w="__proto__:2" ("__proto__" is a reserved name, not a word)',
      'w="constructor:3" ("constructor" is a reserved name, not a word)',
    ]);
  });

  it('says when a value is repeated, overridden or not understood instead of dropping it silently', () => {
    const lists = Array.from({ length: MAX_EDITS + 3 }, () => 'b=circle').join('&');
    const { recipe, ignored } = decodeRecipe(`p=a+red+circle&p=other&seed=1&seed=2&e=a+red+square&w=red:2&w=red:3&cw=red:0.1&cw=red:0.2&base=yes&${lists}`);
    expect(recipe.prompt).toBe('a red circle');
    expect(recipe.seed).toBe(1);
    expect(recipe.weights).toEqual({ red: 3 });
    expect(recipe.crossWords).toEqual({ red: 0.2 });
    expect(recipe.baseline).toBe(DEFAULT_RECIPE.baseline);
    expect(recipe.blendWords).toHaveLength(MAX_EDITS + 1);
    expect(ignored).toEqual([
      'p given 2 times (the first one is used)',
      'seed given 2 times (the first one is used)',
      'cw for "red" given twice (the last one is used)',
      'w for "red" given twice (the last one is used)',
      `2 LocalBlend word lists beyond ${MAX_EDITS + 1} prompts`,
      'base="yes" (1 or 0)',
    ]);
  });

  it('caps the number of edits and the prompt length', () => {
    const many = Array.from({ length: 9 }, (_, i) => `e=edit+${i}`).join('&');
    const { recipe, ignored } = decodeRecipe(`p=${'a'.repeat(600)}&${many}`);
    expect(recipe.edits).toHaveLength(6);
    expect(recipe.prompt).toHaveLength(500);
    expect(ignored).toEqual(['the source prompt cut to 500 characters', '3 edited prompts beyond 6']);
  });

  it('chooses swap for equal word counts and refine otherwise, unless overridden', () => {
    expect(resolveKind({ prompt: 'a red circle', edits: ['a red square'], kind: 'auto' })).toBe('replace');
    expect(resolveKind({ prompt: 'a red circle', edits: ['a red square', 'a big red circle'], kind: 'auto' })).toBe('refine');
    expect(resolveKind({ prompt: 'a red circle', edits: ['a red circle'], kind: 'reweight' })).toBe('reweight');
    expect(reweightBase({ prompt: 'a red circle', edits: ['a red circle'] })).toBeUndefined();
    expect(reweightBase({ prompt: 'a red circle', edits: ['a big red circle'] })).toBe('refine');
  });

  it('takes Hub repo ids and http(s) folder URLs as models, and hub= as a page setting', () => {
    expect(decodeRecipe('model=local%2Ftoy-shapes&p=x&hub=http%3A%2F%2F127.0.0.1%3A8787')).toMatchObject({ recipe: { model: 'local/toy-shapes' }, ignored: [] });
    expect(decodeRecipe('model=https%3A%2F%2Fexample.org%2Fsd%2F&p=x').recipe.model).toBe('https://example.org/sd/');
    for (const bad of ['javascript%3Aalert(1)', 'file%3A%2F%2F%2Fetc%2F', 'a%2Fb%2Fc']) {
      const { recipe, ignored } = decodeRecipe(`model=${bad}&p=x`);
      expect(recipe.model).toBe(DEFAULT_RECIPE.model);
      expect(ignored).toHaveLength(1);
    }
  });
});

describe('model families', () => {
  it('switching between the toy model and Stable Diffusion applies that family\'s defaults', async () => {
    const { useStudio } = await import('./store');
    useStudio.getState().setRecipe({ steps: 12 });
    useStudio.getState().setModel('nmkd/stable-diffusion-1.5-onnx-fp16');
    expect(useStudio.getState().recipe).toMatchObject({ model: 'nmkd/stable-diffusion-1.5-onnx-fp16', steps: 50, guidance: 7.5 });
    useStudio.getState().setRecipe({ steps: 30 });
    useStudio.getState().setModel('jdp8/stable-diffusion-1-5-base-onnx');
    expect(useStudio.getState().recipe.steps).toBe(30); // same family: the user's choice stays
    useStudio.getState().setModel('toy-shapes');
    expect(useStudio.getState().recipe.steps).toBe(20);
  });

  it('switching from the emoji model’s starting prompts to the toy model brings the toy model’s, and back; prompts of one’s own stay', async () => {
    const { useStudio } = await import('./store');
    useStudio.setState({ recipe: DEFAULT_RECIPE });
    expect(DEFAULT_RECIPE).toMatchObject({ model: 'toy-emoji', prompt: 'a painting of a squirrel eating a burger', edits: ['a painting of a lion eating a burger'], guidance: 3, cross: 0.8, self: 0.4 });
    useStudio.getState().setModel('toy-shapes');
    expect(useStudio.getState().recipe).toMatchObject({ model: 'toy-shapes', prompt: 'a yellow star', edits: ['a yellow heart'], guidance: 7.5, cross: 0.4, self: 0.2 });
    useStudio.getState().setModel('toy-emoji');
    expect(useStudio.getState().recipe).toMatchObject({ prompt: DEFAULT_RECIPE.prompt, edits: DEFAULT_RECIPE.edits, guidance: 3, cross: 0.8 });
    useStudio.getState().setRecipe({ prompt: 'a cat', edits: ['a dog'] });
    useStudio.getState().setModel('toy-shapes');
    expect(useStudio.getState().recipe).toMatchObject({ model: 'toy-shapes', prompt: 'a cat', edits: ['a dog'] });
  });

  it('takes a model id that names an Object built-in for any other model', () => {
    for (const id of ['toString', 'constructor', '__proto__', 'hasOwnProperty']) expect(modelFamily(id)).toBe('sd');
  });
});
