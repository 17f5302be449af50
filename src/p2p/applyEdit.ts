/**
 * CPU reference of the edit the instrumented UNet makes between softmax and the value product.
 * Attention is `[groups·P·heads, Q, K]` (groups: 2 with classifier-free guidance, uncond first;
 * 1 in low-memory mode); only the last group is edited, prompt 0 of it being the source.
 */
import type { EditParams } from './editPlan';

export const SELF_MAX_QUERY = 256;

export function applyEdit(
  attn: Float32Array,
  dims: [number, number, number],
  prompts: number,
  isCross: boolean,
  params: EditParams,
  selfMaxQuery = SELF_MAX_QUERY,
  groups = 2,
): Float32Array {
  const [batch, queries, keys] = dims;
  if (attn.length !== batch * queries * keys) throw new Error(`attention has ${attn.length} values, dims say ${batch * queries * keys}`);
  const heads = batch / (groups * prompts);
  if (!Number.isInteger(heads) || heads < 1) {
    throw new Error(`batch ${batch} is not groups (${groups}) × prompts (${prompts}) × heads`);
  }
  const out = attn.slice();
  const plane = queries * keys;
  const group = (groups - 1) * prompts * heads; // first batch row of the edited group
  const replaceSelf = !isCross && params.selfReplace && queries <= selfMaxQuery;
  if (!isCross && !replaceSelf) return out;
  if (isCross && params.map.length !== (prompts - 1) * keys * keys) {
    throw new Error(`p2p map is not [${prompts - 1}, ${keys}, ${keys}]`);
  }

  for (let e = 1; e < prompts; e++) {
    for (let h = 0; h < heads; h++) {
      const base = (group + h) * plane;
      const target = (group + e * heads + h) * plane;
      if (replaceSelf) {
        out.set(attn.subarray(base, base + plane), target);
        continue;
      }
      const m = (e - 1) * keys * keys;
      const g = (e - 1) * keys;
      for (let qi = 0; qi < queries; qi++) {
        const row = qi * keys;
        for (let k = 0; k < keys; k++) {
          let mapped = 0;
          for (let s = 0; s < keys; s++) mapped += attn[base + row + s] * params.map[m + s * keys + k];
          out[target + row + k] = mapped * params.gain[g + k] + attn[target + row + k] * params.keep[g + k];
        }
      }
    }
  }
  return out;
}
