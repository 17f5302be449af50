/**
 * Rewrites a stock diffusers-layout UNet ONNX export into the attention-instrumented UNet of
 * ARCHITECTURE.md: inputs `p2p_map`, `p2p_gain`, `p2p_keep`, `p2p_self`, output `p2p_attn`.
 * Only the graph is rewritten; weights stay where they were (see `externalWeights.ts`).
 */
import { findAttentionLayers, type AttentionLayer } from './attentionLayers';
import { GraphBuilder } from './builder';
import { emitLayerEdit, emitSharedTensors } from './editSubgraph';
import { pointWeightsAtSource, type ExternalDataFile } from './externalWeights';
import { GraphIndex } from './graphIndex';
import { planAttentionFusion, removeDeadNodes, type AttentionFusion } from './fuseAttention';
import { emitExplicitAttention } from './unfuseAttention';
import { DataType, decodeModel, defaultOpset, elemType, encodeModel, onnx, staticDims, type NodeProto } from './proto';
import { buildReport, layerQueryLength, type InstrumentReport } from './report';

export interface InstrumentOptions {
  /** Self-attention layers with at most this many queries are edited (reference: 16² = 256). */
  selfMaxQuery?: number;
  /** Side R of the attention maps reported in `p2p_attn` (queries R·R); default: two levels down. */
  mapResolution?: number;
  /** The resolution level (0 = latent size) whose cross-attention feeds `p2p_attn`, instead of `mapResolution`. */
  mapLevel?: number;
  /**
   * Latent `[h, w]` used to size layers when `sample` has symbolic dims. Without it the sizes are
   * estimated at 64×64 (SD at 512 px) and the self-attention threshold is checked in the graph.
   */
  latentSize?: [number, number];
  /** File name under which the original model bytes serve as external data (embedded weights). */
  externalDataName?: string;
  /**
   * Debug build: also output these layers' probabilities before and after the edit, as
   * `<layer name>/probs` and `<layer name>/edited` (for tests against a reference run).
   */
  exposeLayers?: string[];
  /**
   * Fuse the unfused attention layers the edit leaves alone (large self-attention) into
   * `com.microsoft.MultiHeadAttention`, for runtimes with a fused kernel (onnxruntime WebGPU, CPU).
   */
  fuseUnedited?: boolean;
  /**
   * fp16 models: take and return float32 at the graph boundary (`sample`, `timestep`,
   * `encoder_hidden_states`, `out_sample`), with Casts inside the graph (default true). One tensor
   * format for every model, and the WebGPU loop's f32 kernels can read the UNet output directly.
   */
  float32Interface?: boolean;
}

export interface InstrumentResult {
  model: Uint8Array;
  /** The original bytes, to pass to the runtime as external data, when weights were embedded. */
  externalData?: ExternalDataFile;
  report: InstrumentReport;
}

export const P2P_INPUTS = { map: 'p2p_map', gain: 'p2p_gain', keep: 'p2p_keep', self: 'p2p_self' } as const;
export const P2P_OUTPUT = 'p2p_attn';
const MIN_OPSET = 11;

/** A graph input/output declaration; `dims` undefined = shape unknown (any rank). */
function tensorInfo(name: string, type: number, dims?: (string | number)[]) {
  const shape = dims && { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) };
  return onnx.ValueInfoProto.create({ name, type: { tensorType: { elemType: type, ...(shape ? { shape } : {}) } } });
}

/** The level whose cross-attention layers feed `p2p_attn`: given, found from `mapResolution`, or one above the deepest. */
function chooseMapLevel(layers: AttentionLayer[], latent: [number, number], options: InstrumentOptions): number {
  if (options.mapLevel !== undefined) return options.mapLevel;
  const levels = [...new Set(layers.map((l) => l.level))].sort((a, b) => a - b);
  if (options.mapResolution === undefined) return Math.max(0, levels[levels.length - 1] - 1);
  const wanted = options.mapResolution ** 2;
  const level = levels.find((l) => layerQueryLength(latent, l) === wanted);
  if (level === undefined) {
    throw new Error(`no cross-attention layer has ${wanted} queries (map resolution ${options.mapResolution} at latent ${latent.join('×')})`);
  }
  return level;
}

/**
 * Every float16 graph input and output becomes float32: an input feeds a Cast to float16 that its old
 * consumers now read; an output is the Cast to float32 of what its producer wrote.
 */
