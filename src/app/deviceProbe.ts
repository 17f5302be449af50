/**
 * The one source of this browser's adapter facts for the page: the GPU probe worker (where the engine
 * also runs) is asked once; the system check, the device verdict and the engine's remembered
 * measurements all read this same answer.
 */
import { capabilitiesFromProbe, type DeviceCapabilities } from '../models';
import { probeGpu, type ProbeResult } from './gpuProbeClient';

export interface DeviceProbe {
  caps: DeviceCapabilities;
  /** The probe's result (adapter facts, the guidance kernel's output) when WebGPU works in a worker. */
  result?: ProbeResult;
  /** Why not, otherwise. */
  unavailable?: string;
}

let probe: Promise<DeviceProbe> | undefined;

export function probeDevice(): Promise<DeviceProbe> {
  const memory = (navigator as Navigator & { deviceMemory?: number }).deviceMemory;
  probe ??= probeGpu().then(
    (result): DeviceProbe => ({ caps: capabilitiesFromProbe(result.info, undefined, memory), result }),
    (err: unknown): DeviceProbe => {
      const unavailable = err instanceof Error ? err.message : String(err);
      return { caps: capabilitiesFromProbe(undefined, unavailable, memory), unavailable };
    },
  );
  return probe;
}
