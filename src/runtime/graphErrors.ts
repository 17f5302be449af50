// Errors that name the graph file a load could not read: our own ONNX decode (`not an ONNX model`) and
// onnxruntime's protobuf failures at session creation, told apart from other session errors (unsupported
// operators, memory), so a damaged file can be named and offered for download again.

/** The graphs the engine opens (the VAE encoder only for a model that has one), by the names in session errors. */
export const GRAPH_OF_COMPONENT = {
  'text encoder': 'text_encoder/model.onnx',
  UNet: 'unet/model.onnx',
  'VAE decoder': 'vae_decoder/model.onnx',
  'VAE encoder': 'vae_encoder/model.onnx',
} as const;
export type GraphComponent = keyof typeof GRAPH_OF_COMPONENT;

/** Messages meaning "these bytes are no ONNX model" (our decoder, protobufjs, onnxruntime's C++ loader). */
const UNREADABLE = /not an ONNX model|protobuf parsing failed|invalid wire type|index out of range/i;

export function isUnreadableGraph(message: string): boolean {
  return UNREADABLE.test(message);
}

/** A graph file whose bytes do not parse as an ONNX model. */
export class GraphReadError extends Error {
  override readonly name = 'GraphReadError';
  constructor(
    /** The file inside the model folder (`unet/model.onnx`). */
    readonly file: string,
    /** The model as people name it (folder URL, or `owner/name`). */
    readonly model: string,
    /** What the parser said. */
    readonly detail: string,
  ) {
    super(`${file} of ${model} could not be read as an ONNX model: ${detail}`);
  }
}

/** A session that could not be created, with the component it was for. */
export class SessionError extends Error {
  override readonly name = 'SessionError';
  constructor(
    readonly component: GraphComponent,
    readonly provider: string,
    readonly detail: string,
  ) {
    super(`cannot create the ${component} session on ${provider}: ${detail}`);
  }
}

/**
 * The error to report for a failed load: a GraphReadError when the failure was an unreadable graph, else `err`.
 * `rewritten`: components whose bytes the app made itself (the instrumented UNet, re-encoded after our decoder
 * read the file without error): their parse failures are ours, not a damaged file, and are never offered for
 * re-download.
 */
export function namedGraphError(err: unknown, model: string, rewritten: readonly GraphComponent[] = []): unknown {
  if (err instanceof GraphReadError) return err;
  if (err instanceof SessionError && isUnreadableGraph(err.detail)) {
    if (rewritten.includes(err.component)) {
      return new Error(`onnxruntime could not read the instrumented ${err.component} made from ${GRAPH_OF_COMPONENT[err.component]} of ${model} (${err.detail}); the file itself parsed, so this is an instrumentation bug, not a damaged download: please report it, and choose another model meanwhile`);
    }
    return new GraphReadError(GRAPH_OF_COMPONENT[err.component], model, err.detail);
  }
  return err;
}
