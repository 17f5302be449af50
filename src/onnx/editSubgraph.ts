/**
 * Emits the Prompt-to-Prompt edit of one attention layer as plain ONNX ops (see ARCHITECTURE.md):
 * probabilities `[groups·P·heads, Q, K]` (or `[groups·P, heads, Q, K]`) are viewed as
 * `[G, P, h, Q, K]`; in the last group, edit prompts e ≥ 1 become
 *   cross: (A[0] @ M[e]) ⊙ G[e] + A[e] ⊙ H[e]      self: A[0] where p2p_self, else A[e].
 * With `selfMaxQuery` (graphs whose latent size is only known at run time) the self replacement also
 * requires the layer's query length, read from the probabilities' shape in the graph, to be ≤ it.
 */
import { GraphBuilder, INT64_MAX } from './builder';

/** Tensors shared by every layer's edit, built once from the graph and p2p inputs. */
export interface SharedEditTensors {
  /** `[1]` int64: batch of `sample` (groups × prompts). */
  batch: string;
  /** `[1]` int64: prompts P = E + 1. */
  prompts: string;
  /** `[1, E, 1, K, K]` token maps. */
  map5: string;
  /** `[1, E, 1, 1, K]` gain and keep. */
  gain5: string;
  keep5: string;
  /** `[1]` bool: replace self-attention this call. */
  selfFlag: string;
}

export interface LayerEdit {
  /** The edited probabilities, same shape as the input. */
  probs: string;
  /** `[P, Q, K]` head-mean of the edited conditional group (only when `withMap`). */
  map?: string;
}

export function emitSharedTensors(
  b: GraphBuilder,
  names: { sample: string; map: string; gain: string; keep: string; self: string },
  floatCast: (x: string) => string,
  opset: number,
): SharedEditTensors {
  const batch = b.shapePart(b.op('Shape', [names.sample]), 0, 1);
  const edits = b.shapePart(b.op('Shape', [names.map]), 0, 1);
  const prompts = b.op('Add', [edits, b.ints([1])]);
  // Unsqueeze rather than Reshape: a computed shape with E = 0 (one prompt) would read as "copy".
  const map5 = b.unsqueeze(floatCast(names.map), [0, 2], opset);
  const gain5 = b.unsqueeze(floatCast(names.gain), [0, 2, 3], opset);
  const keep5 = b.unsqueeze(floatCast(names.keep), [0, 2, 3], opset);
  const selfFlag = b.op('Cast', [names.self], [b.intAttr('to', 9 /* BOOL */)]);
  return { batch, prompts, map5, gain5, keep5, selfFlag };
}

export function emitLayerEdit(
  b: GraphBuilder,
  probs: string,
  kind: 'cross' | 'self',
  shared: SharedEditTensors,
  withMap: boolean,
  reduceMean: (x: string, axis: number) => string,
  selfMaxQuery?: number,
): LayerEdit {
  const shape = b.op('Shape', [probs]);
  const qk = b.shapePart(shape, -2);
  const total = b.op('ReduceProd', [shape], [b.intAttr('keepdims', 1)]);
  const plane = b.op('ReduceProd', [qk], [b.intAttr('keepdims', 1)]);
  const heads = b.op('Div', [total, b.op('Mul', [plane, shared.batch])]);
  const shape5 = b.concat([b.ints([-1]), shared.prompts, heads, qk], 0);
  const a5 = b.op('Reshape', [probs, shape5]);
  const last = b.slice(a5, -1, INT64_MAX, 0, 'LastGroup');
  const rest = b.slice(a5, 0, -1, 0, 'OtherGroups');
  const source = b.slice(last, 0, 1, 1, 'Source');
  const edits = b.slice(last, 1, INT64_MAX, 1, 'Edits');
  // The source is expanded to the edits' shape first, so that E = 0 (one prompt) gives empty edits.
  const sources = b.op('Expand', [source, b.op('Shape', [edits])]);
  const edited =
    kind === 'cross'
      ? b.op('Add', [b.op('Mul', [b.op('MatMul', [sources, shared.map5]), shared.gain5]), b.op('Mul', [edits, shared.keep5])])
      : b.op('Where', [selfMaxQuery === undefined ? shared.selfFlag : gateByQueries(b, shape, shared.selfFlag, selfMaxQuery), sources, edits]);
  const newLast = b.concat([source, edited], 1, 'EditedGroup');
  const full = b.concat([rest, newLast], 0, 'AllGroups');
  const out = b.op('Reshape', [full, shape], [], 'EditedProbs');
  if (!withMap) return { probs: out };
  // Head-mean of the conditional group: [1, P, h, Q, K] → [P, Q, K].
  const mean = reduceMean(newLast, 2);
  const map = b.op('Reshape', [mean, b.concat([shared.prompts, qk], 0)], [], 'HeadMean');
  return { probs: out, map };
}

/** `flag ∧ (queries ≤ limit)`, the query count taken from the probabilities' shape at run time. */
function gateByQueries(b: GraphBuilder, shape: string, flag: string, limit: number): string {
  const queries = b.shapePart(shape, -2, -1);
  const small = b.op('Not', [b.op('Greater', [queries, b.ints([limit])])], [], 'QueriesWithinLimit');
  return b.op('And', [flag, small], [], 'SelfReplaceHere');
}
