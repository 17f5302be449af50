/**
 * Keeps weights where they are. Weight initializers embedded in the original file become external-data
 * references to byte ranges of that same file, so the rewritten graph is small and the runtime
 * reads the weights from the original buffer (one copy in memory). Already-external ones are kept.
 */
import { encodeModel, type GraphProto, type ModelProto } from './proto';

const EXTERNAL = 1; // TensorProto.DataLocation.EXTERNAL
/**
 * Smaller tensors stay inline: onnxruntime's shape inference cannot read shape constants from
 * external data ("Cannot parse data from external tensors"), and copying them costs nothing.
 */
const MIN_EXTERNAL_BYTES = 1024;
const INDEX_TYPES = new Set([6, 7]); // INT32, INT64: shapes, axes, indices

export interface ExternalDataFile {
  /** The location name the rewritten graph refers to. */
  path: string;
  /** The original model bytes. */
  data: Uint8Array;
}

export function pointWeightsAtSource(graph: GraphProto, source: Uint8Array, path: string): ExternalDataFile | undefined {
  let moved = 0;
  for (const init of graph.initializer ?? []) {
    const raw = init.rawData;
    if (!raw || raw.byteLength === 0) continue;
    if (raw.buffer !== source.buffer) continue; // created by the rewrite, not a view of the source
    if (raw.byteLength < MIN_EXTERNAL_BYTES || INDEX_TYPES.has(init.dataType ?? 0)) continue;
    const offset = raw.byteOffset - source.byteOffset;
    init.externalData = [
      { key: 'location', value: path },
      { key: 'offset', value: String(offset) },
      { key: 'length', value: String(raw.byteLength) },
    ];
    init.dataLocation = EXTERNAL;
    init.rawData = new Uint8Array(0);
    moved += 1;
  }
  return moved > 0 ? { path, data: source } : undefined;
}

/**
 * The external-data storage form of a model (as Hub exports with `weights.pb`): every weight
 * initializer moved, in order, into one file named `location`. Used by tools and tests; this one
 * copies weights, since it builds a second file.
 */
export function externalizeWeights(model: ModelProto, location: string): { model: Uint8Array; weights: Uint8Array } {
  const chunks: Uint8Array[] = [];
  let offset = 0;
  for (const init of model.graph?.initializer ?? []) {
    const raw = init.rawData;
    if (!raw || raw.byteLength < MIN_EXTERNAL_BYTES || INDEX_TYPES.has(init.dataType ?? 0)) continue;
    init.externalData = [
      { key: 'location', value: location },
      { key: 'offset', value: String(offset) },
      { key: 'length', value: String(raw.byteLength) },
    ];
    init.dataLocation = EXTERNAL;
    chunks.push(raw);
    offset += raw.byteLength;
    init.rawData = new Uint8Array(0);
  }
  const weights = new Uint8Array(offset);
  let at = 0;
  for (const c of chunks) {
    weights.set(c, at);
    at += c.byteLength;
  }
  return { model: encodeModel(model), weights };
}
