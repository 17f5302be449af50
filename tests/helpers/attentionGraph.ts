/**
 * Builds small UNet-like ONNX graphs for instrumentation tests: `sample [B,4,4,4]` becomes 16 tokens,
 * then transformer-style self- and cross-attention layers named like diffusers modules, either
 * unfused (MatMul → Mul → Softmax → MatMul, heads folded into the batch) or fused as
 * `com.microsoft.MultiHeadAttention`. Weights come from a seeded generator.
 */
import { DataType, encodeModel, onnx, type NodeProto, type TensorProto } from '../../src/onnx/proto';

export const GRAPH = { channels: 4, side: 4, heads: 2, headDim: 4, contextDim: 8, tokens: 77 } as const;
const DIM = GRAPH.heads * GRAPH.headDim;

/**
 * `packed`: as onnxruntime's transformers optimizer writes UNets with packed inputs (fusion_attention_unet.py):
 * self-attention is one MatMul on weights interleaved per head → Reshape [0, 0, N, 3, H] → MultiHeadAttention(query);
 * cross-attention keeps Q and packs K/V the same way → Reshape [0, 0, N, 2, H] → MultiHeadAttention(q, kv).
 * The same seeded weights as `fused`, so the two graphs compute the same function.
 */
export type AttentionStyle = 'unfused' | 'fused' | 'packed';

/** The layers in graph order: module path and whether keys come from encoder_hidden_states. */
export const LAYERS = [
  { path: 'down_blocks.0/attentions.0/transformer_blocks.0/attn1', cross: false },
  { path: 'down_blocks.0/attentions.0/transformer_blocks.0/attn2', cross: true },
  { path: 'up_blocks.0/attentions.0/transformer_blocks.0/attn1', cross: false },
  { path: 'up_blocks.0/attentions.0/transformer_blocks.0/attn2', cross: true },
];

class Graph {
  nodes: NodeProto[] = [];
  inits: TensorProto[] = [];
  private seed = 12345;
  private n = 0;

  private random(): number {
    this.seed = (Math.imul(this.seed, 1103515245) + 12345) >>> 0;
    return this.seed / 2 ** 32 - 0.5;
  }

  weightData(rows: number, cols: number, scale: number): Float32Array {
    return Float32Array.from({ length: rows * cols }, () => this.random() * scale);
  }

  tensor(data: Float32Array, rows: number, cols: number): string {
    const name = `w${this.n++}`;
    this.inits.push(onnx.TensorProto.create({ name, dataType: DataType.FLOAT, dims: [rows, cols], rawData: new Uint8Array(data.buffer) }));
    return name;
  }

  weight(rows: number, cols: number, scale: number): string {
    return this.tensor(this.weightData(rows, cols, scale), rows, cols);
  }

  /** Weights `[rows, N·H]` each, interleaved per head into `[rows, N·parts·H]` (the packed GEMM's layout). */
  packed(parts: Float32Array[], rows: number): string {
    const { heads, headDim } = GRAPH;
    const out = new Float32Array(rows * heads * parts.length * headDim);
    let at = 0;
    for (let r = 0; r < rows; r++)
      for (let n = 0; n < heads; n++)
        for (const w of parts) for (let h = 0; h < headDim; h++) out[at++] = w[r * heads * headDim + n * headDim + h];
    return this.tensor(out, rows, heads * parts.length * headDim);
  }

  ints(values: number[]): string {
    const name = `c${this.n++}`;
    const data = BigInt64Array.from(values.map(BigInt));
    this.inits.push(onnx.TensorProto.create({ name, dataType: DataType.INT64, dims: [values.length], rawData: new Uint8Array(data.buffer) }));
    return name;
  }

  float(value: number): string {
    const name = `f${this.n++}`;
    this.inits.push(onnx.TensorProto.create({ name, dataType: DataType.FLOAT, dims: [], rawData: new Uint8Array(Float32Array.of(value).buffer) }));
    return name;
  }

  op(prefix: string, opType: string, input: string[], attrs: Record<string, number | number[]> = {}, domain = ''): string {
    const name = `/${prefix}/${opType}_${this.n++}`;
    const attribute = Object.entries(attrs).map(([key, v]) =>
      Array.isArray(v)
        ? onnx.AttributeProto.create({ name: key, type: onnx.AttributeProto.AttributeType.INTS, ints: v })
        : onnx.AttributeProto.create({ name: key, type: onnx.AttributeProto.AttributeType.INT, i: v }),
    );
    this.nodes.push(onnx.NodeProto.create({ name, opType, domain, input, output: [`${name}_out`], attribute }));
    return `${name}_out`;
  }
}

