/**
 * Share links version 2 (linkCodec.ts): every field round-trips, version 1 links recorded before v2 existed
 * (tests/fixtures/links/v1.json) decode to the recipe recorded with them, malformed payloads give the defaults
 * and a notice, and every preset's link with its page settings stays under 2,000 characters.
 */
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { EMBEDDED_REVISIONS, SD15_FP16_EXTERNAL } from '../models/registry';
import { PRESETS, applyPreset } from './presets';
import { DEFAULT_RECIPE, type Recipe } from './recipe';
import { decodeLink, encodeLink, modelRevision } from './linkCodec';

interface Fixture {
  name: string;
  query: string;
  recipe: Recipe;
  ignored: string[];
}
const V1: Fixture[] = JSON.parse(readFileSync(new URL('../../tests/fixtures/links/v1.json', import.meta.url), 'utf8'));

const full: Recipe = {
  model: 'sd15-fp16-external',
  prompt: 'ein Café am Meer, 夜 & "quotes" + 100%',
  edits: ['ein Café am Meer, 朝 🌅', 'a b,c'],
  negativePrompt: 'unscharf, 低画質, "text" & watermark',
  kind: 'refine',
  cross: [0.1, 0.9],
  crossWords: { Café: 0.4, big: [0.2, 0.6] },
  self: 0.3,
  weights: { red: -2.5, Meer: 4 },
  blendWords: [['Café'], ['Café', 'Meer'], []],
  blendThreshold: 0.35,
  seed: 2 ** 32 - 1,
  steps: 150,
  guidance: 6.25,
  scheduler: 'dpmpp-2m',
  baseline: false,
};

/** A v2 query around any JSON value (or raw text), packed as the encoder packs it. */
const pack = (value: unknown, raw?: string) => `r=2.${deflateRawSync(Buffer.from(raw ?? JSON.stringify(value))).toString('base64url')}`;
/** The JSON list inside a v2 query, unpacked with Node's zlib (not the code under test). */
const payloadOf = (query: string) => JSON.parse(inflateRawSync(Buffer.from(new URLSearchParams(query).get('r')!.slice(2), 'base64url')).toString('utf8')) as unknown[];

