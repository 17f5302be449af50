// Integrity of a file: its byte count against the expected size and its sha256 (the Git LFS oid the Hub
// publishes, else the digest taken at download) against the expected digest; plus the Hub's size/etag headers.

import { ModelError } from './errors';
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex } from '@noble/hashes/utils.js';

const SHA256_HEX = /^[0-9a-f]{64}$/;

/**
 * Inputs up to this size are hashed by WebCrypto in one call (fast, native; it copies its input, so at
 * most this much extra memory); larger ones incrementally in slices (no copy of the file) with @noble/hashes,
 * because WebCrypto has no incremental digest.
 */
export const ONE_SHOT_MAX = 32 * 2 ** 20;
/** Slice size when a large Blob is read for hashing (memory held at once). */
export const HASH_SLICE = 16 * 2 ** 20;

/** An incremental SHA-256 (@noble/hashes), as downloads keep one while the bytes arrive. */
export type Sha256State = ReturnType<typeof sha256.create>;

/** Feeds a Blob to `hash` in HASH_SLICE slices (a disk-backed Blob is never read whole). */
export async function hashBlobInto(hash: Sha256State, blob: Blob): Promise<void> {
  for (let at = 0; at < blob.size; at += HASH_SLICE) hash.update(new Uint8Array(await blob.slice(at, at + HASH_SLICE).arrayBuffer()));
}

export async function sha256Hex(data: Blob | Uint8Array): Promise<string> {
  const subtle = globalThis.crypto?.subtle;
  if ((data instanceof Blob ? data.size : data.byteLength) <= ONE_SHOT_MAX && subtle) {
    const buffer = data instanceof Blob ? await data.arrayBuffer() : data;
    return bytesToHex(new Uint8Array(await subtle.digest('SHA-256', buffer as BufferSource)));
  }
  const hash = sha256.create();
  if (data instanceof Blob) {
    await hashBlobInto(hash, data);
  } else {
    // Already in memory: views, no copy; yield between slices so a worker stays responsive to cancel.
    for (let at = 0; at < data.byteLength; at += HASH_SLICE) {
      hash.update(data.subarray(at, at + HASH_SLICE));
      if (at + HASH_SLICE < data.byteLength) await new Promise((r) => setTimeout(r, 0));
    }
  }
  return bytesToHex(hash.digest());
}

/**
 * A stored Blob read whole into one Uint8Array, HASH_SLICE at a time: each slice is hashed as it arrives (when
 * `sha256` is asked for; WebCrypto in one call for a file of at most ONE_SHOT_MAX) and reported to `onProgress`, so
 * reading and hashing a 1.7 GB UNet overlap and a load shows progress within a file. Returns the bytes, the digest
 * and the milliseconds spent hashing.
 */
export async function readBlobHashed(
  blob: Blob,
  options: { sha256: boolean; onProgress?: (loaded: number, total: number) => void; signal?: AbortSignal },
): Promise<{ bytes: Uint8Array; sha256?: string; hashMs: number }> {
  const total = blob.size;
  const bytes = new Uint8Array(total);
  const incremental = options.sha256 && total > ONE_SHOT_MAX ? sha256.create() : undefined;
  let hashMs = 0;
  for (let at = 0; at < total; at += HASH_SLICE) {
    if (options.signal?.aborted) throw options.signal.reason; // a cancel stops a 1.7 GB read between slices
    const slice = new Uint8Array(await blob.slice(at, at + HASH_SLICE).arrayBuffer());
    bytes.set(slice, at);
    if (incremental) {
      const started = performance.now();
      incremental.update(slice);
      hashMs += performance.now() - started;
    }
    options.onProgress?.(at + slice.byteLength, total);
  }
  if (total === 0) options.onProgress?.(0, 0);
  if (!options.sha256) return { bytes, hashMs };
  if (incremental) return { bytes, sha256: bytesToHex(incremental.digest()), hashMs };
  const started = performance.now();
  const digest = await sha256Hex(bytes);
  return { bytes, sha256: digest, hashMs: hashMs + performance.now() - started };
}

/** The sha256 an ETag names, when it is one (the Hub's LFS ETags and `X-Linked-Etag` are the LFS oid). */
export function sha256FromEtag(etag: string | null | undefined): string | undefined {
  if (!etag) return undefined;
  const bare = etag.replace(/^W\//, '').replace(/^"|"$/g, '').toLowerCase();
  return SHA256_HEX.test(bare) ? bare : undefined;
}

/** Parses `Content-Range: bytes start-end/total` (total may be `*`). */
export function parseContentRange(header: string | null): { start: number; end: number; total: number | undefined } | undefined {
  const m = header?.match(/^bytes\s+(\d+)-(\d+)\/(\d+|\*)$/i);
  if (!m) return undefined;
  return { start: Number(m[1]), end: Number(m[2]), total: m[3] === '*' ? undefined : Number(m[3]) };
}

/** A non-negative integer header value, else undefined. */
export function intHeader(headers: Headers, name: string): number | undefined {
  const v = headers.get(name);
  if (v === null || !/^\d+$/.test(v.trim())) return undefined;
  return Number(v);
}

/**
 * Throws ModelError('length') or ('integrity') when the bytes received (their count and sha256) are not
 * the expected file; returns their sha256 (always taken, so a file without a published digest is still
 * checked against it when loaded).
 */
export function checkDigest(file: string, actual: { size: number; sha256: string }, expected: { size?: number; sha256?: string }): string {
  if (expected.size !== undefined && actual.size !== expected.size) {
    throw new ModelError('length', `${file}: received ${actual.size} bytes, expected ${expected.size}; the download was not kept`, file);
  }
  if (expected.sha256 !== undefined && actual.sha256 !== expected.sha256.toLowerCase()) {
    throw new ModelError('integrity', `${file}: sha256 ${actual.sha256.slice(0, 12)}… differs from the published ${expected.sha256.slice(0, 12)}…; the download was not kept`, file);
  }
  return actual.sha256;
}
