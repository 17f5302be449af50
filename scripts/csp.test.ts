// The CSP's shape (no inline scripts, no eval, connections only to the site and the Hub) and the hosting doc
// that repeats it.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { contentSecurityPolicy, cspDirectives, extraConnectFromEnv } from './csp';

describe('content security policy', () => {
  it('allows wasm compilation but no inline script or eval, and connects only to the site and the Hub', () => {
    const d = cspDirectives();
    expect(d['script-src']).toEqual(["'self'", "'wasm-unsafe-eval'"]);
    expect(Object.values(d).flat()).not.toContain("'unsafe-inline'");
    expect(Object.values(d).flat()).not.toContain("'unsafe-eval'");
    expect(d['connect-src']).toEqual(["'self'", 'https://huggingface.co', 'https://*.huggingface.co', 'https://*.hf.co']);
    expect(contentSecurityPolicy()).not.toContain('frame-ancestors');
    expect(contentSecurityPolicy([], true)).toContain("frame-ancestors 'self'");
  });

  it('takes extra connect-src origins from the build environment and rejects anything else', () => {
    expect(extraConnectFromEnv({})).toEqual([]);
    expect(extraConnectFromEnv({ P2P_CSP_CONNECT: ' https://hf-mirror.com  http://127.0.0.1:* ' })).toEqual(['https://hf-mirror.com', 'http://127.0.0.1:*']);
    expect(() => extraConnectFromEnv({ P2P_CSP_CONNECT: "'unsafe-inline'" })).toThrow(/not an origin/);
    expect(() => extraConnectFromEnv({ P2P_CSP_CONNECT: 'https://a.com; script-src *' })).toThrow(/not an origin/);
  });

  it('docs/hosting.md shows the current policy', () => {
    const doc = readFileSync(join(import.meta.dirname, '../docs/hosting.md'), 'utf8');
    expect(doc).toContain(contentSecurityPolicy([], true));
  });
});