function castBoundaryToFloat32(graph: NonNullable<ReturnType<typeof decodeModel>['graph']>): void {
  const rename = (from: string, to: string) => {
    for (const node of graph.node!) node.input = node.input!.map((i) => (i === from ? to : i));
  };
  const casts: NodeProto[] = [];
  const weights = new Set(graph.initializer!.map((t) => t.name));
  for (const input of graph.input!) {
    // Older exports also list their initializers as inputs: those stay as they are.
    if (elemType(input) !== DataType.FLOAT16 || weights.has(input.name)) continue;
    const half = `${input.name}/float16`;
    rename(input.name!, half);
    casts.push(onnx.NodeProto.create({ name: `/p2p/${input.name}/ToFloat16`, opType: 'Cast', input: [input.name!], output: [half], attribute: [onnx.AttributeProto.create({ name: 'to', type: onnx.AttributeProto.AttributeType.INT, i: DataType.FLOAT16 })] }));
    input.type!.tensorType!.elemType = DataType.FLOAT;
  }
  const outputs: NodeProto[] = [];
  for (const output of graph.output!) {
    if (elemType(output) !== DataType.FLOAT16) continue;
    const half = `${output.name}/float16`;
    rename(output.name!, half);
    for (const node of graph.node!) node.output = node.output!.map((o) => (o === output.name ? half : o));
    outputs.push(onnx.NodeProto.create({ name: `/p2p/${output.name}/ToFloat32`, opType: 'Cast', input: [half], output: [output.name!], attribute: [onnx.AttributeProto.create({ name: 'to', type: onnx.AttributeProto.AttributeType.INT, i: DataType.FLOAT })] }));
    output.type!.tensorType!.elemType = DataType.FLOAT;
  }
  graph.node = [...casts, ...graph.node!, ...outputs];
}

