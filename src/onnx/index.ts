/**
 * Public entry of the ONNX module: protobuf I/O and the Prompt-to-Prompt UNet instrumentation.
 */
export { instrumentUnet, P2P_INPUTS, P2P_OUTPUT, type InstrumentOptions, type InstrumentResult } from './instrumentUnet';
export type { InstrumentReport, LayerReport } from './report';
export { externalizeWeights, type ExternalDataFile } from './externalWeights';
export { AttentionPatternError } from './attentionLayers';
export { NotOnnxError, decodeModel, encodeModel } from './proto';
