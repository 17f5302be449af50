/**
 * scripts/static-server.ts serves a folder as a bare static host would: MIME types a browser insists on
 * (application/wasm, text/javascript for .mjs), the sub-path prefix, optional COOP/COEP, no path escapes.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStaticServer } from './static-server';

let root = '';

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'static-server-'));
  mkdirSync(join(root, 'assets'));
  writeFileSync(join(root, 'index.html'), '<!doctype html>');
  writeFileSync(join(root, 'assets', 'a.wasm'), new Uint8Array([0, 97, 115, 109]));
  writeFileSync(join(root, 'assets', 'b.mjs'), 'export {};');
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('startStaticServer', () => {
  it('serves files with their MIME types under the sub-path, and nothing else', async () => {
    const server = await startStaticServer({ root, base: '/p2p-studio/' });
    try {
      const index = await fetch(server.url);
      expect(index.headers.get('content-type')).toContain('text/html');
      expect(index.headers.get('cross-origin-opener-policy')).toBeNull();
      expect((await fetch(`${server.url}assets/a.wasm`)).headers.get('content-type')).toBe('application/wasm');
      expect((await fetch(`${server.url}assets/b.mjs`)).headers.get('content-type')).toContain('text/javascript');
      expect((await fetch(new URL('/index.html', server.url))).status).toBe(404);
      expect((await fetch(`${server.url}..%2F..%2Fetc%2Fpasswd`)).status).not.toBe(200);
    } finally {
      await server.close();
    }
  });
  it('sends COOP/COEP when asked', async () => {
    const server = await startStaticServer({ root, isolation: true });
    try {
      const r = await fetch(server.url);
      expect(r.headers.get('cross-origin-opener-policy')).toBe('same-origin');
      expect(r.headers.get('cross-origin-embedder-policy')).toBe('require-corp');
    } finally {
      await server.close();
    }
  });
});
