// Fetching a model folder's files in the browser with byte progress and cancellation, and finding the
// external-data files (`weights.pb`, `model.onnx_data`) a graph's initializers name.

import { decodeModel } from '../onnx';

export type FetchProgress = (file: string, loaded: number, total: number) => void;

/** Progress is reported at most once per this many bytes (and always at the end). */
const REPORT_EVERY = 1 << 20;
/** Graph files at least this large are taken to embed their weights (not decoded to look for external data). */
const EMBEDDED_WEIGHTS_MIN = 32 << 20;

export class ModelFileError extends Error {
  constructor(
    readonly file: string,
    detail: string,
  ) {
    super(`cannot load ${file}: ${detail}`);
    this.name = 'ModelFileError';
  }
}

async function get(url: string, file: string, signal?: AbortSignal): Promise<Response> {
  let response: Response;
  try {
    response = await fetch(url, { signal });
  } catch (err) {
    if (signal?.aborted) throw signal.reason;
    throw new ModelFileError(file, err instanceof Error ? err.message : String(err));
  }
  if (!response.ok) throw new ModelFileError(file, `HTTP ${response.status} from ${url}`);
  return response;
}

/** The file's bytes; `onProgress(file, loaded, total)` as they arrive (`total` 0 when unknown). */
export async function fetchBytes(url: string, file: string, onProgress: FetchProgress, signal?: AbortSignal): Promise<Uint8Array> {
  const response = await get(url, file, signal);
  let total = Number(response.headers.get('content-length')) || 0;
  if (!response.body) {
    const bytes = new Uint8Array(await response.arrayBuffer());
    onProgress(file, bytes.byteLength, bytes.byteLength);
    return bytes;
  }
  const reader = response.body.getReader();
  // With a known length the bytes go straight into one buffer; a compressed or missing length collects chunks.
  let single: Uint8Array | null = total > 0 ? new Uint8Array(total) : null;
  const chunks: Uint8Array[] = [];
  let loaded = 0;
  let reported = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    if (single && loaded + value.byteLength > single.byteLength) {
      chunks.push(single.subarray(0, loaded));
      single = null;
      total = 0;
    }
    if (single) single.set(value, loaded);
    else chunks.push(value);
    loaded += value.byteLength;
    if (loaded - reported >= REPORT_EVERY) {
      reported = loaded;
      onProgress(file, loaded, total);
    }
  }
  onProgress(file, loaded, loaded);
  if (single) return loaded === single.byteLength ? single : single.subarray(0, loaded);
  const bytes = new Uint8Array(loaded);
  let offset = 0;
  for (const c of chunks) {
    bytes.set(c, offset);
    offset += c.byteLength;
  }
  return bytes;
}

/** The external-data file names a graph refers to (empty for embedded weights). */
export function externalDataLocations(bytes: Uint8Array): string[] {
  if (bytes.byteLength >= EMBEDDED_WEIGHTS_MIN) return [];
  const names = new Set<string>();
  for (const init of decodeModel(bytes).graph?.initializer ?? []) {
    for (const entry of init.externalData ?? []) if (entry.key === 'location' && entry.value) names.add(entry.value);
  }
  return [...names];
}
