/**
 * Shows whether this browser can run the engine on WebGPU (checked inside a worker) and why not.
 */
import { useEffect, useState } from 'react';
import { probeGpu, type ProbeResult } from './gpuProbeClient';

type State = { status: 'checking' } | { status: 'ready'; result: ProbeResult } | { status: 'unavailable'; reason: string };

export function SystemCheck() {
  const [state, setState] = useState<State>({ status: 'checking' });
  useEffect(() => {
    let live = true;
    probeGpu()
      .then((result) => live && setState({ status: 'ready', result }))
      .catch((err: Error) => live && setState({ status: 'unavailable', reason: err.message }));
    return () => {
      live = false;
    };
  }, []);

  if (state.status === 'checking') return <p data-testid="gpu-status">Checking WebGPU…</p>;
  if (state.status === 'unavailable') {
    return (
      <p data-testid="gpu-status" className="warn">
        {state.reason}. The engine will run on WebAssembly (slower).
      </p>
    );
  }
  const { info } = state.result;
  const name = [info.vendor, info.architecture, info.description].filter(Boolean).join(' · ') || 'unnamed adapter';
  return (
    <p data-testid="gpu-status">
      WebGPU ready in a worker: {name}; buffers up to {(info.maxBufferSize / 2 ** 20).toFixed(0)} MiB;
      {info.features.includes('shader-f16') ? ' fp16 shaders supported.' : ' no fp16 shaders (fp32 models only).'}
    </p>
  );
}
