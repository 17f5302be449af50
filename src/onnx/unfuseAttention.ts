/**
 * Rewrites a fused `com.microsoft.MultiHeadAttention` node (query, key, value `[B, S|L, D]`, optional packed
 * bias; or onnxruntime's packed QKV `[B, S, N, 3, H]` / packed KV `[B, L, N, 2, H]`) or `com.microsoft.Attention`
 * node (input, packed QKV weights and bias; self-attention) into explicit ops so its probabilities exist: Q·Kᵀ·scale → Softmax → [edit] → ·V, heads on axis 1.
 */
import { GraphBuilder } from './builder';
import type { NodeProto } from './proto';

export function isFusedAttention(node: NodeProto): boolean {
  return node.domain === 'com.microsoft' && (node.opType === 'MultiHeadAttention' || node.opType === 'Attention');
}

export class UnsupportedFusedAttentionError extends Error {
  constructor(node: NodeProto, detail: string) {
    super(`fused attention node "${node.name ?? '(unnamed)'}" (${node.opType}) is not supported: ${detail}`);
    this.name = 'UnsupportedFusedAttentionError';
  }
}

function attr(node: NodeProto, name: string): { i?: number; f?: number } | undefined {
  const a = node.attribute?.find((x) => x.name === name);
  if (!a) return undefined;
  return { i: a.i === null || a.i === undefined ? undefined : Number(a.i), f: a.f ?? undefined };
}

/** The key tensor `[B, L, D]` of a fused node, or undefined for packed self-attention (`Attention`). */
export function fusedKey(node: NodeProto): string | undefined {
  return node.opType === 'MultiHeadAttention' ? node.input?.[1] || undefined : undefined;
}

/** Query, key and value `[B, n, D]` tensors of a fused node. */
function fusedInputs(b: GraphBuilder, node: NodeProto, opset: number): { q: string; k: string; v: string } {
  const inputs = node.input ?? [];
  if (node.opType === 'MultiHeadAttention') {
    if (inputs.slice(4).some(Boolean)) throw new UnsupportedFusedAttentionError(node, 'masks, attention bias or past key/values');
    if (!inputs[2]) {
      // Packed inputs, as onnxruntime's UNet fusion writes them: QKV [B, S, N, 3, H] as the query (no key), or
      // KV [B, L, N, 2, H] as the key (no value). Split on axis 3 and merge the heads back to [B, n, N·H].
      if (inputs[3]) throw new UnsupportedFusedAttentionError(node, 'packed inputs with a bias');
      const unpack = (packed: string, parts: number, label: string) =>
        b
          .opMulti('Split', [packed], parts, [b.intAttr('axis', 3), ...(opset >= 18 ? [b.intAttr('num_outputs', parts)] : [])], label)
          .map((t) => b.op('Reshape', [t, b.ints([0, 0, -1])]));
      if (!inputs[1]) {
        const [q, k, v] = unpack(inputs[0], 3, 'SplitPackedQKV');
        return { q, k, v };
      }
      const [k, v] = unpack(inputs[1], 2, 'SplitPackedKV');
      return { q: inputs[0], k, v };
    }
    if (!inputs[1]) throw new UnsupportedFusedAttentionError(node, 'a value without a key');
    let [q, k, v] = inputs;
    if (inputs[3]) {
      const [bq, bk, bv] = b.opMulti('Split', [inputs[3]], 3, opset >= 18 ? [b.intAttr('num_outputs', 3)] : [], 'SplitBias');
      q = b.op('Add', [q, bq]);
      k = b.op('Add', [k, bk]);
      v = b.op('Add', [v, bv]);
    }
    return { q, k, v };
  }
  if (inputs.slice(3).some(Boolean)) throw new UnsupportedFusedAttentionError(node, 'masks or past state');
  if (node.attribute?.some((a) => a.name === 'qkv_hidden_sizes')) throw new UnsupportedFusedAttentionError(node, 'qkv_hidden_sizes');
  const [x, weights, bias] = inputs;
  let qkv = b.op('MatMul', [x, weights]);
  if (bias) qkv = b.op('Add', [qkv, bias]);
  const splitAttrs = [b.intAttr('axis', -1), ...(opset >= 18 ? [b.intAttr('num_outputs', 3)] : [])];
  const [q, k, v] = b.opMulti('Split', [qkv], 3, splitAttrs, 'SplitQKV');
  return { q, k, v };
}

/**
 * Emits the explicit attention replacing `node`; `edit` receives the probabilities `[B, N, S, L]`
 * and returns the tensor the value product should use. The last node writes the fused node's output.
 */
export function emitExplicitAttention(b: GraphBuilder, node: NodeProto, opset: number, edit: (probs: string) => string, floatType: number): void {
  const heads = attr(node, 'num_heads')?.i;
  if (!heads) throw new UnsupportedFusedAttentionError(node, 'missing num_heads');
  if (attr(node, 'unidirectional')?.i) throw new UnsupportedFusedAttentionError(node, 'unidirectional (causal) attention');
  const qkv = fusedInputs(b, node, opset);
  const split = (x: string, perm: number[]) =>
    b.op('Transpose', [b.op('Reshape', [x, b.ints([0, 0, heads, -1])])], [b.intsAttr('perm', perm)]);
  const q = split(qkv.q, [0, 2, 1, 3]); // [B, N, S, H]
  const kT = split(qkv.k, [0, 2, 3, 1]); // [B, N, H, L]
  const v = split(qkv.v, [0, 2, 1, 3]); // [B, N, L, H]
  const given = attr(node, 'scale')?.f;
  // Default scale 1/√H from the head size, in the attention's float type: CastLike from opset 15; before it
  // (onnxruntime-optimised opset-14 exports) a Cast to the UNet's float type, which fused nodes share with it.
  const scale32 = given
    ? b.floats([given])
    : b.op('Reciprocal', [b.op('Sqrt', [b.op('Cast', [b.slice(b.op('Shape', [q]), 3, 4, 0)], [b.intAttr('to', 1)])])]);
  const scale = opset >= 15 ? b.op('CastLike', [scale32, q]) : b.op('Cast', [scale32], [b.intAttr('to', floatType)]);
  const scores = b.op('Mul', [b.op('MatMul', [q, kT], [], 'MatMul'), scale], [], 'Mul');
  const probs = b.op('Softmax', [scores], [b.intAttr('axis', -1)], 'Softmax');
  const context = b.op('MatMul', [edit(probs), v], [], 'MatMul_1');
  const merged = b.op('Transpose', [context], [b.intsAttr('perm', [0, 2, 1, 3])]);
  b.op('Reshape', [merged, b.ints([0, 0, -1])], [], 'Merge', node.output![0]);
}