function attention(g: Graph, prefix: string, x: string, context: string | undefined, style: AttentionStyle): string {
  const source = context ?? x;
  const sourceDim = context ? GRAPH.contextDim : DIM;
  const wq = g.weightData(DIM, DIM, 0.9);
  const wk = g.weightData(sourceDim, DIM, 0.9);
  const wv = g.weightData(sourceDim, DIM, 0.9);
  let out: string;
  if (style === 'packed') {
    const { heads, headDim } = GRAPH;
    if (context) {
      const q = g.op(`${prefix}/to_q`, 'MatMul', [x, g.tensor(wq, DIM, DIM)]);
      const kv = g.op(prefix, 'Reshape', [g.op(`${prefix}/MatMul_KV`, 'MatMul', [source, g.packed([wk, wv], sourceDim)]), g.ints([0, 0, heads, 2, headDim])]);
      out = g.op(prefix, 'MultiHeadAttention', [q, kv], { num_heads: heads }, 'com.microsoft');
    } else {
      const qkv = g.op(prefix, 'Reshape', [g.op(`${prefix}/MatMul_QKV`, 'MatMul', [x, g.packed([wq, wk, wv], DIM)]), g.ints([0, 0, heads, 3, headDim])]);
      out = g.op(prefix, 'MultiHeadAttention', [qkv], { num_heads: heads }, 'com.microsoft');
    }
    const projected = g.op(`${prefix}/to_out.0`, 'MatMul', [out, g.weight(DIM, DIM, 0.5)]);
    return g.op(prefix, 'Add', [x, projected]);
  }
  const q = g.op(`${prefix}/to_q`, 'MatMul', [x, g.tensor(wq, DIM, DIM)]);
  const k = g.op(`${prefix}/to_k`, 'MatMul', [source, g.tensor(wk, sourceDim, DIM)]);
  const v = g.op(`${prefix}/to_v`, 'MatMul', [source, g.tensor(wv, sourceDim, DIM)]);
  if (style === 'fused') {
    out = g.op(prefix, 'MultiHeadAttention', [q, k, v], { num_heads: GRAPH.heads }, 'com.microsoft');
  } else {
    const foldTokens = (t: string, count: number) =>
      g.op(prefix, 'Reshape', [g.op(prefix, 'Transpose', [g.op(prefix, 'Reshape', [t, g.ints([0, 0, GRAPH.heads, GRAPH.headDim])])], { perm: [0, 2, 1, 3] }), g.ints([-1, count, GRAPH.headDim])]);
    const tokens = GRAPH.side * GRAPH.side;
    const keyCount = context ? GRAPH.tokens : tokens;
    const qb = foldTokens(q, tokens);
    const kb = foldTokens(k, keyCount);
    const vb = foldTokens(v, keyCount);
    const scores = g.op(prefix, 'Mul', [g.op(prefix, 'MatMul', [qb, g.op(prefix, 'Transpose', [kb], { perm: [0, 2, 1] })]), g.float(GRAPH.headDim ** -0.5)]);
    const probs = g.op(prefix, 'Softmax', [scores], { axis: -1 });
    const ctx = g.op(prefix, 'MatMul', [probs, vb]);
    const merged = g.op(prefix, 'Transpose', [g.op(prefix, 'Reshape', [ctx, g.ints([-1, GRAPH.heads, tokens, GRAPH.headDim])])], { perm: [0, 2, 1, 3] });
    out = g.op(prefix, 'Reshape', [merged, g.ints([0, 0, DIM])]);
  }
  const projected = g.op(`${prefix}/to_out.0`, 'MatMul', [out, g.weight(DIM, DIM, 0.5)]);
  return g.op(prefix, 'Add', [x, projected]);
}

function valueInfo(name: string, dims: (number | string)[]) {
  return onnx.ValueInfoProto.create({
    name,
    type: { tensorType: { elemType: DataType.FLOAT, shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) } } },
  });
}

/** A model with the four LAYERS; inputs `sample [B,4,4,4]`, `timestep [1]`, `encoder_hidden_states [B,77,8]`. */
export function buildAttentionGraph(style: AttentionStyle, opset = 17): Uint8Array {
  const g = new Graph();
  const tokens = GRAPH.side * GRAPH.side;
  const flat = g.op('conv_in', 'Transpose', [g.op('conv_in', 'Reshape', ['sample', g.ints([0, GRAPH.channels, tokens])])], { perm: [0, 2, 1] });
  let x = g.op('conv_in', 'MatMul', [flat, g.weight(GRAPH.channels, DIM, 1)]);
  for (const layer of LAYERS) x = attention(g, layer.path, x, layer.cross ? 'encoder_hidden_states' : undefined, style);
  const back = g.op('conv_out', 'MatMul', [x, g.weight(DIM, GRAPH.channels, 0.7)]);
  const spatial = g.op('conv_out', 'Transpose', [back], { perm: [0, 2, 1] });
  const timed = g.op('conv_out', 'Mul', [spatial, g.op('conv_out', 'Add', ['timestep', g.float(1)])]);
  g.nodes.push(onnx.NodeProto.create({ name: '/conv_out/Reshape', opType: 'Reshape', input: [timed, g.ints([0, GRAPH.channels, GRAPH.side, GRAPH.side])], output: ['out_sample'] }));
  return encodeModel(
    onnx.ModelProto.create({
      irVersion: 8,
      opsetImport: [{ domain: '', version: opset }, ...(style !== 'unfused' ? [{ domain: 'com.microsoft', version: 1 }] : [])],
      graph: {
        name: `attention-${style}`,
        node: g.nodes,
        initializer: g.inits,
        input: [valueInfo('sample', ['batch', GRAPH.channels, GRAPH.side, GRAPH.side]), valueInfo('timestep', [1]), valueInfo('encoder_hidden_states', ['batch', GRAPH.tokens, GRAPH.contextDim])],
        output: [valueInfo('out_sample', ['batch', GRAPH.channels, GRAPH.side, GRAPH.side])],
      },
    }),
  );
}
