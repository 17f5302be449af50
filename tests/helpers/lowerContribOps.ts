/**
 * Test-only: rewrites the onnxruntime contrib ops that its transformers optimizer writes for CUDA UNets
 * (`NhwcConv`, `GroupNorm`, `SkipGroupNorm`, `BiasSplitGelu`, `BiasAdd`, all `com.microsoft`) into standard ONNX
 * ops computed in float32, and `MultiHeadAttention` with packed QKV or KV into the same op with separate inputs, following their definitions in onnxruntime's docs/ContribOperators.md. onnxruntime-node's
 * CPU provider has no kernels for them, so this is how the corpus test runs an ORT-optimised UNet: the instrumenter
 * sees the real graph; only the session that executes it (stock and instrumented alike) gets the lowered form.
 */
import { GraphBuilder } from '../../src/onnx/builder';
import { DataType, decodeModel, defaultOpset, encodeModel, onnx, type AttributeProto, type NodeProto } from '../../src/onnx/proto';

const LOWERED = new Set(['NhwcConv', 'GroupNorm', 'SkipGroupNorm', 'BiasSplitGelu', 'BiasAdd', 'MultiHeadAttention']);

/** Packed QKV: the query input [B, L, N, 3, H], no key or value; packed KV: a key [B, L, N, 2, H] and no value. */
function packing(node: NodeProto): 'qkv' | 'kv' | undefined {
  if (node.opType !== 'MultiHeadAttention' || node.input![2]) return undefined;
  return node.input![1] ? 'kv' : 'qkv';
}

const isPackedAttention = (node: NodeProto) => packing(node) !== undefined;

const lowers = (node: NodeProto) =>
  LOWERED.has(node.opType!) && (node.domain ?? '') === 'com.microsoft' && (node.opType !== 'MultiHeadAttention' || isPackedAttention(node));

/** The contrib ops of `bytes` that `lowerContribOps` rewrites, with their counts. */
export function contribOpsToLower(bytes: Uint8Array): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const n of decodeModel(bytes).graph!.node!) if (lowers(n)) counts[n.opType!] = (counts[n.opType!] ?? 0) + 1;
  return counts;
}

function attr(node: NodeProto, name: string): AttributeProto | undefined {
  return node.attribute?.find((a) => a.name === name);
}

const intOf = (node: NodeProto, name: string, fallback: number) => Number(attr(node, name)?.i ?? fallback);

