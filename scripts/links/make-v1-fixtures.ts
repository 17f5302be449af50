/**
 * One-off: writes tests/fixtures/links/v1.json from the v1 link encoder as it stood at commit 4875cae (before the
 * v2 format). Run once and committed; the tests only read the file. Re-running it after the codec changed
 * would make the fixtures agree with the new code by construction, which is what they must not do.
 * Usage: npx tsx scripts/links/make-v1-fixtures.ts
 */
import { writeFileSync } from 'node:fs';
import { DEFAULT_RECIPE } from '../../src/state/recipe';
import { PRESETS, applyPreset } from '../../src/state/presets';
import { decodeRecipe, encodeRecipe } from '../../src/state/urlCodec';

interface Fixture {
  name: string;
  query: string;
  recipe: unknown;
  ignored: string[];
}

const MODELS = { toy: 'toy-shapes', emoji: 'toy-emoji', sd: 'sd15-fp16-external' } as const;
const out: Fixture[] = [];
// Version 1 links were recorded before the emoji model's presets existed: they are left out.
for (const p of PRESETS.filter((preset) => preset.family !== 'emoji')) {
  const recipe = applyPreset({ ...DEFAULT_RECIPE, model: MODELS[p.family] }, p);
  const query = encodeRecipe(recipe);
  out.push({ name: `preset ${p.id}`, query, recipe, ignored: [] });
}
// Links as the address bar wrote them with page settings (urlSync appends backend= and hub=).
const hubLink = `${encodeRecipe({ ...DEFAULT_RECIPE, model: 'local/toy-shapes', steps: 2, baseline: false, prompt: 'a red circle', edits: ['a red square'] })}&backend=wasm&hub=${encodeURIComponent('http://127.0.0.1:8787')}`;
const hostile = [
  ['hub model with page settings', hubLink],
  ['hand-written short link', 'p=a+red+circle&e=a+red+square&steps=2&base=0'],
  ['unicode prompts', encodeRecipe({ ...DEFAULT_RECIPE, model: 'jdp8/stable-diffusion-1-5-base-onnx', prompt: 'ein Café am Meer, 夜', edits: ['ein Café am Meer, 朝 🌅'] })],
  ['script in a prompt and bad numbers', 'p=%3Cscript%3Ealert(1)%3C%2Fscript%3E&e=x&k=evil&steps=1000000000&g=NaN&seed=-5&cross=2&self=0.6-0.2&sched=evil&w=red:99&cw=:0.4&model=..%2F..%2Fetc&zzz=1&bt=abc'],
  ['reserved word keys', 'p=a+red+circle&e=a+red+square&w=__proto__:2&cw=__proto__:0.2-0.5&w=constructor:3&cw=toString:0.1&w=red:2'],
  ['repeated parameters', 'v=1&p=a+red+circle&p=other&seed=1&seed=2&e=a+red+square&w=red:2&w=red:3&base=yes'],
  ['unknown version and javascript: model', 'v=9&model=javascript%3Aalert(1)&p=x'],
  ['too many edits and a long prompt', `p=${'a'.repeat(600)}&${Array.from({ length: 9 }, (_, i) => `e=edit+${i}`).join('&')}`],
  ['empty', ''],
] as const;
for (const [name, query] of hostile) out.push({ name, query, ...decodeRecipe(query) });
writeFileSync(new URL('../../tests/fixtures/links/v1.json', import.meta.url), `${JSON.stringify(out, null, 1)}\n`);
console.log(`${out.length} fixtures`);
