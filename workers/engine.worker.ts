// The engine's module worker: wires EngineHandler to `self` with the onnxruntime-web model loader (a
// folder URL, or the browser cache). Only outside onnxruntime's own thread workers, which re-load this chunk.

import { loadWebModel } from '../src/runtime/webModel';
import { EngineHandler, type ModelDownloader, type ModelFactory } from './engineHandler';
import { checkSummary, ensureCached, loadCachedModel, manifestBytes } from './modelCache';
import { installGpuReadCounter } from './gpuReadCounter';
import { isOrtThreadWorker } from './ortThreads';

declare const __P2P_TEST_HOOKS__: boolean;

const loadModel: ModelFactory = async (request, onLoading, signal, onDownload) => {
  const options = { provider: request.provider, wasmViable: request.wasmViable, remembered: request.remembered, allowStockUnet: request.allowStockUnet, onLoading, signal };
  let model;
  if (request.cache) {
    const files = await ensureCached(request.cache, { signal, onProgress: onDownload });
    model = await loadCachedModel(files, (reader) => loadWebModel(reader, options));
    console.info(`[p2p] ${checkSummary(files)}`);
  } else {
    model = await loadWebModel(request.baseUrl, options);
  }
  const { provider, choice, fallbackReason, instrumentReport, instrumentError } = model;
  return { pipeline: model, backend: provider, choice, fallbackReason, report: instrumentReport, instrumentError, imageSize: model.layout.imageSize, dispose: () => model.dispose() };
};

const downloadModel: ModelDownloader = async (request, onDownload, signal) => {
  const files = await ensureCached(request.cache, { signal, onProgress: onDownload });
  return { key: files.key, files: files.manifest.files.length, bytes: manifestBytes(files) };
};

if (!isOrtThreadWorker()) {
  // e2e builds count GPU reads per step (the done event's gpuReads); production builds drop this.
  if (__P2P_TEST_HOOKS__) installGpuReadCounter();
  const scope = self as unknown as DedicatedWorkerGlobalScope;
  const handler = new EngineHandler({ loadModel, downloadModel, post: (event, transfer) => scope.postMessage(event, transfer) });
  scope.addEventListener('message', (event: MessageEvent<unknown>) => handler.handle(event.data));
}
