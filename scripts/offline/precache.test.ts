/**
 * The precache manifest step (scripts/offline/precache.ts) on a real folder: every file with its SHA-256, the
 * version changing with any byte, and the manifest line written into (and replaced in) the built worker.
 */
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SW_FILE } from '../../src/offline/shell';
import { buildManifest, injectManifest, MANIFEST_PREFIX, precacheEntries, readManifest, sha256Hex, writePrecacheManifest } from './precache';

let dir = '';
const SW_CODE = "self.addEventListener('fetch',()=>{});\n";

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'p2p-precache-'));
  mkdirSync(join(dir, 'assets'));
  mkdirSync(join(dir, 'models/toy/unet'), { recursive: true });
  writeFileSync(join(dir, 'index.html'), '<!doctype html><title>A</title>');
  writeFileSync(join(dir, 'assets/index-abc.js'), 'console.log(1)');
  writeFileSync(join(dir, 'models/toy/unet/model.onnx'), new Uint8Array([1, 2, 3]));
  writeFileSync(join(dir, SW_FILE), SW_CODE);
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('precache manifest', () => {
  it('lists every file but the worker, with its SHA-256 and size', () => {
    const entries = buildManifest(precacheEntries(dir)).entries;
    expect(entries.map((e) => e.path)).toEqual(['assets/index-abc.js', 'index.html', 'models/toy/unet/model.onnx']);
    expect(entries[2]).toEqual({ path: 'models/toy/unet/model.onnx', sha256: sha256Hex(new Uint8Array([1, 2, 3])), size: 3 });
    expect(entries[2]!.sha256).toBe('039058c6f2c0cb492c533b0a4d14ef77cc0f78abccced5287d84a1a2011cfb81');
  });

  it('has a version that changes with any byte of any file, and only then', () => {
    const first = writePrecacheManifest(dir);
    expect(first.version).toMatch(/^[0-9a-f]{16}$/);
    expect(writePrecacheManifest(dir).version).toBe(first.version); // the worker itself is not hashed
    writeFileSync(join(dir, 'index.html'), '<!doctype html><title>B</title>');
    expect(writePrecacheManifest(dir).version).not.toBe(first.version);
  });

  it('writes one manifest line at the top of the worker, replacing an earlier one', () => {
    const manifest = writePrecacheManifest(dir);
    const code = readFileSync(join(dir, SW_FILE), 'utf8');
    expect(code.startsWith(MANIFEST_PREFIX)).toBe(true);
    expect(code.endsWith(SW_CODE)).toBe(true);
    expect(readManifest(code)).toEqual(manifest);
    const again = injectManifest(code, { version: 'x', entries: [] });
    expect(again).toBe(`${MANIFEST_PREFIX}{"version":"x","entries":[]};\n${SW_CODE}`);
    expect(readManifest(SW_CODE)).toBeUndefined();
  });
});
