// Peak signal-to-noise ratio between two 8-bit RGBA images (alpha ignored), in dB: how closely a picture's
// reconstruction (encode → decode, or inversion → regeneration) returns it. Infinity for identical images.

export function psnr(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length || a.length % 4 !== 0) throw new Error(`psnr: images of ${a.length} and ${b.length} bytes`);
  let sum = 0;
  let n = 0;
  for (let i = 0; i < a.length; i++) {
    if (i % 4 === 3) continue;
    const d = a[i] - b[i];
    sum += d * d;
    n += 1;
  }
  return sum === 0 ? Infinity : 10 * Math.log10((255 * 255 * n) / sum);
}
