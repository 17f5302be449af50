// The engine's model factory in Node (the in-thread engine of tests and tools): a model folder loaded
// with onnxruntime-node, the UNet instrumented, each graph file reported as loaded.

import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { InstrumentReport } from '../onnx';
import { loadNodeModel, type NodeModel } from './nodeModel';

export interface NodeEngineModel {
  pipeline: NodeModel;
  backend: 'cpu';
  report?: InstrumentReport;
  dispose(): Promise<void>;
}

const GRAPHS = ['text_encoder/model.onnx', 'unet/model.onnx', 'vae_decoder/model.onnx'];

export async function loadNodeEngineModel(
  dir: string,
  onLoading: (file: string, loaded: number, total: number) => void,
  options: { instrument?: boolean; threads?: number } = {},
): Promise<NodeEngineModel> {
  for (const file of GRAPHS) {
    const path = join(dir, file);
    if (existsSync(path)) onLoading(file, statSync(path).size, statSync(path).size);
  }
  const model = await loadNodeModel(dir, { instrument: options.instrument ?? true, threads: options.threads });
  return { pipeline: model, backend: 'cpu', report: model.instrumentReport, dispose: () => model.dispose() };
}
