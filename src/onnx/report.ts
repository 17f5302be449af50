/**
 * The instrumentation report: every attention layer found, how it was classified, whether the edit
 * was inserted, and which layers feed `p2p_attn`.
 */
import type { AttentionKind, AttentionLayer, AttentionPlace } from './attentionLayers';

export interface LayerReport {
  name: string;
  kind: AttentionKind;
  place: AttentionPlace;
  block: number;
  level: number;
  /** `name`: from diffusers module paths in node names; `graph-order`: from the down/upsamplings before it. */
  placedBy: 'name' | 'graph-order';
  queryLength: number;
  edited: boolean;
  feedsMap: boolean;
  /** Runs as one fused attention node (fused in the export and left alone, or fused by `fuseUnedited`). */
  fusedKernel: boolean;
}

export interface InstrumentReport {
  layers: LayerReport[];
  counts: { cross: number; self: number; down: number; mid: number; up: number; edited: number; mapLayers: number; fusedKernel: number };
  latentSize: [number, number];
  /**
   * `static`: the latent size (graph dims or the caller's option) fixes every query length.
   * `runtime`: estimated at `latentSize`; edited self layers check their query length in the graph.
   */
  queryLengths: 'static' | 'runtime';
  mapResolution: number;
  selfMaxQuery: number;
  opset: number;
  floatType: 'float32' | 'float16';
  /** dtype of `sample`, `encoder_hidden_states`, `out_sample` after instrumentation (fp16 models: float32 by default). */
  ioType: 'float32' | 'float16';
  /** `source-ranges`: embedded weights now reference the original file; `unchanged`: already external. */
  weights: 'source-ranges' | 'unchanged';
}

/** Queries of a layer at `level` (each downsampling halves the side, rounding up like a stride-2 conv). */
export function layerQueryLength(latent: [number, number], level: number): number {
  let [h, w] = latent;
  for (let i = 0; i < level; i++) {
    h = Math.ceil(h / 2);
    w = Math.ceil(w / 2);
  }
  return h * w;
}

export function buildReport(
  layers: AttentionLayer[],
  ctx: {
    edited: (l: AttentionLayer) => boolean;
    feedsMap: (l: AttentionLayer) => boolean;
    runsFused: (l: AttentionLayer) => boolean;
    latent: [number, number];
    runtimeSized: boolean;
    mapResolution: number;
    selfMaxQuery: number;
    opset: number;
    fp16: boolean;
    float32Interface: boolean;
    embedded: boolean;
  },
): InstrumentReport {
  const rows = layers.map((l) => ({
    name: l.name,
    kind: l.kind,
    place: l.place,
    block: l.block,
    level: l.level,
    placedBy: l.placedBy,
    queryLength: layerQueryLength(ctx.latent, l.level),
    edited: ctx.edited(l),
    feedsMap: ctx.feedsMap(l),
    fusedKernel: ctx.runsFused(l),
  }));
  const count = (f: (r: LayerReport) => boolean) => rows.filter(f).length;
  return {
    layers: rows,
    counts: {
      cross: count((r) => r.kind === 'cross'),
      self: count((r) => r.kind === 'self'),
      down: count((r) => r.place === 'down'),
      mid: count((r) => r.place === 'mid'),
      up: count((r) => r.place === 'up'),
      edited: count((r) => r.edited),
      mapLayers: count((r) => r.feedsMap),
      fusedKernel: count((r) => r.fusedKernel),
    },
    latentSize: ctx.latent,
    queryLengths: ctx.runtimeSized ? 'runtime' : 'static',
    mapResolution: ctx.mapResolution,
    selfMaxQuery: ctx.selfMaxQuery,
    opset: ctx.opset,
    floatType: ctx.fp16 ? 'float16' : 'float32',
    ioType: ctx.fp16 && !ctx.float32Interface ? 'float16' : 'float32',
    weights: ctx.embedded ? 'source-ranges' : 'unchanged',
  };
}
