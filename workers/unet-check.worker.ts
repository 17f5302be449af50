/**
 * Module worker: instruments a UNet in the browser and runs it on WebGPU and on wasm (see protocol).
 */
import { decodeModel, instrumentUnet } from '../src/onnx';
import { configureWasm, createWebSession, ort, type WebProvider } from '../src/runtime/ortWeb';
import { isOrtThreadWorker } from './ortThreads';
import type { UnetCheckEvent, UnetCheckRequest, UnetRun } from './unetCheckProtocol';

const scope = self as unknown as DedicatedWorkerGlobalScope;

function noise(n: number, seed: number): Float32Array {
  return Float32Array.from({ length: n }, (_, i) => Math.sin(i * 12.9898 + seed * 78.233) * 0.9);
}

async function check(req: UnetCheckRequest): Promise<Extract<UnetCheckEvent, { type: 'unet-check-result' }>> {
  const response = await fetch(req.url);
  if (!response.ok) throw new Error(`cannot fetch ${req.url}: HTTP ${response.status}`);
  const bytes = new Uint8Array(await response.arrayBuffer());
  const { model, externalData, report } = instrumentUnet(bytes, {
    latentSize: req.latent,
    mapResolution: req.mapResolution,
    selfMaxQuery: req.selfMaxQuery,
    fuseUnedited: req.fuseUnedited,
  });
  const context = decodeModel(bytes).graph!.input!.find((i) => i.name === 'encoder_hidden_states');
  const contextDim = Number(context?.type?.tensorType?.shape?.dim?.[2]?.dimValue ?? 0);
  if (!contextDim) throw new Error('the UNet does not declare a static encoder_hidden_states width');
  const batch = 2 * req.prompts;
  const edits = req.prompts - 1;
  const [h, w] = req.latent;
  // A fixed edit: every edit prompt takes the source's attention for all tokens, self replaced.
  const map = new Float32Array(edits * 77 * 77);
  for (let e = 0; e < edits; e++) for (let t = 0; t < 77; t++) map[e * 77 * 77 + t * 77 + t] = 1;
  const feeds = {
    sample: new ort.Tensor('float32', noise(batch * 4 * h * w, 1), [batch, 4, h, w]),
    timestep: new ort.Tensor('float32', Float32Array.of(500), [1]),
    encoder_hidden_states: new ort.Tensor('float32', noise(batch * 77 * contextDim, 2), [batch, 77, contextDim]),
    p2p_map: new ort.Tensor('float32', map, [edits, 77, 77]),
    p2p_gain: new ort.Tensor('float32', new Float32Array(edits * 77).fill(0.8), [edits, 77]),
    p2p_keep: new ort.Tensor('float32', new Float32Array(edits * 77).fill(0.2), [edits, 77]),
    p2p_self: new ort.Tensor('float32', Float32Array.of(1), [1]),
  };
  configureWasm();
  const runs: UnetRun[] = [];
  for (const provider of ['webgpu', 'wasm'] as WebProvider[]) {
    const session = await createWebSession(model, { provider, externalData: externalData ? [externalData] : undefined });
    const started = performance.now();
    const out = await session.run(feeds);
    runs.push({
      provider,
      outSample: out.out_sample.data as Float32Array,
      attn: out.p2p_attn.data as Float32Array,
      millis: performance.now() - started,
    });
    await session.release();
  }
  return { type: 'unet-check-result', id: req.id, report, runs };
}

function onRequest(event: MessageEvent<UnetCheckRequest>): void {
  if (event.data?.type !== 'unet-check') return;
  check(event.data).then(
    (result) => scope.postMessage(result, result.runs.flatMap((r) => [r.outSample.buffer, r.attn.buffer])),
    (err: Error) => scope.postMessage({ type: 'unet-check-error', id: event.data.id, message: err.message } satisfies UnetCheckEvent),
  );
}

if (!isOrtThreadWorker()) scope.addEventListener('message', onRequest);
