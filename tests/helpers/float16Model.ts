/**
 * Test-only: an fp32 ONNX model converted to fp16 the way fp16 Hub exports look (scripts/random-sd/float16Graph.ts).
 */
import { convertToFloat16 } from '../../scripts/random-sd/float16Graph';
import { decodeModel, encodeModel } from '../../src/onnx/proto';

export function toFloat16Model(bytes: Uint8Array): Uint8Array {
  const model = decodeModel(bytes);
  convertToFloat16(model);
  return encodeModel(model);
}
