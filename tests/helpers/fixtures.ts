/**
 * Test-only access to the golden fixtures, the repo's copy in `tests/fixtures/reference` (see its README):
 * JSON loading and decoding of `{shape, dtype, b64}` tensors.
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const FIXTURES_DIR = resolve(REPO_ROOT, 'tests/fixtures/reference');
export const CLIP_TOKENIZER_DIR = resolve(FIXTURES_DIR, 'clip-tokenizer');

export interface EncodedTensor {
  shape: number[];
  dtype: string;
  b64: string;
}

export interface DecodedTensor {
  shape: number[];
  data: Float32Array | Float64Array | Int32Array | BigInt64Array | Uint8Array;
}

export function loadFixture<T = unknown>(name: string): T {
  return JSON.parse(readFileSync(resolve(FIXTURES_DIR, name), 'utf8')) as T;
}

export function decodeTensor(t: EncodedTensor): DecodedTensor {
  const bytes = Buffer.from(t.b64, 'base64');
  const buf = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
  switch (t.dtype) {
    case 'float32':
      return { shape: t.shape, data: new Float32Array(buf) };
    case 'float64':
      return { shape: t.shape, data: new Float64Array(buf) };
    case 'int32':
      return { shape: t.shape, data: new Int32Array(buf) };
    case 'int64':
      return { shape: t.shape, data: new BigInt64Array(buf) };
    case 'uint8':
    case 'bool':
      return { shape: t.shape, data: new Uint8Array(buf) };
    default:
      throw new Error(`unsupported fixture dtype ${t.dtype}`);
  }
}

/** Decodes a float tensor as Float32Array (float64 fixtures are narrowed). */
export function decodeFloat32(t: EncodedTensor): Float32Array {
  const { data } = decodeTensor(t);
  if (data instanceof Float32Array) return data;
  if (data instanceof Float64Array) return Float32Array.from(data);
  throw new Error(`expected a float tensor, got ${t.dtype}`);
}

/** Largest absolute difference between two arrays of equal length. */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length mismatch ${a.length} vs ${b.length}`);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}
