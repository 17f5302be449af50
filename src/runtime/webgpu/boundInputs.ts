/**
 * UNet inputs that change rarely within a run (the text context, the P2P parameters), kept in GPU buffers (float32,
 * or float16 for fp16 graphs) on onnxruntime-web's device and written again only when their values change: a step feeds ORT GPU tensors instead
 * of uploading the same arrays on every call.
 */
import { toHalf } from '../float16';
import type { FloatType } from '../kernels/gpuBuffers';
import { ort } from '../ortWeb';

interface Slot {
  /** The array last bound (a caller that passes the same array again skips the comparison). */
  source: Float32Array;
  /** A copy of its values (the caller may reuse or change its array). */
  values: Float32Array;
  /** Dims and element type the tensor was made with. */
  key: string;
  buffer: GPUBuffer;
  tensor: ort.Tensor;
}

function equal(a: Float32Array, b: Float32Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export class BoundInputs {
  private readonly slots = new Map<string, Slot>();

  constructor(private readonly device: GPUDevice) {}

  /** A GPU tensor of `type` (float16 converted on upload) holding `values` with `dims`; uploaded only when they differ from the last call's. */
  tensor(role: string, values: Float32Array, dims: readonly number[], type: FloatType = 'float32'): ort.Tensor {
    const key = `${type}:${dims.join(',')}`;
    const slot = this.slots.get(role);
    if (slot && slot.key === key && (slot.source === values || equal(slot.values, values))) {
      slot.source = values;
      return slot.tensor;
    }
    const data = type === 'float16' ? toHalf(values) : values;
    // ORT's WebGPU kernels bind storage in 16-byte units: a 4-byte buffer (a [1] scalar) fails validation.
    const bytes = Math.max(16, Math.ceil(data.byteLength / 16) * 16);
    let buffer = slot?.buffer;
    if (!buffer || buffer.size !== bytes) {
      buffer?.destroy();
      buffer = this.device.createBuffer({ size: bytes, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST | GPUBufferUsage.COPY_SRC, label: `UNet ${role}` });
    }
    // writeBuffer takes whole 4-byte words: an odd count of float16 values is padded.
    const upload = data.byteLength % 4 === 0 ? data : Uint16Array.from({ length: data.length + 1 }, (_, i) => (i < data.length ? data[i] : 0));
    if (upload.byteLength > 0) this.device.queue.writeBuffer(buffer, 0, upload);
    const tensor = ort.Tensor.fromGpuBuffer(buffer, { dataType: type, dims });
    this.slots.set(role, { source: values, values: values.slice(), key, buffer, tensor });
    return tensor;
  }

  dispose(): void {
    for (const s of this.slots.values()) s.buffer.destroy();
    this.slots.clear();
  }
}
