/**
 * Small helpers the WGSL kernels share: storage and uniform buffers, and reading a buffer back.
 */

/** Element types of the float tensors the kernels and the resident loop exchange with onnxruntime (float16 as packed pairs). */
export type FloatType = 'float32' | 'float16';

const STORAGE = () => GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST | GPUBufferUsage.COPY_SRC;

/** A storage buffer holding `data`, or `bytes` zeroed bytes (at least 4: WebGPU rejects empty bindings). */
export function storageBuffer(device: GPUDevice, data: Float32Array | Uint32Array | number, label?: string): GPUBuffer {
  const bytes = typeof data === 'number' ? data : data.byteLength;
  const buffer = device.createBuffer({ size: Math.max(4, Math.ceil(bytes / 4) * 4), usage: STORAGE(), label });
  if (typeof data !== 'number' && data.byteLength > 0) device.queue.writeBuffer(buffer, 0, data);
  return buffer;
}

/** A uniform buffer with `words` 32-bit values; each is a u32 unless its index is in `floats`. */
export function uniformBuffer(device: GPUDevice, words: number[], floats: number[] = []): GPUBuffer {
  const data = new ArrayBuffer(Math.ceil((words.length * 4) / 16) * 16);
  const u32 = new Uint32Array(data);
  const f32 = new Float32Array(data);
  words.forEach((w, i) => (floats.includes(i) ? (f32[i] = w) : (u32[i] = w)));
  const buffer = device.createBuffer({ size: data.byteLength, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST });
  device.queue.writeBuffer(buffer, 0, data);
  return buffer;
}

/** Copies `bytes` of `source` from `offset` into a mappable buffer (after the commands in `encoder`) and returns them. */
export async function readBack(device: GPUDevice, encoder: GPUCommandEncoder, source: GPUBuffer, bytes: number, offset = 0): Promise<ArrayBuffer> {
  const staging = device.createBuffer({ size: Math.max(4, bytes), usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
  encoder.copyBufferToBuffer(source, offset, staging, 0, bytes);
  device.queue.submit([encoder.finish()]);
  await staging.mapAsync(GPUMapMode.READ);
  const copy = staging.getMappedRange(0, bytes).slice(0);
  staging.unmap();
  staging.destroy();
  return copy;
}

export function computePipeline(device: GPUDevice, code: string, entryPoint: string, label: string, workgroupSize: number): GPUComputePipeline {
  const module = device.createShaderModule({ code, label });
  return device.createComputePipeline({ layout: 'auto', compute: { module, entryPoint, constants: { WORKGROUP_SIZE: workgroupSize } }, label });
}

export function bindGroup(device: GPUDevice, pipeline: GPUComputePipeline, buffers: GPUBuffer[]): GPUBindGroup {
  return device.createBindGroup({
    layout: pipeline.getBindGroupLayout(0),
    entries: buffers.map((buffer, binding) => ({ binding, resource: { buffer } })),
  });
}

export function dispatch(encoder: GPUCommandEncoder, pipeline: GPUComputePipeline, group: GPUBindGroup, x: number, y = 1, label?: string): void {
  const pass = encoder.beginComputePass({ label });
  pass.setPipeline(pipeline);
  pass.setBindGroup(0, group);
  pass.dispatchWorkgroups(x, y);
  pass.end();
}

/** Runs GPU work and turns a validation error (an invalid shader, a bad binding) into a thrown Error. */
export async function validated<T>(device: GPUDevice, label: string, work: () => Promise<T>): Promise<T> {
  device.pushErrorScope('validation');
  let result: T;
  try {
    result = await work();
  } finally {
    const error = await device.popErrorScope();
    if (error) throw new Error(`${label}: WebGPU validation failed: ${error.message}`);
  }
  return result;
}
