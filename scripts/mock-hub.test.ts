// The mock Hub's HTTP behaviour as clients see it: Range/206/416, If-Range, ETag and LFS headers,
// CORS and CORP, Hub error codes, the tree API, and faults set by query or by the control endpoint.

import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parseRange, startMockHub, type MockHub } from './mock-hub';
import { makeFakeModel } from './mock-hub/fixture';

let hub: MockHub;
let files: Record<string, Uint8Array>;
const base = () => `${hub.url}/test/fake-sd/resolve/main`;

beforeAll(async () => {
  const model = await makeFakeModel({ weightsBytes: 50_000 });
  files = model.files;
  hub = await startMockHub({ root: model.dir, repo: 'test/fake-sd' });
});
afterAll(() => hub.close());
beforeEach(() => hub.faults.clear());

describe('mock Hub', () => {
  it('parses byte ranges', () => {
    expect(parseRange('bytes=0-9', 100)).toEqual([0, 9]);
    expect(parseRange('bytes=90-', 100)).toEqual([90, 99]);
    expect(parseRange('bytes=-10', 100)).toEqual([90, 99]);
    expect(parseRange('bytes=100-', 100)).toBeNull();
    expect(parseRange(undefined, 100)).toBeUndefined();
    expect(parseRange('bytes=0-1,5-6', 100)).toBeUndefined();
  });

  it('serves a file with ETag, LFS size/etag, commit, CORS and CORP headers', async () => {
    const r = await fetch(`${base()}/unet/weights.pb`);
    expect(r.status).toBe(200);
    expect(Buffer.from(await r.arrayBuffer()).equals(Buffer.from(files['unet/weights.pb']))).toBe(true);
    expect(r.headers.get('content-length')).toBe('50000');
    expect(r.headers.get('x-linked-size')).toBe('50000');
    expect(r.headers.get('etag')).toMatch(/^"[0-9a-f]{64}"$/);
    expect(r.headers.get('x-linked-etag')).toBe(r.headers.get('etag'));
    expect(r.headers.get('x-repo-commit')).toBe(hub.commit);
    expect(r.headers.get('access-control-allow-origin')).toBe('*');
    expect(r.headers.get('access-control-expose-headers')).toMatch(/Content-Range.*X-Linked-Size/);
    expect(r.headers.get('cross-origin-resource-policy')).toBe('cross-origin');
    const small = await fetch(`${base()}/model_index.json`);
    expect(small.headers.get('x-linked-size')).toBeNull();
    expect(small.headers.get('etag')).toMatch(/^"[0-9a-f]{40}"$/);
  });

  it('answers Range with 206 and Content-Range, honours If-Range, and 416 past the end', async () => {
    const r = await fetch(`${base()}/unet/weights.pb`, { headers: { Range: 'bytes=100-199' } });
    expect(r.status).toBe(206);
    expect(r.headers.get('content-range')).toBe('bytes 100-199/50000');
    expect(Buffer.from(await r.arrayBuffer()).equals(Buffer.from(files['unet/weights.pb'].subarray(100, 200)))).toBe(true);
    const etag = r.headers.get('etag')!;
    expect((await fetch(`${base()}/unet/weights.pb`, { headers: { Range: 'bytes=100-', 'If-Range': etag } })).status).toBe(206);
    expect((await fetch(`${base()}/unet/weights.pb`, { headers: { Range: 'bytes=100-', 'If-Range': '"stale"' } })).status).toBe(200);
    const past = await fetch(`${base()}/unet/weights.pb`, { headers: { Range: 'bytes=50000-' } });
    expect(past.status).toBe(416);
    expect(past.headers.get('content-range')).toBe('bytes */50000');
  });

  it('answers a CORS preflight', async () => {
    const r = await fetch(`${base()}/unet/weights.pb`, { method: 'OPTIONS' });
    expect(r.status).toBe(204);
    expect(r.headers.get('access-control-allow-headers')).toMatch(/Range, If-Range/);
  });

  it('gives Hub-style 404s: unknown repo, revision, file', async () => {
    const codes = async (url: string) => {
      const r = await fetch(url);
      return [r.status, r.headers.get('x-error-code')];
    };
    expect(await codes(`${hub.url}/nobody/nothing/resolve/main/model_index.json`)).toEqual([404, 'RepoNotFound']);
    expect(await codes(`${hub.url}/test/fake-sd/resolve/v9/model_index.json`)).toEqual([404, 'RevisionNotFound']);
    expect(await codes(`${base()}/unet/nope.onnx`)).toEqual([404, 'EntryNotFound']);
    expect(await codes(`${hub.url}/test/fake-sd/resolve/${hub.commit}/model_index.json`)).toEqual([200, null]);
  });

  it('lists the tree with LFS oids (sha256) for graphs and weights', async () => {
    const tree = (await (await fetch(`${hub.url}/api/models/test/fake-sd/tree/main?recursive=true`)).json()) as { path: string; type: string; lfs?: { oid: string; size: number } }[];
    const weights = tree.find((e) => e.path === 'unet/weights.pb')!;
    expect(weights.lfs).toMatchObject({ size: 50000 });
    expect(weights.lfs!.oid).toMatch(/^[0-9a-f]{64}$/);
    expect(tree.find((e) => e.path === 'model_index.json')!.lfs).toBeUndefined();
    expect(tree.some((e) => e.type === 'directory' && e.path === 'unet')).toBe(true);
    const top = (await (await fetch(`${hub.url}/api/models/test/fake-sd/tree/main`)).json()) as { path: string }[];
    expect(top.some((e) => e.path.includes('/'))).toBe(false);
  });

  it('injects faults by query: 404, 500, wrong length, corrupt, drop', async () => {
    const url = `${base()}/unet/weights.pb`;
    expect((await fetch(`${url}?fault=404`)).status).toBe(404);
    expect((await fetch(`${url}?fault=500`)).status).toBe(500);
    const short = await fetch(`${url}?fault=wrong-length&trim=10`);
    expect((await short.arrayBuffer()).byteLength).toBe(49_990);
    expect(short.headers.get('x-linked-size')).toBe('50000');
    const corrupt = Buffer.from(await (await fetch(`${url}?fault=corrupt`)).arrayBuffer());
    expect(corrupt.byteLength).toBe(50_000);
    expect(corrupt.equals(Buffer.from(files['unet/weights.pb']))).toBe(false);
    const dropped = await fetch(`${url}?fault=drop&dropAfter=1000`);
    await expect(dropped.arrayBuffer()).rejects.toThrow();
  });

  it('takes counted fault rules through the control endpoint', async () => {
    const set = await fetch(`${hub.url}/__mock/faults`, { method: 'POST', body: JSON.stringify([{ fault: '500', path: 'model_index.json', times: 1 }]) });
    expect(await set.json()).toEqual([{ fault: '500', path: 'model_index.json', times: 1 }]);
    expect((await fetch(`${base()}/model_index.json`)).status).toBe(500);
    expect((await fetch(`${base()}/model_index.json`)).status).toBe(200);
    expect((await fetch(`${hub.url}/__mock/faults`, { method: 'POST', body: '{"fault":"explode"}' })).status).toBe(400);
    const log = (await (await fetch(`${hub.url}/__mock/requests`)).json()) as { path: string; fault?: string; status: number }[];
    expect(log.filter((r) => r.path === 'model_index.json').slice(-2)).toEqual([
      expect.objectContaining({ fault: '500', status: 500 }),
      expect.objectContaining({ status: 200 }),
    ]);
  });

  it('trickles slowly but completely', async () => {
    const t0 = Date.now();
    const r = await fetch(`${base()}/unet/weights.pb?fault=trickle&chunkBytes=10000&delayMs=30`);
    expect((await r.arrayBuffer()).byteLength).toBe(50_000);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(100);
  });
});
