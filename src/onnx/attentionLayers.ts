/**
 * Finds the attention layers of a UNet export and classifies them. Anchor: a Softmax whose output
 * (possibly through Cast/Identity) is the first input of a MatMul (the value product). Behind it, the
 * Q·Kᵀ MatMul; behind Kᵀ, the key projection: cross-attention when it reads `encoder_hidden_states`.
 * Fused `com.microsoft` (Multi-Head)Attention nodes count as layers too (rewritten only if edited).
 * Place and resolution level come from diffusers module names in node names (`/down_blocks.1/…`);
 * where a node name has none, from graph order (see `structuralPlacements`).
 */
import { GraphIndex, PASS_THROUGH_OPS } from './graphIndex';
import type { NodeProto } from './proto';
import { fusedKey, isFusedAttention } from './unfuseAttention';

export type AttentionKind = 'cross' | 'self';
export type AttentionPlace = 'down' | 'mid' | 'up';

export interface AttentionLayer {
  /** Module path from node names, e.g. `down_blocks.1/attentions.0/transformer_blocks.0/attn2`. */
  name: string;
  /** The Softmax node, or the fused attention node (`fused`). */
  anchor: NodeProto;
  /** A `com.microsoft` fused attention node: its probabilities exist only once it is rewritten. */
  fused: boolean;
  /** The probabilities tensor (Softmax output; empty for fused nodes). */
  probs: string;
  kind: AttentionKind;
  place: AttentionPlace;
  /** Index of the down/up block (0 for mid). */
  block: number;
  /** 0 at the latent resolution, +1 per downsampling. */
  level: number;
  /** Where place/block/level came from: diffusers module names, or the downsamplings/upsamplings before it. */
  placedBy: 'name' | 'graph-order';
}

export class AttentionPatternError extends Error {
  constructor(node: NodeProto, detail: string) {
    super(`attention layer at node "${node.name ?? '(unnamed)'}" cannot be classified: ${detail}`);
    this.name = 'AttentionPatternError';
  }
}

const SCORE_OPS = new Set(['Mul', 'Div', 'Add', 'Sub', 'Cast', 'Identity', 'Where']);
const PLACE_PATTERN = /(down_blocks|up_blocks)[./](\d+)|mid_block/;

function valueMatMul(index: GraphIndex, probs: string): NodeProto | undefined {
  for (const node of index.consumersOf(probs)) {
    if (node.opType === 'MatMul' && node.input?.[0] === probs) return node;
    if (node.opType === 'Cast' || node.opType === 'Identity') {
      const found = valueMatMul(index, node.output![0]);
      if (found) return found;
    }
  }
  return undefined;
}

/** The Q·Kᵀ MatMul behind the softmax input, through scaling, bias and masking ops. */
function scoresMatMul(index: GraphIndex, start: string): NodeProto | undefined {
  let frontier = [start];
  for (let depth = 0; depth < 6 && frontier.length > 0; depth++) {
    const next: string[] = [];
    for (const tensor of frontier) {
      const node = index.producer.get(tensor);
      if (!node) continue;
      if (node.opType === 'MatMul' && !node.input!.some((i) => index.isStatic(i))) return node;
      if (SCORE_OPS.has(node.opType ?? '')) next.push(...node.input!.filter((i) => i && !index.isStatic(i)));
    }
    frontier = next;
  }
  return undefined;
}

/** The tensor the key projection reads, following Kᵀ back through layout ops and scalings. */
function keySource(index: GraphIndex, keysT: string): string | undefined {
  let tensor = keysT;
  for (let depth = 0; depth < 16; depth++) {
    const node = index.producer.get(tensor);
    if (!node) return undefined;
    if (node.opType === 'MatMul' || node.opType === 'Gemm') {
      let source = node.input![0];
      for (let p = index.producer.get(source); p && (p.opType === 'Cast' || p.opType === 'Identity'); p = index.producer.get(source)) {
        source = p.input![0];
      }
      return source;
    }
    if (PASS_THROUGH_OPS.has(node.opType ?? '')) tensor = node.input![0];
    else if (node.opType === 'Mul' || node.opType === 'Div' || node.opType === 'Add') {
      const data = node.input!.filter((i) => !index.isStatic(i));
      if (data.length !== 1) return undefined;
      tensor = data[0];
    } else return undefined;
  }
  return undefined;
}

