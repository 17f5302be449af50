// sha256Hex (WebCrypto one-shot below 32 MiB, @noble/hashes incrementally above) against FIPS 180-4's published
// examples and node:crypto (OpenSSL), on Blobs and arrays either side of the one-shot limit; plus the incremental
// path's throughput, the figure docs/models.md quotes for load checks; readBlobHashed (the load's read-and-check).

import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { HASH_SLICE, ONE_SHOT_MAX, readBlobHashed, sha256Hex } from './integrity';

const openssl = (data: Uint8Array): string => createHash('sha256').update(data).digest('hex');
const text = (s: string) => new TextEncoder().encode(s);

describe('sha256Hex', () => {
  it('matches the FIPS 180-4 examples (one block, two blocks, empty, a million "a")', async () => {
    expect(await sha256Hex(text('abc'))).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(await sha256Hex(new Blob([text('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq')]))).toBe('248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1');
    expect(await sha256Hex(new Uint8Array(0))).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(await sha256Hex(new Uint8Array(1_000_000).fill(0x61))).toBe('cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0');
  });

  it('gives OpenSSL’s digest either side of the one-shot limit, for arrays and Blobs', async () => {
    for (const n of [ONE_SHOT_MAX, ONE_SHOT_MAX + 1]) {
      const data = new Uint8Array(n);
      data.set(randomBytes(4096), n - 4096);
      expect(await sha256Hex(data)).toBe(openssl(data));
      expect(await sha256Hex(new Blob([data]))).toBe(openssl(data));
    }
  });

  it('hashes Blobs in slices and large arrays incrementally, equal to OpenSSL; reports its throughput', async () => {
    const unet = new Uint8Array(readFileSync(fileURLToPath(new URL('../../public/models/toy-shapes/unet/model.onnx', import.meta.url))));
    expect(await sha256Hex(new Blob([unet]))).toBe(openssl(unet));
    // Above the one-shot limit, both forms go through the incremental hasher in slices.
    const big = new Uint8Array(48 * 2 ** 20);
    for (let i = 0; i < big.length; i += 4096) big[i] = i & 0xff;
    const t0 = performance.now();
    const streamed = await sha256Hex(big);
    const ms = performance.now() - t0;
    expect(streamed).toBe(openssl(big));
    expect(await sha256Hex(new Blob([big]))).toBe(openssl(big));
    const t1 = performance.now();
    await sha256Hex(unet);
    const toyMs = performance.now() - t1;
    const mbps = big.length / 1e6 / (ms / 1000);
    // The figure, for docs/models.md (printed, not asserted: the machine is shared).
    console.info(`sha256: incremental ${mbps.toFixed(0)} MB/s (48 MiB in ${ms.toFixed(0)} ms; 1.72 GB ≈ ${(1.719e9 / 1e6 / mbps).toFixed(1)} s); toy UNet (${unet.length} B, WebCrypto) ${toyMs.toFixed(1)} ms`);
  });
});

describe('readBlobHashed', () => {
  it('returns the Blob’s bytes and OpenSSL’s digest, slice by slice, with monotonic progress up to the size', async () => {
    for (const n of [0, 1000, ONE_SHOT_MAX + 1, 2 * HASH_SLICE + 5]) {
      const data = new Uint8Array(n);
      for (let i = 0; i < n; i += 997) data[i] = (i * 31) & 0xff;
      const seen: [number, number][] = [];
      const read = await readBlobHashed(new Blob([data]), { sha256: true, onProgress: (loaded, total) => seen.push([loaded, total]) });
      expect(read.sha256).toBe(openssl(data));
      expect(read.bytes.byteLength).toBe(n);
      expect(Buffer.from(read.bytes).equals(Buffer.from(data))).toBe(true);
      expect(seen.at(-1)).toEqual([n, n]);
      expect(seen.every(([loaded], i) => i === 0 || loaded > seen[i - 1][0])).toBe(true);
      expect(seen.length).toBe(Math.max(1, Math.ceil(n / HASH_SLICE)));
    }
    expect((await readBlobHashed(new Blob([text('abc')]), { sha256: false })).sha256).toBeUndefined();
    const cancel = new AbortController();
    cancel.abort(new Error('cancelled'));
    await expect(readBlobHashed(new Blob([text('abc')]), { sha256: true, signal: cancel.signal })).rejects.toThrow('cancelled');
  });
});