export function instrumentUnet(bytes: Uint8Array, options: InstrumentOptions = {}): InstrumentResult {
  const model = decodeModel(bytes);
  const graph = model.graph!;
  const opset = defaultOpset(model);
  if (opset < MIN_OPSET) {
    throw new Error(`the model imports ONNX opset ${opset}; the edit needs opset ${MIN_OPSET} or newer (Slice with inputs, Where)`);
  }
  if (graph.input!.some((i) => i.name === P2P_INPUTS.map)) throw new Error('the UNet is already instrumented (it has p2p_map)');
  const inputOf = (name: string) => graph.input!.find((i) => i.name === name);
  const sample = inputOf('sample');
  const context = inputOf('encoder_hidden_states');
  if (!sample || !context) {
    throw new Error(`not a diffusers UNet: expected inputs "sample" and "encoder_hidden_states", found ${graph.input!.map((i) => i.name).join(', ')}`);
  }

  const index = new GraphIndex(graph);
  const layers = findAttentionLayers(index, context.name!);
  if (layers.length === 0) throw new Error('no attention layers found (no Softmax feeding a value MatMul)');

  const floatType = elemType(sample) ?? DataType.FLOAT;
  if (floatType !== DataType.FLOAT && floatType !== DataType.FLOAT16) throw new Error(`unsupported UNet float type ${floatType}`);
  const dims = staticDims(sample);
  const staticLatent: [number, number] | undefined =
    dims && dims[2] !== undefined && dims[3] !== undefined ? [dims[2], dims[3]] : options.latentSize;
  // Unknown latent size: sizes are estimated at SD's 64×64 for the report, every self-attention layer
  // gets the edit, and the graph checks its query length against selfMaxQuery at run time (the
  // unselected branch is still computed: the app passes the size from unet/config.json instead).
  const runtimeSized = staticLatent === undefined;
  const latent = staticLatent ?? [64, 64];
  const selfMaxQuery = options.selfMaxQuery ?? 256;
  const mapLevel = chooseMapLevel(layers, latent, options);
  const mapQuery = layerQueryLength(latent, mapLevel);
  const mapResolution = Math.round(Math.sqrt(mapQuery));

  const edited = (l: AttentionLayer) => l.kind === 'cross' || runtimeSized || layerQueryLength(latent, l.level) <= selfMaxQuery;
  const feedsMap = (l: AttentionLayer) => l.kind === 'cross' && l.level === mapLevel;
  if (!layers.some(feedsMap)) throw new Error(`no cross-attention layer at level ${mapLevel} to feed ${P2P_OUTPUT}`);

  // 1. Shared tensors (depend on graph inputs only) go first.
  const b = new GraphBuilder('/p2p');
  const fp16 = floatType === DataType.FLOAT16;
  const toModelFloat = (x: string) => (fp16 ? b.op('Cast', [x], [b.intAttr('to', DataType.FLOAT16)]) : x);
  const reduceMean = (g: GraphBuilder) => (x: string, axis: number) =>
    opset >= 18
      ? g.op('ReduceMean', [x, g.ints([axis])], [g.intAttr('keepdims', 0)])
      : g.op('ReduceMean', [x], [g.intsAttr('axes', [axis]), g.intAttr('keepdims', 0)]);
  const shared = emitSharedTensors(b, { sample: sample.name!, ...P2P_INPUTS }, toModelFloat, opset);
  const sharedNodes = b.nodes.splice(0);

  // 2. Each edited layer's nodes follow its Softmax (or replace its fused node); consumers read the
  //    edited probabilities.
  const after = new Map<NodeProto, NodeProto[]>();
  const maps: string[] = [];
  const debugOutputs: ReturnType<typeof tensorInfo>[] = [];
  const replaced = new Set<NodeProto>();
  for (const layer of layers.filter(edited)) {
    const lb = new GraphBuilder(`/${layer.name}/p2p`);
    const editProbs = (probs: string): string => {
      const gate = runtimeSized && layer.kind === 'self' ? selfMaxQuery : undefined;
      const edit = emitLayerEdit(lb, probs, layer.kind, shared, feedsMap(layer), reduceMean(lb), opset, gate);
      if (edit.map) maps.push(fp16 ? lb.op('Cast', [edit.map], [lb.intAttr('to', DataType.FLOAT)]) : edit.map);
      if (options.exposeLayers?.includes(layer.name)) {
        debugOutputs.push(tensorInfo(`${layer.name}/probs`, floatType), tensorInfo(`${layer.name}/edited`, floatType));
        lb.op('Identity', [probs], [], 'Expose', `${layer.name}/probs`);
        lb.op('Identity', [edit.probs], [], 'Expose', `${layer.name}/edited`);
      }
      return edit.probs;
    };
    if (layer.fused) {
      emitExplicitAttention(lb, layer.anchor, opset, editProbs, floatType);
      replaced.add(layer.anchor);
    } else {
      const consumers = index.consumersOf(layer.probs);
      const edited = editProbs(layer.probs);
      for (const node of consumers) node.input = node.input!.map((i) => (i === layer.probs ? edited : i));
    }
    after.set(layer.anchor, lb.nodes);
    b.initializers.push(...lb.initializers);
  }
  // A chain of Adds, not one variadic Sum: onnxruntime-web's WebGPU EP has no Sum kernel, and a CPU Sum would read
  // every map back from the GPU on every call.
  let total = maps[0];
  for (let i = 1; i < maps.length; i++) total = b.op('Add', [total, maps[i]], [], 'AttentionMaps', i === maps.length - 1 ? P2P_OUTPUT : undefined);
  if (maps.length === 1) b.op('Identity', [total], [], 'AttentionMaps', P2P_OUTPUT);

  // 3. Optionally, layers left alone become one fused node each (no S×S probabilities at run time).
  const fusions = new Map<NodeProto, AttentionFusion>();
  const runsFused = new Set(layers.filter((l) => l.fused && !edited(l)));
  if (options.fuseUnedited) {
    for (const layer of layers.filter((l) => !l.fused && !edited(l))) {
      const plan = planAttentionFusion(index, layer, opset);
      if (typeof plan === 'string') continue; // left unfused: still correct, only slower
      fusions.set(plan.at, plan);
      for (const node of plan.removed) replaced.add(node);
      runsFused.add(layer);
    }
    if (fusions.size > 0 && !model.opsetImport!.some((o) => o.domain === 'com.microsoft')) {
      model.opsetImport!.push(onnx.OperatorSetIdProto.create({ domain: 'com.microsoft', version: 1 }));
    }
  }

  const nodes = [
    ...sharedNodes,
    ...graph.node!.flatMap((n) => [...(fusions.has(n) ? [fusions.get(n)!.node] : []), ...(replaced.has(n) ? [] : [n]), ...(after.get(n) ?? [])]),
    ...b.nodes,
  ];
  graph.node = fusions.size > 0 ? removeDeadNodes(nodes, new Set([...graph.output!, ...debugOutputs].map((o) => o.name!).concat(P2P_OUTPUT))) : nodes;
  graph.initializer = [...graph.initializer!, ...b.initializers];
  graph.input = [
    ...graph.input!,
    tensorInfo(P2P_INPUTS.map, DataType.FLOAT, ['edits', 77, 77]),
    tensorInfo(P2P_INPUTS.gain, DataType.FLOAT, ['edits', 77]),
    tensorInfo(P2P_INPUTS.keep, DataType.FLOAT, ['edits', 77]),
    tensorInfo(P2P_INPUTS.self, DataType.FLOAT, [1]),
  ];
  graph.output = [...graph.output!, tensorInfo(P2P_OUTPUT, DataType.FLOAT, ['prompts', runtimeSized ? 'pixels' : mapQuery, 77]), ...debugOutputs];
  const missing = (options.exposeLayers ?? []).filter((n) => !layers.some((l) => l.name === n && edited(l)));
  if (missing.length > 0) throw new Error(`cannot expose ${missing.join(', ')}: no such edited attention layer`);

  if (fp16 && options.float32Interface !== false) castBoundaryToFloat32(graph);
  const externalData = pointWeightsAtSource(graph, bytes, options.externalDataName ?? 'stock_unet.onnx');
  const report = buildReport(layers, { edited, feedsMap, runsFused: (l) => runsFused.has(l), latent, runtimeSized, mapResolution, selfMaxQuery, opset, fp16, float32Interface: options.float32Interface !== false, embedded: !!externalData });
  return { model: encodeModel(model), externalData, report };
}
