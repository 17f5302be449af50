// The engine worker of the benchmark page: workers/engine.worker.ts plus one extra message that fixes the
// wasm thread count (1 or 2) before the model loads, by pinning navigator.hardwareConcurrency that configureWasm reads.

import { loadWebModel } from '../../src/runtime/webModel';
import { EngineHandler, type ModelFactory } from '../../workers/engineHandler';
import { isOrtThreadWorker } from '../../workers/ortThreads';

const loadModel: ModelFactory = async (request, onLoading, signal) => {
  const model = await loadWebModel(request.baseUrl, { provider: request.provider, onLoading, signal });
  const { provider, fallbackReason, instrumentReport, instrumentError } = model;
  return { pipeline: model, backend: provider, fallbackReason, report: instrumentReport, instrumentError, dispose: () => model.dispose() };
};

/** The slice of DedicatedWorkerGlobalScope used here (this file is typechecked with the DOM lib). */
interface WorkerScope {
  navigator: object;
  postMessage(message: unknown, transfer: Transferable[]): void;
  addEventListener(type: 'message', listener: (event: MessageEvent<unknown>) => void): void;
}

if (!isOrtThreadWorker()) {
  const scope = self as unknown as WorkerScope;
  const handler = new EngineHandler({ loadModel, post: (event, transfer) => scope.postMessage(event, transfer) });
  scope.addEventListener('message', (event) => {
    const data = event.data as { type?: string; threads?: number };
    if (data?.type === 'bench-threads' && typeof data.threads === 'number') {
      // configureWasm() uses min(4, hardwareConcurrency) threads on a cross-origin isolated page.
      Object.defineProperty(scope.navigator, 'hardwareConcurrency', { value: data.threads, configurable: true });
      return;
    }
    handler.handle(event.data);
  });
}
