/**
 * The GPUDevice onnxruntime-web's WebGPU sessions run on. Normally onnxruntime creates its own (undefined here).
 * On adapters whose subgroups are narrower than 16 lanes (SwiftShader: 4), onnxruntime 1.30's subgroup-based
 * flash-attention path of MultiHeadAttention gives wrong results (head size % 4 = 0, ≥ 32 queries; measured with
 * scripts/probe/mhaProbe.ts, docs/instrumentation.md). There the sessions get a device created without the
 * `subgroups` features, with the adapter's limits, so onnxruntime takes its exact subgroup-free kernels.
 */

/** Narrowest subgroup width onnxruntime's flash attention is written for. */
export const MIN_SUBGROUP_SIZE = 16;

let device: Promise<GPUDevice | undefined> | null = null;

/** Whether an adapter's subgroups are too narrow for onnxruntime's subgroup kernels. */
export function narrowSubgroups(features: Iterable<string>, subgroupMinSize: number | undefined): boolean {
  return [...features].includes('subgroups') && subgroupMinSize !== undefined && subgroupMinSize < MIN_SUBGROUP_SIZE;
}

async function create(): Promise<GPUDevice | undefined> {
  const gpu = (globalThis.navigator as Navigator & { gpu?: GPU }).gpu;
  const adapter = await gpu?.requestAdapter();
  if (!adapter) return undefined;
  const info = adapter.info as GPUAdapterInfo & { subgroupMinSize?: number };
  if (!narrowSubgroups(adapter.features as Iterable<string>, info?.subgroupMinSize)) return undefined;
  const requiredFeatures = [...adapter.features].filter((f) => !String(f).startsWith('subgroup')) as GPUFeatureName[];
  // Every limit at the adapter's maximum, as onnxruntime asks for its own device (SD-size buffers and workgroups).
  const requiredLimits: Record<string, number> = {};
  for (const key in adapter.limits) {
    const value = (adapter.limits as unknown as Record<string, unknown>)[key];
    if (typeof value === 'number') requiredLimits[key] = value;
  }
  return adapter.requestDevice({ requiredFeatures, requiredLimits });
}

/** The device to hand onnxruntime's WebGPU sessions, or undefined to let it create its own; one per context. */
export function ortWebGpuDevice(): Promise<GPUDevice | undefined> {
  device ??= create().catch(() => undefined);
  return device;
}
