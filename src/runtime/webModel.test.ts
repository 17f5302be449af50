// The web model loader and the onnxruntime-web Backend, run in Node on ORT's wasm build against a
// local HTTP server: byte progress, fallback reason, a P2P run equal to onnxruntime-node's, errors.

import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { join, normalize } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generate, type GenerateRequest } from '../diffusion';
import { TOY_MODEL_DIR, toyP2pConfig, toySwap } from '../../tests/helpers/toyModel';
import { loadNodeModel } from './nodeModel';
import { loadWebModel, type WebModel } from './webModel';

const MODEL_DIR = TOY_MODEL_DIR;

const SWAP: GenerateRequest = toySwap(3);

/** Serves `root` over HTTP with Content-Length (404 for missing files). */
function serve(root: string): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    const path = normalize(decodeURIComponent((req.url ?? '/').split('?')[0])).replace(/^(\.\.[/\\])+/, '');
    readFile(join(root, path)).then(
      (body) => res.writeHead(200, { 'content-length': body.byteLength }).end(body),
      () => res.writeHead(404).end(),
    );
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, url: `http://127.0.0.1:${(server.address() as { port: number }).port}/` })));
}

describe('loadWebModel on onnxruntime-web wasm (Node)', () => {
  let server: Server;
  let url: string;
  let model: WebModel;
  const loading: [string, number, number][] = [];

  beforeAll(async () => {
    ({ server, url } = await serve(MODEL_DIR));
    model = await loadWebModel(url, { provider: 'auto', onLoading: (f, l, t) => loading.push([f, l, t]) });
  }, 120_000);
  afterAll(async () => {
    await model?.dispose();
    server?.close();
  });

  it('falls back to wasm with the reason, instruments the UNet, reports bytes per file', () => {
    expect(model.provider).toBe('wasm');
    expect(model.fallbackReason).toMatch(/WebGPU/);
    // Node has no navigator.gpu: Automatic's choice says so, and the fallback reason is its sentence.
    expect(model.choice).toMatchObject({ provider: 'wasm', reason: 'no-webgpu', detail: 'navigator.gpu is missing' });
    expect(model.fallbackReason).toBe('Runs on WebAssembly: this browser offers no WebGPU adapter (navigator.gpu is missing).');
    const { latentSize, mapResolution } = toyP2pConfig();
    expect(model.backend.capabilities).toMatchObject({ instrumented: true, latentSize: [latentSize, latentSize], mapResolution });
    expect(model.instrumentReport?.counts.edited).toBeGreaterThan(0);
    const unet = loading.filter(([f]) => f === 'unet/model.onnx');
    expect(unet.at(-1)![1]).toBe(unet.at(-1)![2]);
    expect(unet.every(([, l, t], i) => l <= t && (i === 0 || l >= unet[i - 1][1]))).toBe(true);
  });

  it('a swap edit on wasm equals onnxruntime-node within 2/255', async () => {
    const web = await generate(model, SWAP);
    const node = await loadNodeModel(MODEL_DIR, { instrument: true, threads: 1 });
    try {
      const ref = await generate(node, SWAP);
      let worst = 0;
      web.images.forEach((img, p) => img.forEach((v, i) => (worst = Math.max(worst, Math.abs(v - ref.images[p][i])))));
      let latent = 0;
      web.latents.forEach((v, i) => (latent = Math.max(latent, Math.abs(v - ref.latents[i]))));
      console.log(`web wasm vs node: images max ${worst}/255, latents max |Δ| ${latent.toExponential(2)}`);
      expect(worst).toBeLessThanOrEqual(2);
      expect(latent).toBeLessThan(1e-3);
    } finally {
      await node.dispose();
    }
  }, 60_000);

  it('a missing file or a forced unavailable WebGPU fails the load with the reason', async () => {
    await expect(loadWebModel(`${url}no-such-model/`, { provider: 'wasm' })).rejects.toThrow(/no-such-model\/: scheduler\/scheduler_config\.json: missing \(unsupported model layout: missing-file\)/);
    await expect(loadWebModel(url, { provider: 'webgpu' })).rejects.toThrow(/navigator\.gpu/);
  });
});
