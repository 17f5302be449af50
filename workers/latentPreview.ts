// Cheap latent → RGB previews: a per-pixel affine map `rgb = x·A + b` (C×3 + 3), like the
// "latent2rgb" previewers of SD UIs, instead of a VAE decode. Coefficient origin: docs/engine.md.

import { torchRandn, type Backend } from '../src/diffusion';

/**
 * Stable Diffusion 1.x latent → RGB factors (rows: latent channels; columns R, G, B; output in
 * [-1, 1]) for latents in diffusion space (× 0.18215), as published in ComfyUI's
 * `comfy/latent_formats.py` (`SD15.latent_rgb_factors`, a least-squares fit of SD 1.5 VAE decodes).
 */
export const SD15_LATENT_RGB: readonly (readonly number[])[] = [
  [0.3512, 0.2297, 0.3227],
  [0.325, 0.4974, 0.235],
  [-0.2829, 0.1762, 0.2721],
  [-0.212, -0.2616, -0.7177],
];

/** Latents at most this many pixels are decoded once at load time to fit the map (the toy model: 64). */
const MAX_FIT_PIXELS = 32 * 32;
const RIDGE = 1e-3;

export class LatentPreview {
  /** Normal equations of the least-squares fit, features `[x_0 … x_{C−1}, 1]`. */
  private readonly xtx: Float64Array;
  private readonly xty: Float64Array;
  private samples = 0;
  /** `(C + 1) × 3`: the factors, then the bias row. */
  coefficients: Float64Array;

  constructor(readonly channels: number, initial?: readonly (readonly number[])[]) {
    const f = channels + 1;
    this.xtx = new Float64Array(f * f);
    this.xty = new Float64Array(f * 3);
    this.coefficients = new Float64Array(f * 3);
    if (initial && initial.length === channels) initial.forEach((row, c) => row.forEach((v, k) => (this.coefficients[c * 3 + k] = v)));
  }

  /**
   * Adds pairs (latent pixel, mean colour of the image block it decodes to) and refits.
   * `latents` `[B, C, h, w]` in diffusion space; `images` `[B, 3, H, W]` in [-1, 1], H = h·f, W = w·f.
   */
  addSamples(latents: Float32Array, latentDims: readonly number[], images: Float32Array, imageDims: readonly number[]): void {
    const [B, C, h, w] = latentDims;
    const [, , H, W] = imageDims;
    const fy = H / h;
    const fx = W / w;
    if (C !== this.channels || !Number.isInteger(fy) || !Number.isInteger(fx)) return;
    const f = C + 1;
    const x = new Float64Array(f);
    for (let b = 0; b < B; b++) {
      for (let i = 0; i < h; i++) {
        for (let j = 0; j < w; j++) {
          for (let c = 0; c < C; c++) x[c] = latents[((b * C + c) * h + i) * w + j];
          x[C] = 1;
          for (let r = 0; r < f; r++) for (let s = 0; s < f; s++) this.xtx[r * f + s] += x[r] * x[s];
          for (let k = 0; k < 3; k++) {
            const y = blockMean(images, b, k, H, W, i * fy, j * fx, fy, fx);
            for (let r = 0; r < f; r++) this.xty[r * 3 + k] += x[r] * y;
          }
          this.samples += 1;
        }
      }
    }
    this.refit();
  }

  /** Same, from 8-bit RGBA images (the pipeline's output). */
  addRgbaSamples(latents: Float32Array, latentDims: readonly number[], rgba: Uint8ClampedArray[], width: number, height: number): void {
    const plane = width * height;
    const images = new Float32Array(rgba.length * 3 * plane);
    rgba.forEach((img, b) => {
      for (let k = 0; k < 3; k++) for (let p = 0; p < plane; p++) images[(b * 3 + k) * plane + p] = img[p * 4 + k] / 127.5 - 1;
    });
    this.addSamples(latents, latentDims, images, [rgba.length, 3, height, width]);
  }

