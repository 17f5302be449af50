/**
 * Emits the Prompt-to-Prompt edit of one attention layer as plain ONNX ops (see ARCHITECTURE.md):
 * probabilities `[groups·P·heads, Q, K]` (or `[groups·P, heads, Q, K]`); in the last (conditional) group,
 * edit prompts e ≥ 1 become
 *   cross: (A[0] @ M[e]) ⊙ G[e] + A[e] ⊙ H[e]      self: A[0] where p2p_self, else A[e].
 * With `selfMaxQuery` (graphs whose latent size is only known at run time) the self replacement also
 * requires the layer's query length, read from the probabilities' shape in the graph, to be ≤ it.
 * The probabilities are viewed by batch row g·P + p (a Reshape to a target shared by all layers). Cross: one Split
 * cuts off the conditional edit rows (the last E), a Gather takes the source row once per edit, the gain is folded
 * into the maps once per call, one Concat puts the rows back. Self: a Gather of rows (edit rows → source row) and
 * a Where on p2p_self.
 * Few nodes per layer: on small UNets each node's launch weighs more than the edit arithmetic (docs/benchmarks.md).
 */
import { GraphBuilder, INT64_MAX } from './builder';

/** Tensors shared by every layer's edit, built once from the graph and p2p inputs. */
export interface SharedEditTensors {
  /** `[1]` int64: prompts P = E + 1. */
  prompts: string;
  /** Reshape targets viewing any layer's probabilities by batch row g·P + p: `[G·P, −1, K]` (cross, K tokens), `[G·P, −1]` (self). */
  crossView: string;
  selfView: string;
  /** `[2]` int64 split sizes along the batch: `[(G − 1)·P + 1, E]` — every row before the conditional edits, the edits. */
  editSplit: string;
  /** `[1]` int64 row of the conditional source, (G − 1)·P, and of its first edit. */
  sourceAt: string;
  editsAt: string;
  /** `[E]` int64: the source row once per edit (gathers the source as the edits' counterpart; none when E = 0). */
  sourceRows: string;
  /** `[G·P]` int64 rows: every row itself, except that the conditional edits gather the source row. */
  replacedRows: string;
  /** `[E, K, K]` token maps with the gain folded in (M ⊙ G, column by column), and `[E, 1, K]` keep. */
  mapGain: string;
  keep: string;
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
  const mapShape = b.op('Shape', [names.map]);
  const edits = b.shapePart(mapShape, 0, 1);
  const tokens = b.shapePart(mapShape, -1);
  const prompts = b.op('Add', [edits, b.ints([1])]);
  const sourceAt = b.op('Sub', [batch, prompts], [], 'SourceAt');
  const editsAt = b.op('Sub', [batch, edits], [], 'EditsAt');
  const editSplit = b.concat([editsAt, edits], 0, 'EditSplit');
  const crossView = b.concat([batch, b.ints([-1]), tokens], 0, 'CrossView');
  const selfView = b.concat([batch, b.ints([-1])], 0, 'SelfView');
  const sourceRows = b.op('Expand', [sourceAt, edits], [], 'SourceRows');
  const scalar = (x: string) => b.op('Reshape', [x, b.ints([])]);
  const rowIds = b.op('Range', [scalar(b.ints([0])), scalar(batch), scalar(b.ints([1]))], [], 'RowIds');
  const replacedRows = b.op('Where', [b.op('Greater', [rowIds, sourceAt]), sourceAt, rowIds], [], 'ReplacedRows');
  // (A·M) ⊙ g = A·(M ⊙ g) for g scaling M's columns: the gain costs one small Mul per call, not one per layer.
  const mapGain = b.op('Mul', [floatCast(names.map), b.unsqueeze(floatCast(names.gain), [1], opset)], [], 'MapGain');
  const keep = b.unsqueeze(floatCast(names.keep), [1], opset);
  const selfFlag = b.op('Cast', [names.self], [b.intAttr('to', 9 /* BOOL */)]);
  return { prompts, crossView, selfView, editSplit, sourceAt, editsAt, sourceRows, replacedRows, mapGain, keep, selfFlag };
}

export function emitLayerEdit(
  b: GraphBuilder,
  probs: string,
  kind: 'cross' | 'self',
  shared: SharedEditTensors,
  withMap: boolean,
  reduceMean: (x: string, axis: number) => string,
  opset: number,
  selfMaxQuery?: number,
): LayerEdit {
  const shape = b.op('Shape', [probs]);
  let full: string;
  if (kind === 'cross') {
    // [G·P·h, Q, K] and [G·P, h, Q, K] alike, viewed by batch row: [G·P, h·Q, K].
    const rows = b.op('Reshape', [probs, shared.crossView], [], 'ByBatchRow');
    const [kept, edits] =
      opset >= 13
        ? b.opMulti('Split', [rows, shared.editSplit], 2, [b.intAttr('axis', 0)], 'Split')
        : [b.rowSlice(rows, b.ints([0]), shared.editsAt, 'Kept'), b.rowSlice(rows, shared.editsAt, b.ints([INT64_MAX]), 'Edits')];
    const sources = b.op('Gather', [rows, shared.sourceRows], [b.intAttr('axis', 0)], 'Sources');
    const edited = b.op('Add', [b.op('MatMul', [sources, shared.mapGain]), b.op('Mul', [edits, shared.keep])]);
    full = b.concat([kept, edited], 0, 'AllRows');
  } else {
    // Self: where p2p_self is set, edit rows take the source's probabilities (a Gather of rows). The flag selects on
    // the data, not on the indices: the indices are computed from shapes alone, so that a runtime that keeps the
    // data on a GPU never reads the flag back to pick them.
    const rows = b.op('Reshape', [probs, shared.selfView], [], 'ByBatchRow');
    const flag = selfMaxQuery === undefined ? shared.selfFlag : gateByQueries(b, shape, shared.selfFlag, selfMaxQuery);
    const replaced = b.op('Gather', [rows, shared.replacedRows], [b.intAttr('axis', 0)], 'SourceForEdits');
    full = b.op('Where', [flag, replaced, rows], [], 'SelfReplaced');
  }
  const out = b.op('Reshape', [full, shape], [], 'EditedProbs');
  if (!withMap) return { probs: out };
  // Head-mean of the conditional group (its rows of the edited batch): [P, h, Q, K] → [P, Q, K].
  const group = b.rowSlice(full, shared.sourceAt, b.ints([INT64_MAX]), 'ConditionalGroup');
  const heads = b.op('Reshape', [group, b.concat([shared.prompts, b.ints([-1]), b.shapePart(shape, -2)], 0)], [], 'ByHead');
  return { probs: out, map: reduceMean(heads, 1) };
}

/** `flag ∧ (queries ≤ limit)`, the query count taken from the probabilities' shape at run time. */
function gateByQueries(b: GraphBuilder, shape: string, flag: string, limit: number): string {
  const queries = b.shapePart(shape, -2, -1);
  const small = b.op('Not', [b.op('Greater', [queries, b.ints([limit])])], [], 'QueriesWithinLimit');
  return b.op('And', [flag, small], [], 'SelfReplaceHere');
}
