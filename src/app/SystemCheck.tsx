/**
 * Shows whether this browser can run the engine on WebGPU (checked inside a worker), which adapter it
 * is — software ones are named as such —, or why there is none. Reads the same probe as the device verdict.
 */
import { useEffect, useState } from 'react';
import { adapterLabel, softwareAdapterName } from '../models/backendChoice';
import { probeDevice, type DeviceProbe } from './deviceProbe';

export function SystemCheck() {
  const [state, setState] = useState<DeviceProbe | undefined>();
  useEffect(() => {
    let live = true;
    void probeDevice().then((probe) => live && setState(probe));
    return () => {
      live = false;
    };
  }, []);

  if (!state) return <p data-testid="gpu-status">Checking WebGPU…</p>;
  const info = state.result?.info;
  if (!info) {
    return (
      <p data-testid="gpu-status" className="warn">
        {state.unavailable ?? 'WebGPU is not available'}. Models run on WebAssembly here; fp16 models need WebGPU.
      </p>
    );
  }
  const software = softwareAdapterName(info);
  return (
    <p data-testid="gpu-status">
      WebGPU ready in a worker: {adapterLabel(info)}
      {software ? ` — a software adapter (${software}): Automatic runs every model WebAssembly can hold on WebAssembly, which is far faster` : ''}; buffers up to{' '}
      {(info.maxBufferSize / 2 ** 20).toFixed(0)} MiB;
      {info.features.includes('shader-f16') ? ' fp16 shaders supported.' : ' no fp16 shaders (fp32 models only).'}
    </p>
  );
}
