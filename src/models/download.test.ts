// The downloader against the real mock Hub, one fault at a time: resume after a drop (Range, same bytes),
// typed 404/500 errors, wrong length and corruption rejected, trickle completes, abort stops.

import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startMockHub, type MockHub } from '../../scripts/mock-hub';
import { makeFakeModel } from '../../scripts/mock-hub/fixture';
import { downloadFile } from './download';
import { ModelError } from './errors';
import { sha256Hex } from './integrity';
import { MemoryPartial } from './partialFile';
import type { FileProgress } from './progress';
import { fileUrl, type ModelSource } from './source';

let hub: MockHub;
let files: Record<string, Uint8Array>;
let source: ModelSource;
const UNET = 'unet/model.onnx';
const fast = { retries: 3, backoffMs: 5 };

beforeAll(async () => {
  const model = await makeFakeModel();
  files = model.files;
  hub = await startMockHub({ root: model.dir, repo: 'test/fake-sd' });
  source = { kind: 'hub', repo: 'test/fake-sd', revision: 'main', endpoint: hub.url };
});
afterAll(() => hub.close());
beforeEach(() => {
  hub.faults.clear();
  hub.requests.length = 0;
});

/** Byte equality without vitest's element-wise diff (slow on 256 kB arrays). */
async function same(blob: Blob, bytes: Uint8Array): Promise<boolean> {
  return Buffer.from(await blob.arrayBuffer()).equals(Buffer.from(bytes));
}

async function failure(p: Promise<unknown>): Promise<ModelError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ModelError);
  return err as ModelError;
}

