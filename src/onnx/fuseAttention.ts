/**
 * Fuses an unfused diffusers attention layer that the edit leaves alone (large self-attention) into
 * one `com.microsoft.MultiHeadAttention` node, so that runtimes with a fused kernel (onnxruntime's
 * WebGPU and CPU providers) never materialise its `[B·h, S, S]` probability matrix.
 *
 * Recognised: `proj_q/k/v [B, S, h·d]` → head split (Reshape [B,S,h,d] → Transpose(0,2,1,3), then
 * Reshape [B·h,S,d] in the 3-D form) → `MatMul(Q, Kᵀ)` → scale (Mul/Div by a constant) → Softmax →
 * `MatMul(·, V)` → head merge (back to `[B, S, h·d]`). The scale may also be split over Q and Kᵀ (`Mul` by
 * constant √scale each before the scores MatMul, as torch.onnx's SDPA symbolic writes it). Anything else is
 * left unfused (still correct).
 */
import type { AttentionLayer } from './attentionLayers';
import type { GraphIndex } from './graphIndex';
import { DataType, onnx, toNumber, type NodeProto, type TensorProto } from './proto';

export interface AttentionFusion {
  /** The MultiHeadAttention node, to stand where the value MatMul stood. */
  node: NodeProto;
  /** The value MatMul it replaces (its position in the node list). */
  at: NodeProto;
  /** Nodes whose work the fused node does (the shape computations feeding them become dead). */
  removed: NodeProto[];
}

const HEAD_SPLIT = '0,2,1,3';

function perm(node: NodeProto): string {
  return (node.attribute?.find((a) => a.name === 'perm')?.ints ?? []).map((v) => toNumber(v)).join(',');
}

/** A float scalar constant (initializer or Constant node), or undefined. */
function scalar(index: GraphIndex, name: string): number | undefined {
  const init = index.graph.initializer?.find((t) => t.name === name);
  const tensor: TensorProto | null | undefined = init ?? index.producer.get(name)?.attribute?.find((a) => a.name === 'value')?.t;
  if (!tensor) return undefined;
  if ((tensor.dims ?? []).reduce((n: number, d) => n * toNumber(d), 1) !== 1) return undefined;
  if (tensor.floatData?.length) return tensor.floatData[0];
  const raw = tensor.rawData;
  if (!raw || raw.byteLength < 2) return undefined;
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  if (tensor.dataType === DataType.FLOAT) return view.getFloat32(0, true);
  if (tensor.dataType === DataType.DOUBLE) return view.getFloat64(0, true);
  return undefined;
}

/**
 * Constant scalings of the scores MatMul's inputs (`Mul(Q, c)`, `Mul(Kᵀ, c)`), peeled off: their product, the
 * tensors they scale, and the Mul nodes. Inputs without one are passed through with factor 1.
 */
function peelInputScales(index: GraphIndex, scores: NodeProto): { factor: number; inputs: [string, string]; muls: NodeProto[] } {
  let factor = 1;
  const muls: NodeProto[] = [];
  const inputs = scores.input!.slice(0, 2).map((input) => {
    const mul = index.producer.get(input);
    if (mul?.opType !== 'Mul' || index.consumersOf(input).length !== 1) return input;
    const [a, b] = mul.input!;
    const right = scalar(index, b);
    const c = right ?? scalar(index, a);
    if (c === undefined || !(c > 0)) return input;
    factor *= c;
    muls.push(mul);
    return right !== undefined ? a : b;
  });
  return { factor, inputs: [inputs[0], inputs[1]], muls };
}

/** Walks producers back through single-consumer layout ops; returns the chain (nearest last) and its source. */
function layoutChainBack(index: GraphIndex, tensor: string): { chain: NodeProto[]; source: string } {
  const chain: NodeProto[] = [];
  let current = tensor;
  for (let node = index.producer.get(current); node && (node.opType === 'Reshape' || node.opType === 'Transpose'); node = index.producer.get(current)) {
    if (index.consumersOf(current).length !== 1) break;
    chain.unshift(node);
    current = node.input![0];
  }
  return { chain, source: current };
}

/** Follows single consumers forward through layout ops; returns the chain and the tensor it ends in. */
function layoutChainForward(index: GraphIndex, tensor: string): { chain: NodeProto[]; result: string } {
  const chain: NodeProto[] = [];
  let current = tensor;
  for (;;) {
    const consumers = index.consumersOf(current);
    if (consumers.length !== 1) break;
    const node = consumers[0];
    if ((node.opType !== 'Reshape' && node.opType !== 'Transpose') || node.input![0] !== current) break;
    chain.push(node);
    current = node.output![0];
  }
  return { chain, result: current };
}

const transposes = (chain: NodeProto[]) => chain.filter((n) => n.opType === 'Transpose').map(perm);

/** `[Reshape, Transpose(0,2,1,3)]` plus an optional Reshape folding heads into the batch. */
function isHeadSplit(chain: NodeProto[], keys: boolean): boolean {
  const ops = chain.map((n) => n.opType).join(' ');
  const t = transposes(chain);
  if (!keys) return (ops === 'Reshape Transpose' || ops === 'Reshape Transpose Reshape') && t[0] === HEAD_SPLIT;
  // Kᵀ: the split followed by a last-two-axes transpose, or one Transpose doing both.
  if (ops === 'Reshape Transpose') return t[0] === '0,2,3,1';
  if (ops === 'Reshape Transpose Transpose') return t[0] === HEAD_SPLIT && t[1] === '0,1,3,2';
  if (ops === 'Reshape Transpose Reshape Transpose') return t[0] === HEAD_SPLIT && t[1] === '0,2,1';
  return false;
}