describe('share links, version 2', () => {
  it('round-trips every field, with the model revision in the payload', async () => {
    const query = await encodeLink(full);
    expect(query).toMatch(/^r=2\.[A-Za-z0-9_-]+$/);
    expect(await decodeLink(query)).toEqual({ recipe: full, ignored: [], format: 2, fromLink: true });
    expect(await decodeLink(`?${query}&backend=wasm&hub=http%3A%2F%2F127.0.0.1%3A8787`)).toMatchObject({ recipe: full, ignored: [] });
    expect(payloadOf(query).slice(0, 2)).toEqual(['sd15-fp16-external', SD15_FP16_EXTERNAL.source.kind === 'hub' ? SD15_FP16_EXTERNAL.source.revision : '']);
  });

  it('carries the negative prompt last, and only when there is one: links without it are as before', async () => {
    const query = await encodeLink(full);
    expect(payloadOf(query)).toHaveLength(17);
    expect(payloadOf(query)[16]).toBe(full.negativePrompt);
    const none = { ...full, negativePrompt: '' };
    const short = await encodeLink(none);
    expect(payloadOf(short)).toHaveLength(16);
    expect(short.length).toBeLessThan(query.length);
    expect((await decodeLink(short)).recipe).toEqual(none);
    // A version 2 link written before negative prompts (16 values) reads as "none".
    const old = pack(['toy-shapes', EMBEDDED_REVISIONS['toy-shapes'], 'a red circle', ['a red square'], 'auto', 0.4, {}, 0.2, {}, [], 0.3, 8888, 20, 7.5, 'pndm', 1]);
    expect(await decodeLink(old)).toMatchObject({
      recipe: { ...DEFAULT_RECIPE, model: 'toy-shapes', prompt: 'a red circle', edits: ['a red square'], cross: 0.4, self: 0.2, guidance: 7.5, negativePrompt: '' },
      ignored: [],
    });
    // Too long: cut to the prompts' limit, with the same notice as a prompt.
    const long = await decodeLink(pack(['toy-shapes', null, 'a cat', ['a dog'], 'auto', 0.4, {}, 0.2, {}, [], 0.3, 1, 20, 7.5, 'pndm', 1, 'n'.repeat(501)]));
    expect(long.recipe.negativePrompt).toBe('n'.repeat(500));
    expect(long.ignored).toEqual(['the negative prompt cut to 500 characters']);
  });

  it('records the revision each kind of model is loaded at', () => {
    expect(modelRevision('toy-shapes')).toBe(EMBEDDED_REVISIONS['toy-shapes']);
    expect(modelRevision('toy-emoji')).toBe(EMBEDDED_REVISIONS['toy-emoji']);
    for (const id of ['toString', 'constructor', '__proto__']) expect(modelRevision(id)).toBeUndefined();
    expect(modelRevision('sd15-fp16-external')).toBe('38dacf2c14c89e3538b5e32da888eb9c46e0e1bf');
    expect(modelRevision('sd15-fp16-single')).toBe('main');
    expect(modelRevision('local/toy-shapes')).toBe('main');
    expect(modelRevision('https://example.org/sd/')).toBeUndefined();
  });

  it('says so when the link was made at another revision than the app loads', async () => {
    const { recipe, ignored } = await decodeLink(pack(['sd15-fp16-external', 'abc123', 'a cat', ['a dog']]));
    expect(recipe).toMatchObject({ model: 'sd15-fp16-external', prompt: 'a cat', edits: ['a dog'] });
    expect(ignored).toEqual(['the link was made with sd15-fp16-external at revision "abc123"; this app loads revision "38dacf2c14c89e3538b5e32da888eb9c46e0e1bf", so the images may differ']);
  });

  it('reads every version 1 link recorded before version 2 (tests/fixtures/links/v1.json) as it was read then', async () => {
    // Recorded before the emoji model's presets existed: every other preset is among them.
    expect(V1.length).toBeGreaterThanOrEqual(PRESETS.filter((p) => p.family !== 'emoji').length + 5);
    for (const f of V1) {
      const decoded = await decodeLink(f.query);
      // Recorded before negative prompts existed: every one of them reads as "no negative prompt". The empty query
      // is the plain page address, not a link: it opens today's starting recipe (the emoji model since it became
      // the default; the fixture recorded toy-shapes).
      const recipe = f.query === '' ? DEFAULT_RECIPE : { ...f.recipe, negativePrompt: '' };
      expect({ name: f.name, recipe: decoded.recipe, ignored: decoded.ignored, format: decoded.format }).toEqual({ name: f.name, recipe, ignored: f.ignored, format: 1 });
      // A v1 link re-shared in v2 carries the same recipe.
      expect((await decodeLink(await encodeLink(decoded.recipe))).recipe).toEqual(recipe);
    }
  });

  it('opens malformed payloads on the defaults with a notice, never an exception', async () => {
    const cases: [string, RegExp][] = [
      ['r=', /link version "" is not known/],
      ['r=3.abc', /link version "3" is not known/],
      ['r=2', /nothing follows the version/],
      ['r=2.', /not deflate data/],
      ['r=2.***', /not base64url text/],
      ['r=2.A', /not base64url text/],
      ['r=2.AAAA', /not deflate data/],
      [`r=2.${'A'.repeat(20_000)}`, /longer than 16000 characters/],
      [pack(null, '{"not": json'), /not JSON text/],
      [pack({ p: 'an object' }), /not a JSON list/],
      [`r=2.${Buffer.from([0xff, 0xfe]).toString('base64url')}`, /not deflate data/],
      [`r=2.${deflateRawSync(Buffer.from([0xc3, 0x28])).toString('base64url')}`, /not JSON text/],
      [`r=2.${deflateRawSync(Buffer.alloc(200_000, 32)).toString('base64url')}`, /more than 64 KiB/],
    ];
    for (const [query, notice] of cases) {
      const decoded = await decodeLink(query);
      expect(decoded.recipe, query.slice(0, 30)).toEqual(DEFAULT_RECIPE);
      expect(decoded.fromLink).toBe(false);
      expect(decoded.ignored, query.slice(0, 30)).toHaveLength(1);
      expect(decoded.ignored[0], query.slice(0, 30)).toMatch(notice);
    }
  });

  it('checks payload values as version 1 does, and reports wrong JSON types, extra values and stray parameters', async () => {
    const hostile = ['..%2Fetc', 7, '<script>alert(1)</script>', ['x', 3], 'evil', 2, { __proto__: 0.2, ok: 0.3 }, [0.6, 0.2], { red: 99, blue: '2' }, [['a']], 'abc', -5, 1e9, null, 'pndm', 1, ['not', 'text'], 'extra'];
    const { recipe, ignored } = await decodeLink(`${pack(hostile, JSON.stringify(hostile).replace('{"ok"', '{"__proto__":0.2,"ok"'))}&p=ignored&r=2.again`);
    expect(recipe.prompt).toBe('<script>alert(1)</script>');
    expect(Object.getPrototypeOf(recipe.crossWords)).toBe(Object.prototype);
    // Edits of the wrong type are dropped; a prompt without edits has none (as a v1 `p=` without `e=`).
    expect(recipe).toMatchObject({ model: DEFAULT_RECIPE.model, edits: [], kind: DEFAULT_RECIPE.kind, cross: DEFAULT_RECIPE.cross, self: DEFAULT_RECIPE.self, seed: DEFAULT_RECIPE.seed, steps: DEFAULT_RECIPE.steps, weights: {} });
    expect(ignored).toEqual([
      'r given 2 times (the first one is used)',
      'parameters beside r= ("p"): a version 2 link holds the whole recipe in r=',
      '1 unknown values at the end of the link\'s recipe',
      'rev in the link\'s recipe has a value of the wrong type (7)',
      'e in the link\'s recipe has a value of the wrong type (["x",3])',
      'w in the link\'s recipe has a value of the wrong type ({"red":99,"blue":"2"})',
      'bt in the link\'s recipe has a value of the wrong type ("abc")',
      'n in the link\'s recipe has a value of the wrong type (["not","text"])',
      'model="..%2Fetc" (not a model id, repo id or http(s) folder URL)',
      'k="evil" (edit kind: auto, replace, refine, reweight)',
      'cross="2" (expected a fraction 0…1 or a range like 0.2-0.6)',
      'self="0.6-0.2" (expected a fraction 0…1 or a range like 0.2-0.6)',
      'cw="__proto__:0.2" ("__proto__" is a reserved name, not a word)',
      'seed="-5" (expected an integer in 0…4294967295)',
      'steps="1000000000" (expected an integer in 1…150)',
    ]);
    expect(recipe.crossWords).toEqual({ ok: 0.3 });
    expect(recipe.negativePrompt).toBe('');
  });

  it('keeps every preset link of every family, with its page settings, under 2,000 characters and shorter than v1', async () => {
    const origin = 'https://studio.example.org/prompt-to-prompt/';
    const settings = `&backend=webgpu&hub=${encodeURIComponent('https://hub.example.org')}`;
    const models = { toy: ['toy-shapes'], emoji: ['toy-emoji'], sd: ['sd15-fp16-external', 'sd15-fp16-single', 'some-owner/some-model'] } as const;
    let longest = '';
    for (const p of PRESETS) {
      for (const model of models[p.family]) {
        const recipe = applyPreset({ ...DEFAULT_RECIPE, model }, p);
        const link = `${origin}?${await encodeLink(recipe)}${settings}`;
        expect(link.length, `${p.id} on ${model}`).toBeLessThan(2000);
        expect((await decodeLink(new URL(link).search)).recipe).toEqual(recipe);
        if (link.length > longest.length) longest = link;
      }
    }
    // The longest fixture in v1 (same origin and settings) is the comparison.
    const v1Longest = Math.max(...V1.filter((f) => f.name.startsWith('preset ')).map((f) => `${origin}?${f.query}${settings}`.length));
    expect(longest.length).toBeLessThan(v1Longest);
  });
});