function modulePath(node: NodeProto): string {
  const name = node.name ?? '';
  const parts = name.split('/').filter(Boolean);
  return parts.slice(0, -1).join('/') || name;
}

/** Number of down and up blocks, from the highest block indices in node names. */
function blockCounts(index: GraphIndex): { down: number; up: number } {
  let down = 0;
  let up = 0;
  for (const node of index.graph.node ?? []) {
    const name = node.name ?? '';
    for (const m of name.matchAll(/(down_blocks|up_blocks)[./](\d+)/g)) {
      const n = Number(m[2]) + 1;
      if (m[1] === 'down_blocks') down = Math.max(down, n);
      else up = Math.max(up, n);
    }
  }
  return { down, up };
}

/**
 * A stride-2 convolution (a diffusers `Downsample2D`): `Conv`, or the channels-last `com.microsoft.NhwcConv` that
 * onnxruntime's transformers optimizer writes for CUDA.
 */
function isDownsampling(node: NodeProto): boolean {
  if (node.opType !== 'Conv' && node.opType !== 'NhwcConv') return false;
  const strides = node.attribute?.find((a) => a.name === 'strides')?.ints ?? [];
  return strides.some((s) => Number(s) > 1);
}

/** An upsampling (a diffusers `Upsample2D`: nearest Resize, or the deprecated Upsample op). */
function isUpsampling(node: NodeProto): boolean {
  return node.opType === 'Resize' || node.opType === 'Upsample';
}

interface Placement {
  place: AttentionPlace;
  block: number;
  level: number;
}

/** A skip connection entering an up block: a Concat along channels (axis 1). */
function isSkipConcat(node: NodeProto): boolean {
  return node.opType === 'Concat' && Number(node.attribute?.find((a) => a.name === 'axis')?.i ?? 0) === 1;
}

/** Where a node sits in graph order: downsamplings and upsamplings before it, skip concats at the deepest level. */
interface GraphPosition {
  down: number;
  up: number;
  deepSkips: number;
}

/**
 * Place from graph order, for exports whose node names carry no module paths. ONNX nodes are
 * topologically sorted, and a diffusers UNet runs its blocks in order: an attention node after d of
 * the D downsamplings and u ≥ 1 upsamplings is in `up_blocks.u`, at level D − u; before any
 * upsampling and before d = D it is in `down_blocks.d`. At the deepest level (d = D, u = 0) three
 * blocks share the resolution: `down_blocks.D` (attention in SDXL-like configs, none in SD 1.x/2.x),
 * the mid block, and `up_blocks.0`, whose resnets start at the first skip Concat. The mid block holds
 * one transformer block (as in SD and our toy), i.e. the last two attention layers before that Concat.
 */
