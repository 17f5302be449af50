// Incremental SHA-256 (FIPS 180-4) in plain TypeScript: fed chunk by chunk, so a 1.7 GB file is hashed
// without ever being one buffer (WebCrypto's `digest` takes the whole input at once). Pure: no DOM, no Node.

/** The first 32 bits of the fractional parts of the cube roots of the first 64 primes (FIPS 180-4 §4.2.2). */
const K = new Int32Array([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3,
  0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
  0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
  0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
]);

/** Initial hash value H(0) (FIPS 180-4 §5.3.3). */
const H0 = [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19];

export class Sha256 {
  private readonly state = new Int32Array(H0);
  private readonly w = new Int32Array(64);
  /** Bytes of an unfinished 64-byte block carried to the next update. */
  private readonly pending = new Uint8Array(64);
  private pendingBytes = 0;
  private totalBytes = 0;
  private finished = false;

  /** Feeds more bytes (any length, any number of calls). */
  update(data: Uint8Array): this {
    if (this.finished) throw new Error('Sha256: update after digest');
    const n = data.length;
    this.totalBytes += n;
    let i = 0;
    if (this.pendingBytes > 0) {
      const take = Math.min(64 - this.pendingBytes, n);
      this.pending.set(data.subarray(0, take), this.pendingBytes);
      this.pendingBytes += take;
      i = take;
      if (this.pendingBytes < 64) return this;
      this.blocks(this.pending, 0, 64);
      this.pendingBytes = 0;
    }
    const end = i + Math.floor((n - i) / 64) * 64;
    if (end > i) this.blocks(data, i, end);
    if (end < n) {
      this.pending.set(data.subarray(end), 0);
      this.pendingBytes = n - end;
    }
    return this;
  }

  /** The 32-byte digest; the hasher cannot be fed afterwards. */
  digest(): Uint8Array {
    if (this.finished) throw new Error('Sha256: digest called twice');
    const bits = this.totalBytes * 8;
    const tail = new Uint8Array(this.pendingBytes < 56 ? 64 : 128);
    tail.set(this.pending.subarray(0, this.pendingBytes));
    tail[this.pendingBytes] = 0x80;
    // The message length in bits, big-endian, in the last 8 bytes (exact below 2^53 bits).
    const hi = Math.floor(bits / 2 ** 32);
    const lo = bits >>> 0;
    const at = tail.length - 8;
    tail[at] = hi >>> 24;
    tail[at + 1] = hi >>> 16;
    tail[at + 2] = hi >>> 8;
    tail[at + 3] = hi;
    tail[at + 4] = lo >>> 24;
    tail[at + 5] = lo >>> 16;
    tail[at + 6] = lo >>> 8;
    tail[at + 7] = lo;
    this.blocks(tail, 0, tail.length);
    this.finished = true;
    const out = new Uint8Array(32);
    for (let j = 0; j < 8; j++) {
      const v = this.state[j];
      out[j * 4] = v >>> 24;
      out[j * 4 + 1] = v >>> 16;
      out[j * 4 + 2] = v >>> 8;
      out[j * 4 + 3] = v;
    }
    return out;
  }

  digestHex(): string {
    return toHex(this.digest());
  }

  /**
   * Compresses the 64-byte blocks `d[start, end)` (`end - start` a multiple of 64) into the state. Every
   * sum is truncated to 32 bits pairwise (`| 0`) so V8 keeps it in int32 arithmetic: about twice as fast
   * as letting sums of several terms overflow into doubles first.
   */
  private blocks(d: Uint8Array, start: number, end: number): void {
    const w = this.w;
    const s = this.state;
    for (let p = start; p < end; p += 64) {
      for (let t = 0; t < 16; t++) {
        const q = p + t * 4;
        w[t] = (d[q] << 24) | (d[q + 1] << 16) | (d[q + 2] << 8) | d[q + 3];
      }
      for (let t = 16; t < 64; t++) {
        const x = w[t - 15];
        const y = w[t - 2];
        const s0 = ((x >>> 7) | (x << 25)) ^ ((x >>> 18) | (x << 14)) ^ (x >>> 3);
        const s1 = ((y >>> 17) | (y << 15)) ^ ((y >>> 19) | (y << 13)) ^ (y >>> 10);
        w[t] = (((s1 + w[t - 7]) | 0) + ((s0 + w[t - 16]) | 0)) | 0;
      }
      let a = s[0], b = s[1], c = s[2], dd = s[3], e = s[4], f = s[5], g = s[6], h = s[7];
      for (let t = 0; t < 64; t++) {
        const S1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
        const ch = (e & f) ^ (~e & g);
        const t1 = (((S1 + ch) | 0) + ((h + ((K[t] + w[t]) | 0)) | 0)) | 0;
        const S0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
        const t2 = (S0 + ((a & b) ^ (a & c) ^ (b & c))) | 0;
        h = g;
        g = f;
        f = e;
        e = (dd + t1) | 0;
        dd = c;
        c = b;
        b = a;
        a = (t1 + t2) | 0;
      }
      s[0] = (s[0] + a) | 0;
      s[1] = (s[1] + b) | 0;
      s[2] = (s[2] + c) | 0;
      s[3] = (s[3] + dd) | 0;
      s[4] = (s[4] + e) | 0;
      s[5] = (s[5] + f) | 0;
      s[6] = (s[6] + g) | 0;
      s[7] = (s[7] + h) | 0;
    }
  }
}

export function toHex(bytes: Uint8Array): string {
  let out = '';
  for (const b of bytes) out += b.toString(16).padStart(2, '0');
  return out;
}