describe('downloadFile against the mock Hub', () => {
  it('downloads a file with progress and checks the LFS sha256 from the ETag', async () => {
    const events: FileProgress[] = [];
    const result = await downloadFile(fileUrl(source, UNET), { file: UNET, etagIsSha256: true, onProgress: (p) => events.push(p), progressEveryMs: 0 });
    expect(await same(result.blob, files[UNET])).toBe(true);
    expect(result.sha256).toBe(await sha256Hex(files[UNET]));
    const last = events[events.length - 1];
    expect(last).toMatchObject({ file: UNET, loaded: files[UNET].byteLength, total: files[UNET].byteLength, done: true });
    expect(events.some((e) => !e.done && e.loaded > 0)).toBe(true);
  });

  it('resumes after a dropped connection with a Range request and returns identical bytes', async () => {
    hub.faults.add({ fault: 'drop', path: UNET, times: 1, dropAfter: 100_000 });
    const events: FileProgress[] = [];
    const result = await downloadFile(fileUrl(source, UNET), { file: UNET, ...fast, sha256: await sha256Hex(files[UNET]), onProgress: (p) => events.push(p) });
    expect(await same(result.blob, files[UNET])).toBe(true);
    const gets = hub.requests.filter((r) => r.path === UNET);
    expect(gets).toHaveLength(2);
    expect(gets[0].fault).toBe('drop');
    expect(gets[0].range).toBeUndefined();
    expect(gets[1].range).toMatch(/^bytes=\d+-$/);
    expect(Number(gets[1].range!.slice(6, -1))).toBeGreaterThan(0);
    expect(gets[1].status).toBe(206);
    expect(events.some((e) => e.attempt === 2 && e.resumedFrom > 0)).toBe(true);
  });

  it('gives a typed not-found error for a 404 (no retries)', async () => {
    const err = await failure(downloadFile(fileUrl(source, 'unet/missing.onnx'), { file: 'unet/missing.onnx', ...fast }));
    expect(err).toMatchObject({ code: 'not-found', status: 404, file: 'unet/missing.onnx' });
    expect(hub.requests).toHaveLength(1);
    const repoErr = await failure(downloadFile(fileUrl({ ...source, repo: 'test/nope' } as ModelSource, UNET), { file: UNET, ...fast }));
    expect(repoErr.message).toMatch(/repository does not exist/);
  });

  it('retries a 500 a bounded number of times, then gives a typed server error', async () => {
    hub.faults.add({ fault: '500', path: UNET });
    const err = await failure(downloadFile(fileUrl(source, UNET), { file: UNET, ...fast }));
    expect(err).toMatchObject({ code: 'server', status: 500 });
    expect(hub.requests).toHaveLength(fast.retries + 1);
  });

  it('recovers when a 500 is transient', async () => {
    hub.faults.add({ fault: '500', path: UNET, times: 2 });
    const result = await downloadFile(fileUrl(source, UNET), { file: UNET, ...fast });
    expect(await same(result.blob, files[UNET])).toBe(true);
  });

  it('rejects a wrong length (against X-Linked-Size, and against an expected size) and keeps no partial', async () => {
    const partial = new MemoryPartial();
    hub.faults.add({ fault: 'wrong-length', path: UNET });
    const err = await failure(downloadFile(fileUrl(source, UNET), { file: UNET, ...fast, partial }));
    expect(err.code).toBe('length');
    expect(partial.size).toBe(0);
    // A small (non-LFS) file has no X-Linked-Size: the registry's expected size catches it.
    const cfg = 'tokenizer/vocab.json';
    hub.faults.set([{ fault: 'wrong-length', path: cfg, trim: -5 }]);
    const err2 = await failure(downloadFile(fileUrl(source, cfg), { file: cfg, ...fast, expectedSize: files[cfg].byteLength }));
    expect(err2.code).toBe('length');
  });

  it('rejects corrupt bytes by sha256', async () => {
    hub.faults.add({ fault: 'corrupt', path: UNET });
    const err = await failure(downloadFile(fileUrl(source, UNET), { file: UNET, ...fast, etagIsSha256: true }));
    expect(err.code).toBe('integrity');
  });

  it('completes a slow trickle, reporting a rate and time left', async () => {
    const path = 'vae_decoder/model.onnx';
    hub.faults.add({ fault: 'trickle', path, chunkBytes: 4000, delayMs: 5 });
    const events: FileProgress[] = [];
    const result = await downloadFile(fileUrl(source, path), { file: path, onProgress: (p) => events.push(p), progressEveryMs: 0 });
    expect(await same(result.blob, files[path])).toBe(true);
    expect(events.some((e) => e.rate > 0 && e.secondsLeft !== undefined && e.secondsLeft > 0)).toBe(true);
  });

  it('stops on abort with a typed error, keeping the bytes so far as a partial that a later call resumes', async () => {
    hub.faults.add({ fault: 'trickle', path: UNET, chunkBytes: 8000, delayMs: 10 });
    const controller = new AbortController();
    const partial = new MemoryPartial();
    const run = downloadFile(fileUrl(source, UNET), {
      file: UNET,
      signal: controller.signal,
      partial,
      onProgress: (p) => p.loaded >= 40_000 && controller.abort(new Error('user cancelled')),
      progressEveryMs: 0,
    });
    const err = await failure(run);
    expect(err.code).toBe('aborted');
    expect(err.message).toMatch(/user cancelled/);
    const kept = partial.size;
    expect(kept).toBeGreaterThanOrEqual(40_000);
    expect(kept).toBeLessThan(files[UNET].byteLength);
    hub.faults.clear();
    hub.requests.length = 0;
    // The digest of the resumed file covers the kept bytes too (read back from the partial).
    const result = await downloadFile(fileUrl(source, UNET), { file: UNET, partial, sha256: await sha256Hex(files[UNET]) });
    expect(await same(result.blob, files[UNET])).toBe(true);
    expect(result.sha256).toBe(await sha256Hex(files[UNET]));
    expect(hub.requests[0]).toMatchObject({ range: `bytes=${kept}-`, status: 206 });
  });

  it('restarts from zero when the file changed since the partial (ETag differs; If-Range when asked)', async () => {
    const stale = () => new MemoryPartial({ parts: [new Uint8Array(1000)], etag: '"0000"' });
    const result = await downloadFile(fileUrl(source, UNET), { file: UNET, ...fast, partial: stale(), etagIsSha256: true });
    expect(await same(result.blob, files[UNET])).toBe(true);
    expect(hub.requests.map((r) => [r.range, r.status])).toEqual([['bytes=1000-', 206], [undefined, 200]]);
    hub.requests.length = 0;
    const withIfRange = await downloadFile(fileUrl(source, UNET), { file: UNET, partial: stale(), ifRange: true, etagIsSha256: true });
    expect(await same(withIfRange.blob, files[UNET])).toBe(true);
    expect(hub.requests.map((r) => r.status)).toEqual([200]);
  });

  it('restarts when a kept partial is longer than the file (416)', async () => {
    const tooLong = new MemoryPartial({ parts: [new Uint8Array(files[UNET].byteLength + 10)] });
    const result = await downloadFile(fileUrl(source, UNET), { file: UNET, ...fast, partial: tooLong, etagIsSha256: true });
    expect(await same(result.blob, files[UNET])).toBe(true);
    expect(hub.requests.map((r) => r.status)).toEqual([416, 200]);
  });

  it('a storage refusal while writing (quota) ends the download at once, not retried as a network failure', async () => {
    const partial = new MemoryPartial();
    const full = Object.assign(new Error('Quota exceeded.'), { name: 'QuotaExceededError' });
    partial.append = async () => {
      throw full;
    };
    const err = await downloadFile(fileUrl(source, UNET), { file: UNET, ...fast, partial }).then(() => undefined, (e: unknown) => e);
    expect(err).toBe(full);
    expect(hub.requests).toHaveLength(1);
  });

  it('gives up on a server that keeps dropping the connection without progress', async () => {
    hub.faults.add({ fault: 'drop', path: UNET, dropAfter: 0 });
    const err = await failure(downloadFile(fileUrl(source, UNET), { file: UNET, ...fast }));
    expect(err.code).toBe('network');
    expect(hub.requests).toHaveLength(fast.retries + 1);
  });
});