  /** Opaque RGBA `h × w` of prompt `index` of `latents` `[P, C, h, w]`. */
  rgba(latents: Float32Array, dims: readonly number[], index: number): Uint8ClampedArray {
    const [, C, h, w] = dims;
    const plane = h * w;
    const out = new Uint8ClampedArray(plane * 4);
    const a = this.coefficients;
    for (let p = 0; p < plane; p++) {
      for (let k = 0; k < 3; k++) {
        let v = a[C * 3 + k];
        for (let c = 0; c < C; c++) v += latents[(index * C + c) * plane + p] * a[c * 3 + k];
        out[p * 4 + k] = Math.round((v + 1) * 127.5);
      }
      out[p * 4 + 3] = 255;
    }
    return out;
  }

  private refit(): void {
    const f = this.channels + 1;
    if (this.samples < 2 * f) return;
    const m = Float64Array.from(this.xtx);
    for (let r = 0; r < f; r++) m[r * f + r] += RIDGE * this.samples;
    const solved = solve(m, Float64Array.from(this.xty), f, 3);
    if (solved.every(Number.isFinite)) this.coefficients = solved;
  }
}

function blockMean(img: Float32Array, b: number, k: number, H: number, W: number, y0: number, x0: number, fy: number, fx: number): number {
  let sum = 0;
  const base = (b * 3 + k) * H * W;
  for (let y = y0; y < y0 + fy; y++) for (let x = x0; x < x0 + fx; x++) sum += img[base + y * W + x];
  return sum / (fy * fx);
}

/** Solves `m · X = rhs` (m `n×n`, rhs `n×k`) by Gaussian elimination with partial pivoting. */
function solve(m: Float64Array, rhs: Float64Array, n: number, k: number): Float64Array {
  for (let col = 0; col < n; col++) {
    let pivot = col;
    for (let r = col + 1; r < n; r++) if (Math.abs(m[r * n + col]) > Math.abs(m[pivot * n + col])) pivot = r;
    for (let c = 0; c < n; c++) [m[col * n + c], m[pivot * n + c]] = [m[pivot * n + c], m[col * n + c]];
    for (let c = 0; c < k; c++) [rhs[col * k + c], rhs[pivot * k + c]] = [rhs[pivot * k + c], rhs[col * k + c]];
    for (let r = 0; r < n; r++) {
      if (r === col) continue;
      const factor = m[r * n + col] / m[col * n + col];
      for (let c = col; c < n; c++) m[r * n + c] -= factor * m[col * n + c];
      for (let c = 0; c < k; c++) rhs[r * k + c] -= factor * rhs[col * k + c];
    }
  }
  for (let r = 0; r < n; r++) for (let c = 0; c < k; c++) rhs[r * k + c] /= m[r * n + r];
  return rhs;
}

/**
 * The preview map for a loaded model: SD 1.x factors for 4-channel latents, refined by a fit on one
 * decode of seeded N(0, 1) latents when the latent is small enough to decode at load time; later
 * runs add their final latents and images (`addRgbaSamples`). Returns the decoded image size too.
 */
export async function createLatentPreview(
  backend: Backend,
  latentSize: [number, number] | null,
  scalingFactor: number,
): Promise<{ preview: LatentPreview; imageSize: [number, number] | null }> {
  const C = backend.capabilities.latentChannels;
  const preview = new LatentPreview(C, C === 4 ? SD15_LATENT_RGB : undefined);
  if (!latentSize || latentSize[0] * latentSize[1] > MAX_FIT_PIXELS) return { preview, imageSize: null };
  const dims: [number, number, number, number] = [2, C, latentSize[0], latentSize[1]];
  const x = torchRandn(0, dims);
  const z = x.map((v) => v / scalingFactor);
  const decoded = await backend.decode(z, dims);
  preview.addSamples(x, dims, decoded.data, decoded.dims);
  return { preview, imageSize: [decoded.dims[2], decoded.dims[3]] };
}
