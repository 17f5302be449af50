/**
 * WGSL classifier-free guidance on a GPUDevice: `[uncond; cond]` → `u + g·(c − u)`.
 * CPU twin: `guidance` in src/diffusion (the wasm and Node paths use it; parity tested in e2e).
 */
import shaderSource from './guidance.wgsl?raw';

const WORKGROUP_SIZE = 256;

export class GuidanceKernel {
  private readonly pipeline: GPUComputePipeline;

  constructor(private readonly device: GPUDevice) {
    const module = device.createShaderModule({ code: shaderSource, label: 'guidance' });
    this.pipeline = device.createComputePipeline({
      layout: 'auto',
      compute: { module, entryPoint: 'main', constants: { WORKGROUP_SIZE } },
      label: 'guidance',
    });
  }

  /** Encodes the kernel: `noise` is `2·count` floats, `out` receives `count`. */
  encode(encoder: GPUCommandEncoder, noise: GPUBuffer, out: GPUBuffer, count: number, scale: number): void {
    const params = new ArrayBuffer(8);
    new Uint32Array(params, 0, 1)[0] = count;
    new Float32Array(params, 4, 1)[0] = scale;
    const uniform = this.device.createBuffer({ size: 16, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST });
    this.device.queue.writeBuffer(uniform, 0, params);
    const bindGroup = this.device.createBindGroup({
      layout: this.pipeline.getBindGroupLayout(0),
      entries: [
        { binding: 0, resource: { buffer: noise } },
        { binding: 1, resource: { buffer: out } },
        { binding: 2, resource: { buffer: uniform } },
      ],
    });
    const pass = encoder.beginComputePass({ label: 'guidance' });
    pass.setPipeline(this.pipeline);
    pass.setBindGroup(0, bindGroup);
    pass.dispatchWorkgroups(Math.ceil(count / WORKGROUP_SIZE));
    pass.end();
  }

  /** Convenience for tests and probes: uploads, runs and reads back. */
  async run(uncond: Float32Array, cond: Float32Array, scale: number): Promise<Float32Array> {
    if (uncond.length !== cond.length) throw new Error('guidance: uncond and cond differ in length');
    const count = uncond.length;
    const bytes = count * 4;
    const usage = GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST | GPUBufferUsage.COPY_SRC;
    const noise = this.device.createBuffer({ size: 2 * bytes, usage });
    const out = this.device.createBuffer({ size: bytes, usage });
    const readback = this.device.createBuffer({ size: bytes, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
    this.device.queue.writeBuffer(noise, 0, uncond);
    this.device.queue.writeBuffer(noise, bytes, cond);
    const encoder = this.device.createCommandEncoder();
    this.encode(encoder, noise, out, count, scale);
    encoder.copyBufferToBuffer(out, 0, readback, 0, bytes);
    this.device.queue.submit([encoder.finish()]);
    await readback.mapAsync(GPUMapMode.READ);
    const result = new Float32Array(readback.getMappedRange().slice(0));
    readback.unmap();
    for (const b of [noise, out, readback]) b.destroy();
    return result;
  }
}
