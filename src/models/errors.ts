// Typed errors of the model download/cache layer: one class with a `code` the UI and the worker
// protocol can switch on (a plain string union survives structured cloning; the message is for people).

export type ModelErrorCode =
  | 'not-found' // HTTP 404: the repo, revision or file does not exist
  | 'server' // HTTP 5xx after the retries
  | 'http' // any other unexpected HTTP status
  | 'network' // the connection failed or dropped, and the retries ran out
  | 'length' // the bytes received differ from the expected size
  | 'integrity' // the sha256 differs from the expected one
  | 'aborted' // cancelled through the AbortSignal
  | 'quota' // not enough storage for the download
  | 'invalid-model' // model_index.json missing parts, or an input that is no repo id / URL
  | 'damaged' // a cached file failed its check when loaded (size, sha256), is gone, or is no readable model
  | 'capability'; // the device cannot run the model

export class ModelError extends Error {
  override readonly name = 'ModelError';
  constructor(
    readonly code: ModelErrorCode,
    message: string,
    /** The file (path inside the model) the error is about, when there is one. */
    readonly file?: string,
    /** The HTTP status, for 'not-found' | 'server' | 'http'. */
    readonly status?: number,
  ) {
    super(message);
  }
}

export function isModelError(err: unknown, code?: ModelErrorCode): err is ModelError {
  return err instanceof ModelError && (code === undefined || err.code === code);
}

/** The error an aborted signal stands for, as a ModelError (keeps the signal's reason text). */
export function abortError(signal: AbortSignal, file?: string): ModelError {
  const reason = signal.reason instanceof Error ? signal.reason.message : String(signal.reason ?? 'aborted');
  return new ModelError('aborted', `download cancelled${file ? ` (${file})` : ''}: ${reason}`, file);
}

/** The typed error for a final HTTP status. */
export function httpError(status: number, file: string, url: string, hubCode?: string | null): ModelError {
  if (status === 404) {
    const what = hubCode === 'RepoNotFound' ? 'the repository does not exist (or is private)' : hubCode === 'RevisionNotFound' ? 'the revision does not exist' : 'the file does not exist';
    return new ModelError('not-found', `${file}: not found (HTTP 404, ${what}) at ${url}`, file, status);
  }
  if (status === 401 || status === 403) {
    return new ModelError('http', `${file}: access denied (HTTP ${status}); gated or private repositories are not supported`, file, status);
  }
  if (status >= 500) return new ModelError('server', `${file}: the server failed (HTTP ${status}) at ${url}; try again later`, file, status);
  return new ModelError('http', `${file}: unexpected HTTP ${status} from ${url}`, file, status);
}

/** What about a model folder's layout the studio does not support (`LayoutError.pattern`). */
export type LayoutPattern =
  | 'model-index' // model_index.json names components or classes the studio cannot run
  | 'missing-graph' // text_encoder/, unet/ or vae_decoder/ has no model.onnx
  | 'missing-file' // a required config (scheduler) is absent
  | 'pytorch-weights' // PyTorch weights where an ONNX graph should be
  | 'no-tokenizer' // neither tokenizer/tokenizer.json nor tokenizer/vocab.json + merges.txt
  | 'missing-external-data' // a graph names an external-data file the folder lacks
  | 'external-data-path' // an external-data location outside the graph's folder
  | 'unsupported-element-type' // a graph input of a type the engine cannot feed (e.g. bfloat16, int8)
  | 'unreadable-graph' // a graph file whose bytes are no ONNX model
  | 'missing-input' // a graph without the input the engine feeds (sample, input_ids, latent_sample)
  | 'bad-config' // a config value of the wrong form (sample_size, block_out_channels)
  | 'unknown-latent-size' // no sample_size, no VAE factor, no static sample dims
  | 'not-instrumentable'; // the UNet could not be rewritten for Prompt-to-Prompt

/**
 * A model folder the studio cannot use, the same in Node and the browser: names the model, the file and
 * the unsupported pattern (all three are in the message). A ModelError with code 'invalid-model'.
 */
export class LayoutError extends ModelError {
  constructor(
    /** The model as people name it (`owner/name`, folder URL or path). */
    readonly model: string,
    file: string,
    readonly pattern: LayoutPattern,
    /** What is wrong, without the model and file. */
    readonly detail: string,
  ) {
    super('invalid-model', `${model}: ${file}: ${detail} (unsupported model layout: ${pattern})`, file);
  }
}

export function isLayoutError(err: unknown, pattern?: LayoutPattern): err is LayoutError {
  return err instanceof LayoutError && (pattern === undefined || err.pattern === pattern);
}