/** Back to `[B, S, h·d]`: optional Reshape to `[B, h, S, d]`, Transpose(0,2,1,3), Reshape. */
function isHeadMerge(chain: NodeProto[]): boolean {
  const ops = chain.map((n) => n.opType).join(' ');
  return (ops === 'Transpose Reshape' || ops === 'Reshape Transpose Reshape') && transposes(chain)[0] === HEAD_SPLIT;
}

/** The output width of a projection `MatMul(x, W)` with a constant 2-D W, or of `Add(that, bias)`. */
function projectionWidth(index: GraphIndex, tensor: string): number | undefined {
  let node = index.producer.get(tensor);
  if (node?.opType === 'Add') node = node.input!.map((i) => index.producer.get(i)).find((n) => n?.opType === 'MatMul');
  if (node?.opType !== 'MatMul') return undefined;
  const weight = index.graph.initializer?.find((t) => t.name === node.input![1]);
  const dims = weight?.dims?.map((d) => toNumber(d));
  return dims && dims.length === 2 ? dims[1] : undefined;
}

/** The fusion of one unfused layer, or a reason why it stays as it is. */
export function planAttentionFusion(index: GraphIndex, layer: AttentionLayer, opset: number): AttentionFusion | string {
  if (layer.fused) return 'already fused';
  const softmax = layer.anchor;
  const axisAttr = softmax.attribute?.find((a) => a.name === 'axis');
  // Before opset 13 a missing axis means 1 (with flattening): not the per-row softmax of attention.
  if (!axisAttr && opset < 13) return 'softmax without an explicit axis before opset 13';
  const axis = axisAttr ? toNumber(axisAttr.i) : -1;
  const consumers = index.consumersOf(layer.probs);
  if (consumers.length !== 1 || consumers[0].opType !== 'MatMul' || consumers[0].input![0] !== layer.probs) return 'probabilities used elsewhere';
  const valueMatMul = consumers[0];

  // Scores: MatMul(Q, Kᵀ), then one constant scaling (Mul or Div) into the softmax.
  let scores = index.producer.get(softmax.input![0]);
  let scale: number | undefined;
  const removed: NodeProto[] = [softmax, valueMatMul];
  if (scores && (scores.opType === 'Mul' || scores.opType === 'Div')) {
    const [a, b] = scores.input!;
    const right = scalar(index, b);
    const left = scores.opType === 'Mul' && right === undefined ? scalar(index, a) : undefined;
    const constant = right ?? left;
    if (constant === undefined || !(constant > 0)) return 'scores scaled by a non-constant';
    if (index.consumersOf(scores.output![0]).length !== 1) return 'scores used elsewhere';
    scale = scores.opType === 'Mul' ? constant : 1 / constant;
    removed.push(scores);
    scores = index.producer.get(right !== undefined ? a : b);
  }
  if (!scores || scores.opType !== 'MatMul' || index.consumersOf(scores.output![0]).length !== 1) return 'no Q·Kᵀ MatMul';
  const peeled = peelInputScales(index, scores);
  if (peeled.muls.length > 0) scale = (scale ?? 1) * peeled.factor;
  // Without an explicit scaling the head size cannot be read from it (it may be folded into weights).
  if (scale === undefined) return 'scores not scaled by a constant';
  removed.push(scores, ...peeled.muls);

  const q = layoutChainBack(index, peeled.inputs[0]);
  const k = layoutChainBack(index, peeled.inputs[1]);
  const v = layoutChainBack(index, valueMatMul.input![1]);
  const out = layoutChainForward(index, valueMatMul.output![0]);
  if (!isHeadSplit(q.chain, false) || !isHeadSplit(k.chain, true) || !isHeadSplit(v.chain, false) || !isHeadMerge(out.chain)) {
    return 'head split/merge layout not recognised';
  }
  // Probabilities are [B·h, S, S] after a folding Reshape, else [B, h, S, S]: the softmax must be over the last axis.
  const rank = q.chain.length === 3 ? 3 : 4;
  if (axis !== -1 && axis !== rank - 1) return 'softmax over another axis';
  const width = projectionWidth(index, q.source);
  if (width === undefined) return 'query projection width unknown';
  // scale = 1/√d, so heads = width / d = width · scale².
  const heads = Math.round(width * scale * scale);
  if (!(heads >= 1) || width % heads !== 0 || Math.abs(width * scale * scale - heads) > 1e-3 * heads) return `scale ${scale} is not 1/√(head size)`;
  removed.push(...q.chain, ...k.chain, ...v.chain, ...out.chain);

  const node = onnx.NodeProto.create({
    name: `${softmax.name ?? layer.name}/FusedMultiHeadAttention`,
    opType: 'MultiHeadAttention',
    domain: 'com.microsoft',
    input: [q.source, k.source, v.source],
    output: [out.result],
    attribute: [
      onnx.AttributeProto.create({ name: 'num_heads', type: onnx.AttributeProto.AttributeType.INT, i: heads }),
      // The kernel's default scale is 1/√(head size); set it only when the export scales differently.
      ...(Math.abs(scale * Math.sqrt(width / heads) - 1) > 1e-6
        ? [onnx.AttributeProto.create({ name: 'scale', type: onnx.AttributeProto.AttributeType.FLOAT, f: scale })]
        : []),
    ],
  });
  return { node, at: valueMatMul, removed };
}

/** Drops nodes none of whose outputs is used (the shape computations of fused layers), repeatedly. */
export function removeDeadNodes(nodes: NodeProto[], graphOutputs: Set<string>): NodeProto[] {
  let kept = nodes;
  for (;;) {
    const used = new Set(graphOutputs);
    for (const n of kept) for (const i of n.input ?? []) if (i) used.add(i);
    const next = kept.filter((n) => (n.output ?? []).some((o) => used.has(o)));
    if (next.length === kept.length) return kept;
    kept = next;
  }
}
