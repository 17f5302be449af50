/**
 * onnxruntime-web's multi-threaded wasm starts its thread workers from the script that imported it,
 * i.e. our bundled worker chunk, named `em-pthread…`. Worker entries must not install their own
 * message handlers there, or they would swallow the runtime's messages.
 */
export function isOrtThreadWorker(): boolean {
  return ((self as unknown as { name?: string }).name ?? '').startsWith('em-pthread');
}
