// Integrity of a downloaded file: its byte count against the expected size and its sha256 (WebCrypto,
// the Git LFS oid the Hub publishes) against the expected digest; plus reading the Hub's size/etag headers.

import { ModelError } from './errors';

const SHA256_HEX = /^[0-9a-f]{64}$/;

export async function sha256Hex(data: Blob | Uint8Array): Promise<string> {
  // WebCrypto has no streaming digest: the whole file is hashed at once (for the 1.7 GB UNet weights that
  // is one 1.7 GB ArrayBuffer for a moment; see docs/models.md).
  const buffer = data instanceof Blob ? await data.arrayBuffer() : data;
  const digest = await crypto.subtle.digest('SHA-256', buffer as BufferSource);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
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

/** Throws ModelError('length') or ('integrity') when the bytes are not the expected file. */
export async function verifyFile(file: string, blob: Blob, expected: { size?: number; sha256?: string }): Promise<string | undefined> {
  if (expected.size !== undefined && blob.size !== expected.size) {
    throw new ModelError('length', `${file}: received ${blob.size} bytes, expected ${expected.size}; the download was not kept`, file);
  }
  if (expected.sha256 === undefined) return undefined;
  const actual = await sha256Hex(blob);
  if (actual !== expected.sha256.toLowerCase()) {
    throw new ModelError('integrity', `${file}: sha256 ${actual.slice(0, 12)}… differs from the published ${expected.sha256.slice(0, 12)}…; the download was not kept`, file);
  }
  return actual;
}
