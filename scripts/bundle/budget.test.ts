/**
 * The bundle budget check (scripts/bundle/budget.ts): pattern matching, per-chunk and total limits, unbudgeted
 * chunks, public/ files set apart, and the repository's own bundle-budget.json.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { checkBudget, formatReport, parseBudget, type Budget } from './budget';
import { REPO_ROOT } from './build';
import type { BuiltFile } from './inspect';

const budget: Budget = {
  chunks: [
    { name: 'page', pattern: 'assets/index-*.js', gzipBytes: 100 },
    { name: 'wasm', pattern: 'assets/ort-*.wasm', gzipBytes: 1000, rawBytes: 4000 },
  ],
  codeTotalGzipBytes: 150,
};
const js = (path: string, gzip: number): BuiltFile => ({ path, kind: 'js', raw: gzip * 3, gzip });

describe('checkBudget', () => {
  test('within budget: no failures, the code total sums JS, CSS and HTML only', () => {
    const wasm: BuiltFile = { path: 'assets/ort-wasm-x.wasm', kind: 'wasm', raw: 3900, gzip: 900 };
    const r = checkBudget([js('assets/index-a1.js', 90), wasm], budget);
    expect(r.failures).toEqual([]);
    expect(r.codeTotalGzip).toBe(90);
    expect(r.rows.map((x) => x.line?.name)).toEqual(['page', 'wasm']);
  });

  test('a chunk over its gzip line, a wasm over its raw line and the code total each fail', () => {
    const wasm: BuiltFile = { path: 'assets/ort-wasm-x.wasm', kind: 'wasm', raw: 4001, gzip: 900 };
    const r = checkBudget([js('assets/index-a1.js', 101), js('assets/index-b2.js', 60), wasm], budget);
    expect(r.failures).toEqual([
      'assets/index-a1.js (page): gzip 101 B > 100 B',
      'assets/ort-wasm-x.wasm (wasm): raw 4001 B > 4000 B',
      'code total (JS, CSS, HTML): gzip 161 B > 150 B',
    ]);
  });

  test('a chunk no line matches fails; `*` does not cross folders; public files are only counted', () => {
    const r = checkBudget(
      [js('assets/index-a1.js', 10), js('assets/extra/index-x.js', 5), js('assets/new.worker-z.js', 5), { path: 'models/m/unet.onnx', kind: 'public', raw: 7000 }],
      budget,
    );
    expect(r.failures).toEqual(['assets/extra/index-x.js: no budget line', 'assets/new.worker-z.js: no budget line']);
    expect([r.publicFiles, r.publicBytes]).toEqual([1, 7000]);
    expect(r.unused).toEqual(['wasm (assets/ort-*.wasm)']);
    expect(formatReport(r, budget).some((l) => l.startsWith('assets/new.worker-z.js') && l.endsWith('OVER'))).toBe(true);
  });
});

describe('bundle-budget.json', () => {
  test('parses, and gives the onnxruntime-web wasm its own raw and gzip line', () => {
    const b = parseBudget(JSON.parse(readFileSync(join(REPO_ROOT, 'bundle-budget.json'), 'utf8')));
    const wasm = b.chunks.find((l) => l.pattern.endsWith('.wasm'));
    expect(wasm?.rawBytes).toBeGreaterThan(wasm!.gzipBytes);
  });

  test('a malformed budget is refused', () => {
    expect(() => parseBudget({ chunks: [{ name: 'x', pattern: 'y' }], codeTotalGzipBytes: 1 })).toThrow(/gzipBytes/);
  });
});
