// The engine's module worker: wires EngineHandler to `self` with the onnxruntime-web model loader.
// Only outside onnxruntime's own thread workers (`em-pthread…`), which re-load this same chunk.

import { loadWebModel } from '../src/runtime/webModel';
import { EngineHandler, type ModelFactory } from './engineHandler';
import { isOrtThreadWorker } from './ortThreads';

const loadModel: ModelFactory = async (request, onLoading, signal) => {
  const model = await loadWebModel(request.baseUrl, { provider: request.provider, onLoading, signal });
  const { provider, fallbackReason, instrumentReport, instrumentError } = model;
  return { pipeline: model, backend: provider, fallbackReason, report: instrumentReport, instrumentError, dispose: () => model.dispose() };
};

if (!isOrtThreadWorker()) {
  const scope = self as unknown as DedicatedWorkerGlobalScope;
  const handler = new EngineHandler({ loadModel, post: (event, transfer) => scope.postMessage(event, transfer) });
  scope.addEventListener('message', (event: MessageEvent<unknown>) => handler.handle(event.data));
}
