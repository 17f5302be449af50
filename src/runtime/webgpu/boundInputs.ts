/**
 * UNet inputs that change rarely within a run (the text context, the P2P parameters), kept in GPU buffers on
 * onnxruntime-web's device and written again only when their values change: a step feeds ORT GPU tensors instead
 * of uploading the same arrays on every call.
 */
import { ort } from '../ortWeb';

interface Slot {
  /** The array last bound (a caller that passes the same array again skips the comparison). */
  source: Float32Array;
  /** A copy of its values (the caller may reuse or change its array). */
  values: Float32Array;
  dims: string;
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
  /** Writes to the device so far (for tests and the bench: one per change, not one per call). */
  uploads = 0;

  constructor(private readonly device: GPUDevice) {}

  /** A float32 GPU tensor holding `values` with `dims`; uploaded only when they differ from the last call's. */
  tensor(role: string, values: Float32Array, dims: readonly number[]): ort.Tensor {
    const key = dims.join(',');
    const slot = this.slots.get(role);
    if (slot && slot.dims === key && (slot.source === values || equal(slot.values, values))) {
      slot.source = values;
      return slot.tensor;
    }
    // ORT's WebGPU kernels bind storage in 16-byte units: a 4-byte buffer (a [1] scalar) fails validation.
    const bytes = Math.max(16, Math.ceil(values.byteLength / 16) * 16);
    let buffer = slot?.buffer;
    if (!buffer || buffer.size !== bytes) {
      buffer?.destroy();
      buffer = this.device.createBuffer({ size: bytes, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST | GPUBufferUsage.COPY_SRC, label: `UNet ${role}` });
    }
    if (values.byteLength > 0) this.device.queue.writeBuffer(buffer, 0, values);
    this.uploads += 1;
    const tensor = ort.Tensor.fromGpuBuffer(buffer, { dataType: 'float32', dims });
    this.slots.set(role, { source: values, values: values.slice(), dims: key, buffer, tensor });
    return tensor;
  }

  dispose(): void {
    for (const s of this.slots.values()) s.buffer.destroy();
    this.slots.clear();
  }
}
