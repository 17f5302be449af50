// Counts GPU→CPU reads in this worker: every `GPUBuffer.mapAsync` with MAP_READ, whoever calls it (our kernels'
// read-backs and onnxruntime-web's downloads alike). Installed only by e2e builds (P2P_TEST_HOOKS), where the
// engine reports the reads per step so that a test can check that none happen between previews.

let reads = 0;
let installed = false;

export function installGpuReadCounter(): void {
  if (installed || typeof GPUBuffer === 'undefined') return;
  installed = true;
  const original = GPUBuffer.prototype.mapAsync;
  GPUBuffer.prototype.mapAsync = function (this: GPUBuffer, mode: GPUMapModeFlags, offset?: GPUSize64, size?: GPUSize64) {
    if (mode & GPUMapMode.READ) reads += 1;
    return original.call(this, mode, offset, size);
  };
}

/** Reads so far, or null when the counter is not installed (production builds). */
export function gpuReadCount(): number | null {
  return installed ? reads : null;
}
