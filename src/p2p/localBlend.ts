/**
 * LocalBlend (Prompt-to-Prompt §3.3 "local editing"): after each scheduler step, keep the source
 * latent outside the region the chosen words attend to. Follows the reference `LocalBlend`:
 * word maps → 3×3 max-pool → nearest resize to the latent → normalise by max → threshold.
 */
import { MAX_LEN, type WordTokenizer } from './tokens';
import { requireWordIndices } from './wordIndices';

/** `[P, maxLen]`: 1 at the tokens of each prompt's blend words. */
export function localBlendAlphas(prompts: string[], words: string[][], tok: WordTokenizer, maxLen = MAX_LEN): Float32Array {
  if (words.length !== prompts.length) {
    throw new Error(`LocalBlend needs one word list per prompt: ${prompts.length} prompts, ${words.length} lists`);
  }
  const alphas = new Float32Array(prompts.length * maxLen);
  prompts.forEach((prompt, p) => {
    for (const word of words[p]) {
      for (const t of requireWordIndices(prompt, word, tok, 'LocalBlend')) if (t < maxLen) alphas[p * maxLen + t] = 1;
    }
  });
  return alphas;
}

/** Weighted word map of prompt p, `[R, R]`. */
function wordMap(maps: Float32Array, p: number, pixels: number, maxLen: number, alphas: Float32Array): Float32Array {
  const out = new Float32Array(pixels);
  for (let px = 0; px < pixels; px++) {
    let sum = 0;
    const row = (p * pixels + px) * maxLen;
    for (let t = 0; t < maxLen; t++) sum += maps[row + t] * alphas[p * maxLen + t];
    out[px] = sum;
  }
  return out;
}

/** 3×3 max-pool, stride 1, borders ignored (the reference pads with −∞). */
function maxPool3(map: Float32Array, res: number): Float32Array {
  const out = new Float32Array(map.length);
  for (let y = 0; y < res; y++) {
    for (let x = 0; x < res; x++) {
      let best = -Infinity;
      for (let dy = -1; dy <= 1; dy++) {
        for (let dx = -1; dx <= 1; dx++) {
          const yy = y + dy;
          const xx = x + dx;
          if (yy >= 0 && yy < res && xx >= 0 && xx < res) best = Math.max(best, map[yy * res + xx]);
        }
      }
      out[y * res + x] = best;
    }
  }
  return out;
}

/** Thresholded mask at latent size `[H, W]` (nearest resize as torch's default `interpolate`). */
function blendMask(map: Float32Array, res: number, height: number, width: number, threshold: number): Uint8Array {
  const pooled = maxPool3(map, res);
  let max = 0;
  for (const v of pooled) max = Math.max(max, v);
  const mask = new Uint8Array(height * width);
  // No attention on the words at all: an empty mask, so the source latent is kept everywhere.
  if (!(max > 0)) return mask;
  for (let y = 0; y < height; y++) {
    const sy = Math.min(Math.floor((y * res) / height), res - 1);
    for (let x = 0; x < width; x++) {
      const sx = Math.min(Math.floor((x * res) / width), res - 1);
      mask[y * width + x] = pooled[sy * res + sx] / max > threshold ? 1 : 0;
    }
  }
  return mask;
}

/**
 * Blends `latents` `[P, C, H, W]` toward the source (prompt 0) outside the edit mask.
 * `maps` is `[P, R·R, maxLen]` cross-attention at resolution `R`, at any positive scale (sum or
 * mean over heads, layers and steps). The reference handles one edited prompt (mask = source ∪
 * edit); here every edited prompt e gets the union of its own mask and the source's.
 */
export function localBlend(
  latents: Float32Array,
  dims: [number, number, number, number],
  maps: Float32Array,
  mapRes: number,
  alphas: Float32Array,
  threshold: number,
): Float32Array {
  const [prompts, channels, height, width] = dims;
  const pixels = mapRes * mapRes;
  const maxLen = alphas.length / prompts;
  if (!Number.isInteger(maxLen)) throw new Error(`LocalBlend alphas (${alphas.length}) are not [${prompts}, maxLen]`);
  if (maps.length !== prompts * pixels * maxLen) throw new Error(`LocalBlend maps are not [${prompts}, ${pixels}, ${maxLen}]`);
  if (latents.length !== prompts * channels * height * width) throw new Error('LocalBlend latents do not match their dims');
  if (!(threshold >= 0 && threshold <= 1)) throw new Error(`LocalBlend threshold must lie in [0, 1], got ${threshold}`);

  const masks = Array.from({ length: prompts }, (_, p) =>
    blendMask(wordMap(maps, p, pixels, maxLen, alphas), mapRes, height, width, threshold),
  );
  const out = latents.slice();
  const size = height * width;
  for (let e = 1; e < prompts; e++) {
    for (let c = 0; c < channels; c++) {
      const src = c * size;
      const dst = (e * channels + c) * size;
      for (let i = 0; i < size; i++) {
        const inside = masks[0][i] | masks[e][i];
        out[dst + i] = latents[src + i] + inside * (latents[dst + i] - latents[src + i]);
      }
    }
  }
  return out;
}
