/** The error for bytes that are no ONNX model (its own module: graphInfo.ts uses it without onnx-proto). */
export class NotOnnxError extends Error {
  constructor(detail: string) {
    super(`not an ONNX model: ${detail}`);
    this.name = 'NotOnnxError';
  }
}