function structuralPlacements(index: GraphIndex, anchors: NodeProto[]): Map<NodeProto, Placement> {
  const nodes = index.graph.node ?? [];
  const totalDown = nodes.filter(isDownsampling).length;
  const seen = new Map<NodeProto, GraphPosition>();
  const at: GraphPosition = { down: 0, up: 0, deepSkips: 0 };
  for (const node of nodes) {
    if (isDownsampling(node)) at.down += 1;
    if (isUpsampling(node)) at.up += 1;
    if (isSkipConcat(node) && at.down === totalDown && at.up === 0) at.deepSkips += 1;
    seen.set(node, { ...at });
  }
  const deepest = (p: GraphPosition) => totalDown > 0 && p.down === totalDown && p.up === 0;
  const midAnchors = new Set(anchors.filter((a) => deepest(seen.get(a)!) && seen.get(a)!.deepSkips === 0).slice(-2));
  const placements = new Map<NodeProto, Placement>();
  for (const anchor of anchors) {
    const p = seen.get(anchor)!;
    if (p.up > 0) placements.set(anchor, { place: 'up', block: p.up, level: Math.max(0, totalDown - p.up) });
    else if (deepest(p) && p.deepSkips > 0) placements.set(anchor, { place: 'up', block: 0, level: totalDown });
    else if (midAnchors.has(anchor)) placements.set(anchor, { place: 'mid', block: 0, level: totalDown });
    else placements.set(anchor, { place: 'down', block: p.down, level: p.down });
  }
  return placements;
}

/** A readable name for a layer placed by graph order: `up_blocks.1/attention.2/attn2`. */
function structuralName(p: Placement, kind: AttentionKind, ordinal: number): string {
  const block = p.place === 'mid' ? 'mid_block' : `${p.place}_blocks.${p.block}`;
  return `${block}/attention.${ordinal}/${kind === 'cross' ? 'attn2' : 'attn1'}`;
}

export function findAttentionLayers(index: GraphIndex, contextInput: string): AttentionLayer[] {
  const counts = blockCounts(index);
  const layers: AttentionLayer[] = [];
  const unnamed: AttentionLayer[] = [];
  for (const node of index.graph.node ?? []) {
    let source: string | undefined;
    let probs = '';
    const fused = isFusedAttention(node);
    if (fused) {
      const key = fusedKey(node);
      source = key === undefined ? '' : keySource(index, key);
      if (source === undefined) throw new AttentionPatternError(node, 'its key input does not come from a key projection (MatMul/Gemm)');
    } else if (node.opType === 'Softmax') {
      probs = node.output![0];
      if (!valueMatMul(index, probs)) continue; // a softmax that is not attention
      const qk = scoresMatMul(index, node.input![0]);
      if (!qk) throw new AttentionPatternError(node, 'no Q·Kᵀ MatMul found before the Softmax');
      source = keySource(index, qk.input![1]);
      if (source === undefined) throw new AttentionPatternError(node, 'the keys do not lead back to a key projection (MatMul/Gemm)');
    } else continue;
    const kind = source === contextInput ? 'cross' : 'self';
    const place = PLACE_PATTERN.exec(node.name ?? '');
    if (place) {
      const where: AttentionPlace = place[1] === 'down_blocks' ? 'down' : place[1] === 'up_blocks' ? 'up' : 'mid';
      const block = place[2] === undefined ? 0 : Number(place[2]);
      const level = where === 'down' ? block : where === 'mid' ? counts.down - 1 : counts.up - 1 - block;
      layers.push({ name: modulePath(node), anchor: node, fused, probs, kind, place: where, block, level, placedBy: 'name' });
      continue;
    }
    const layer: AttentionLayer = { name: '', anchor: node, fused, probs, kind, place: 'down', block: 0, level: 0, placedBy: 'graph-order' };
    layers.push(layer);
    unnamed.push(layer);
  }
  if (unnamed.length > 0) placeByGraphOrder(index, unnamed);
  return layers;
}

/** Fills place, block, level and a readable name of the layers whose node names carry no module path. */
function placeByGraphOrder(index: GraphIndex, layers: AttentionLayer[]): void {
  const placements = structuralPlacements(index, layers.map((l) => l.anchor));
  const ordinals = new Map<string, number>();
  for (const layer of layers) {
    const p = placements.get(layer.anchor)!;
    const key = `${p.place}${p.block}${layer.kind}`;
    const ordinal = ordinals.get(key) ?? 0;
    ordinals.set(key, ordinal + 1);
    Object.assign(layer, p, { name: structuralName(p, layer.kind, ordinal) });
  }
}
