// The incremental SHA-256 against FIPS 180-4's published examples and against node:crypto (OpenSSL) on
// random data fed in odd chunk sizes; plus its throughput, the figure docs/models.md quotes for load checks.

import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { Sha256, toHex } from './sha256';
import { sha256Hex } from './integrity';

const hex = (data: Uint8Array | string): string => new Sha256().update(typeof data === 'string' ? new TextEncoder().encode(data) : data).digestHex();
const openssl = (data: Uint8Array): string => createHash('sha256').update(data).digest('hex');

describe('Sha256', () => {
  it('matches the FIPS 180-4 examples (one block, two blocks, empty, a million "a")', () => {
    expect(hex('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(hex('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq')).toBe('248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1');
    expect(hex('')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(hex(new Uint8Array(1_000_000).fill(0x61))).toBe('cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0');
  });

  it('gives OpenSSL’s digest whatever the chunking, around every padding boundary', () => {
    for (const n of [1, 55, 56, 63, 64, 65, 119, 120, 127, 128, 1000, 65_537]) {
      const data = new Uint8Array(randomBytes(n));
      expect(hex(data)).toBe(openssl(data));
      const chunked = new Sha256();
      for (let i = 0, step = 1; i < n; i += step, step = (step * 7 + 3) % 97 || 1) chunked.update(data.subarray(i, Math.min(n, i + step)));
      expect(chunked.digestHex()).toBe(openssl(data));
    }
  });

  it('refuses to be fed after the digest', () => {
    const h = new Sha256().update(new Uint8Array(3));
    expect(toHex(h.digest())).toHaveLength(64);
    expect(() => h.update(new Uint8Array(1))).toThrow(/after digest/);
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