/** Rewrites every contrib op of LOWERED; `half`: the graph's float tensors are float16 (casts around each op). */
export function lowerContribOps(bytes: Uint8Array, half: boolean): Uint8Array {
  const model = decodeModel(bytes);
  const graph = model.graph!;
  const opset = defaultOpset(model);
  const nodes: NodeProto[] = [];
  graph.node!.forEach((node, k) => {
    if (!lowers(node)) {
      nodes.push(node);
      return;
    }
    const b = new GraphBuilder(`/lowered/${node.opType}_${k}`);
    const f32 = (x: string) => b.op('Cast', [x], [b.intAttr('to', DataType.FLOAT)]);
    const out = (x: string, name: string) =>
      half ? b.op('Cast', [x], [b.intAttr('to', DataType.FLOAT16)], 'Cast', name) : b.op('Identity', [x], [], 'Identity', name);
    const transpose = (x: string, perm: number[]) => b.op('Transpose', [x], [b.intsAttr('perm', perm)]);
    const mean = (x: string) =>
      opset >= 18 ? b.op('ReduceMean', [x, b.ints([2])], [b.intAttr('keepdims', 1)]) : b.op('ReduceMean', [x], [b.intsAttr('axes', [2]), b.intAttr('keepdims', 1)]);
    // y = gamma · (x − mean) / √(var + ε) + beta per group of channels, then SiLU if asked; NHWC unless channels_last = 0.
    const groupNorm = (x: string, gamma: string, beta: string) => {
      const last = intOf(node, 'channels_last', 1) === 1;
      const nchw = last ? transpose(x, [0, 3, 1, 2]) : x;
      const grouped = b.op('Reshape', [nchw, b.ints([0, intOf(node, 'groups', 32), -1])]);
      const centred = b.op('Sub', [grouped, mean(grouped)]);
      const variance = mean(b.op('Mul', [centred, centred]));
      const epsilon = attr(node, 'epsilon')?.f ?? 1e-5;
      const normed = b.op('Div', [centred, b.op('Sqrt', [b.op('Add', [variance, b.floats([epsilon])])])]);
      const perChannel = (v: string) => b.op('Reshape', [f32(v), b.ints([-1, 1, 1])]);
      const scaled = b.op('Reshape', [normed, b.op('Shape', [nchw])]);
      let y = b.op('Add', [b.op('Mul', [scaled, perChannel(gamma)]), perChannel(beta)]);
      if (intOf(node, 'activation', 0) === 1) y = b.op('Mul', [y, b.op('Sigmoid', [y])]);
      return last ? transpose(y, [0, 2, 3, 1]) : y;
    };
    const [x, second, third, fourth, fifth] = node.input!;
    switch (node.opType) {
      case 'NhwcConv': {
        // NHWC input, weights [M, kH, kW, C/group]: the same Conv in NCHW between two transposes.
        const inputs = [transpose(f32(x), [0, 3, 1, 2]), transpose(f32(second), [0, 3, 1, 2])];
        if (third) inputs.push(f32(third));
        const y = b.op('Conv', inputs, node.attribute ?? []);
        out(transpose(y, [0, 2, 3, 1]), node.output![0]);
        break;
      }
      case 'GroupNorm':
        out(groupNorm(f32(x), second, third), node.output![0]);
        break;
      case 'SkipGroupNorm': {
        // s = x + skip (+ bias); y = GroupNorm(s); optional second output s.
        // The skip is (N, H, W, C), (N, 1, 1, C) or (N, C): channels-last, both viewed as [N, -1, C] broadcast alike.
        const last = intOf(node, 'channels_last', 1) === 1;
        const rowShape = last ? b.op('Concat', [b.ints([0, -1]), b.slice(b.op('Shape', [x]), 3, 4, 0)], [b.intAttr('axis', 0)]) : '';
        const rows = (t: string) => (last ? b.op('Reshape', [t, rowShape]) : t);
        let sum = b.op('Add', [rows(f32(x)), rows(f32(fourth))]);
        if (fifth) sum = b.op('Add', [sum, f32(fifth)]);
        if (last) sum = b.op('Reshape', [sum, b.op('Shape', [x])]);
        out(groupNorm(sum, second, third), node.output![0]);
        if (node.output![1]) out(sum, node.output![1]);
        break;
      }
      case 'BiasSplitGelu': {
        // (x + bias) split in halves along the last axis: left · Gelu(right), Gelu(v) = v/2 · (1 + erf(v/√2)).
        const h = b.op('Add', [f32(x), f32(second)]);
        const [left, right] = b.opMulti('Split', [h], 2, [b.intAttr('axis', -1), ...(opset >= 18 ? [b.intAttr('num_outputs', 2)] : [])]);
        const erf = b.op('Erf', [b.op('Mul', [right, b.floats([Math.SQRT1_2])])]);
        const gelu = b.op('Mul', [b.op('Mul', [right, b.floats([0.5])]), b.op('Add', [erf, b.floats([1])])]);
        out(b.op('Mul', [left, gelu]), node.output![0]);
        break;
      }
      case 'MultiHeadAttention': {
        // Packed [B, L, N, k, H] → k tensors [B, L, N·H] (the kernel's own dtype: the CPU runs float16 attention).
        const parts = packing(node) === 'qkv' ? 3 : 2;
        const packed = parts === 3 ? x : second;
        const split = b.opMulti('Split', [packed], parts, [b.intAttr('axis', 3), ...(opset >= 18 ? [b.intAttr('num_outputs', parts)] : [])]);
        const flat = split.map((t) => b.op('Reshape', [t, b.ints([0, 0, -1])]));
        const inputs = parts === 3 ? flat : [x, ...flat];
        b.nodes.push(onnx.NodeProto.create({ name: `${node.name}/unpacked`, opType: 'MultiHeadAttention', domain: 'com.microsoft', input: [...inputs, ...node.input!.slice(3)], output: node.output, attribute: node.attribute }));
        break;
      }
      case 'BiasAdd':
        out(b.op('Add', [b.op('Add', [f32(x), f32(second)]), f32(third)]), node.output![0]);
        break;
    }
    nodes.push(...b.nodes);
    graph.initializer!.push(...b.initializers);
  });
  graph.node = nodes;
  return encodeModel(model);
}
