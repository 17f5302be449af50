// The latent → RGB preview map: the least-squares fit recovers a known affine map from (latent pixel,
// decoded block mean) pairs, and the SD 1.x factors are the starting point for 4-channel latents.

import { describe, expect, it } from 'vitest';
import { torchRandn } from '../src/diffusion';
import { LatentPreview, SD15_LATENT_RGB } from './latentPreview';

const A = [
  [0.5, -0.2, 0.1],
  [0.1, 0.4, -0.3],
  [-0.2, 0.1, 0.6],
  [0.05, 0.05, 0.05],
];
const BIAS = [0.1, -0.05, 0.2];

/** Images whose f×f blocks are the affine map of the latent pixel (a "decoder" the fit can match). */
function decodeAffine(x: Float32Array, [B, C, h, w]: number[], f: number): Float32Array {
  const H = h * f;
  const W = w * f;
  const out = new Float32Array(B * 3 * H * W);
  for (let b = 0; b < B; b++)
    for (let y = 0; y < H; y++)
      for (let xx = 0; xx < W; xx++)
        for (let k = 0; k < 3; k++) {
          let v = BIAS[k];
          for (let c = 0; c < C; c++) v += x[((b * C + c) * h + Math.floor(y / f)) * w + Math.floor(xx / f)] * A[c][k];
          out[((b * 3 + k) * H + y) * W + xx] = v;
        }
  return out;
}

describe('LatentPreview', () => {
  it('starts from the SD 1.x factors (4 channels, no bias)', () => {
    const p = new LatentPreview(4, SD15_LATENT_RGB);
    expect(p.coefficients[0]).toBeCloseTo(0.3512, 6);
    expect(p.coefficients[4 * 3 + 2]).toBe(0);
  });

  it('recovers an affine decoder from samples', () => {
    const dims = [2, 4, 8, 8];
    const x = torchRandn(7, dims);
    const p = new LatentPreview(4, SD15_LATENT_RGB);
    p.addSamples(x, dims, decodeAffine(x, dims, 4), [2, 3, 32, 32]);
    A.forEach((row, c) => row.forEach((v, k) => expect(p.coefficients[c * 3 + k]).toBeCloseTo(v, 2)));
    BIAS.forEach((v, k) => expect(p.coefficients[4 * 3 + k]).toBeCloseTo(v, 2));
    const rgba = p.rgba(x, dims, 1);
    expect(rgba.length).toBe(8 * 8 * 4);
    expect(rgba[3]).toBe(255);
  });
});
