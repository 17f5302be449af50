/**
 * The offline shell's pure parts (src/offline/shell.ts): which requests the service worker answers from its cache,
 * at the root and under a sub-path; which caches activation deletes (never the model caches); what is precached.
 */
import { describe, expect, it } from 'vitest';
import { isPrecached, manifestText, shellCacheName, shellPathFor, staleShellCaches, SW_FILE } from './shell';

const PATHS = new Set(['index.html', 'assets/index-abc.js', 'assets/ort-wasm-simd-threaded.asyncify-x.wasm', 'models/toy-shapes/unet/model.onnx', 'favicon.svg']);

describe('shellPathFor', () => {
  for (const base of ['/', '/p2p-studio/']) {
    const sw = `https://example.org${base}${SW_FILE}`;
    const at = (p: string) => `https://example.org${base}${p}`;
    describe(`base ${base}`, () => {
      it('answers navigations to the base or index.html (any query: share links) with index.html', () => {
        expect(shellPathFor(at(''), sw, PATHS, true)).toBe('index.html');
        expect(shellPathFor(at('?backend=wasm&p=a+red+circle'), sw, PATHS, true)).toBe('index.html');
        expect(shellPathFor(at('index.html?r=2.abc'), sw, PATHS, true)).toBe('index.html');
        expect(shellPathFor(at('other/page'), sw, PATHS, true)).toBeUndefined();
      });
      it('answers precached files by exact path, without a query', () => {
        expect(shellPathFor(at('assets/index-abc.js'), sw, PATHS, false)).toBe('assets/index-abc.js');
        expect(shellPathFor(at('models/toy-shapes/unet/model.onnx'), sw, PATHS, false)).toBe('models/toy-shapes/unet/model.onnx');
        expect(shellPathFor(at('assets/index-abc.js?v=2'), sw, PATHS, false)).toBeUndefined();
        expect(shellPathFor(at('assets/index-old.js'), sw, PATHS, false)).toBeUndefined();
        expect(shellPathFor(at(SW_FILE), sw, PATHS, false)).toBeUndefined();
      });
      it('leaves other origins (the Hub) to the network', () => {
        expect(shellPathFor('https://huggingface.co/assets/index-abc.js', sw, PATHS, false)).toBeUndefined();
        expect(shellPathFor('https://example.org:8443/index.html', sw, PATHS, true)).toBeUndefined();
      });
    });
  }
  it('under a sub-path, leaves the rest of the origin alone', () => {
    const sw = `https://example.org/p2p-studio/${SW_FILE}`;
    expect(shellPathFor('https://example.org/', sw, PATHS, true)).toBeUndefined();
    expect(shellPathFor('https://example.org/assets/index-abc.js', sw, PATHS, false)).toBeUndefined();
    expect(shellPathFor('https://example.org/p2p-studio', sw, PATHS, true)).toBeUndefined(); // outside the scope
  });
  it('decodes escaped paths and refuses malformed ones', () => {
    const sw = `https://example.org/${SW_FILE}`;
    const paths = new Set(['models/a b.json']);
    expect(shellPathFor('https://example.org/models/a%20b.json', sw, paths, false)).toBe('models/a b.json');
    expect(shellPathFor('https://example.org/models/%E0%A4%A.json', sw, paths, false)).toBeUndefined();
  });
});

describe('cache names', () => {
  it('deletes the other shell versions only, never the model caches', () => {
    const current = shellCacheName('bbbb');
    const names = ['p2p-shell-aaaa', current, 'p2p-models-v1', 'p2p-models-partial-v1', 'someone-else'];
    expect(staleShellCaches(names, current)).toEqual(['p2p-shell-aaaa']);
    expect(staleShellCaches([current], current)).toEqual([]);
  });
});

describe('isPrecached', () => {
  it('keeps the build and leaves out the worker, source maps and dotfiles', () => {
    expect(isPrecached('index.html')).toBe(true);
    expect(isPrecached('models/toy-shapes/tokenizer/vocab.json')).toBe(true);
    expect(isPrecached(SW_FILE)).toBe(false);
    expect(isPrecached('assets/index-abc.js.map')).toBe(false);
    expect(isPrecached('.well-known/x')).toBe(false);
    expect(isPrecached('models/.DS_Store')).toBe(false);
  });
});

describe('manifestText', () => {
  it('is independent of the entries order', () => {
    const a = { path: 'a.js', sha256: '11', size: 1 };
    const b = { path: 'b.js', sha256: '22', size: 2 };
    expect(manifestText([b, a])).toBe(manifestText([a, b]));
    expect(manifestText([a, b])).toBe('a.js 11 1\nb.js 22 2');
  });
});
