/**
 * Loading through the layout resolver in Node and in the web loader: an SD-shaped toy folder without
 * unet/config.json (symbolic latent dims) gets its latent size from the VAE, the UNet is instrumented at that
 * size (no run-time-gated self layers) and an edit runs; a UNet that cannot be instrumented is the same typed
 * error in Node and in the web loader, with no silent fallback to the stock UNet.
 */
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { toyCopy } from '../../tests/helpers/layoutFolders';
import { TOY_MODEL_DIR, toySwap, toyUnetWithSymbolicLatent } from '../../tests/helpers/toyModel';
import { generate } from '../diffusion';
import { LayoutError } from '../models/errors';
import { decodeModel, encodeModel } from '../onnx/proto';
import type { ModelFileReader } from './modelReader';
import { loadNodeModel } from './nodeModel';
import { loadWebModel } from './webModel';

const made: string[] = [];
afterAll(() => made.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** A folder on disk as the web loader's reader (no HTTP server needed). */
function dirReader(dir: string): ModelFileReader {
  const read = (path: string) => new Uint8Array(readFileSync(join(dir, path)));
  return {
    location: dir,
    bytes: async (path, onProgress) => {
      const bytes = read(path);
      onProgress(path, bytes.byteLength, bytes.byteLength);
      return bytes;
    },
    text: async (path) => {
      try {
        return readFileSync(join(dir, path), 'utf8');
      } catch {
        return undefined;
      }
    },
  };
}

describe('an SD-shaped folder without unet/config.json', () => {
  it('resolves its latent size from the VAE, instruments at that size and runs an edit (Node)', async () => {
    const dir = toyCopy({ 'unet/model.onnx': toyUnetWithSymbolicLatent(), 'unet/config.json': null });
    made.push(dir);
    const model = await loadNodeModel(dir, { instrument: true, threads: 1 });
    try {
      // toy VAE: sample_size 32, two levels (factor 2) → 16.
      expect(model.layout).toMatchObject({ latentSize: [16, 16], latentSource: 'vae_decoder/config.json', imageSize: [32, 32] });
      expect(model.layout.graphs.unet.freeDimensionOverrides).toEqual({ height: 16, width: 16 });
      expect(model.backend.capabilities.latentSize).toEqual([16, 16]);
      expect(model.instrumentReport?.queryLengths).toBe('static');
      const res = await generate(model, toySwap(2));
      expect(res.images).toHaveLength(2);
      expect([res.width, res.height]).toEqual([32, 32]);
    } finally {
      await model.dispose();
    }
  }, 120_000);
});

describe('a UNet that cannot be instrumented', () => {
  const unet = decodeModel(new Uint8Array(readFileSync(join(TOY_MODEL_DIR, 'unet/model.onnx'))));
  unet.opsetImport.find((o) => !o.domain)!.version = 10;
  const dir = toyCopy({ 'unet/model.onnx': encodeModel(unet) });
  made.push(dir);

  it('fails the same typed way in Node and the web loader, naming model, file and pattern', async () => {
    const node = await loadNodeModel(dir, { instrument: true }).then(() => undefined, (e: unknown) => e);
    const web = await loadWebModel(dirReader(dir), { provider: 'wasm' }).then(() => undefined, (e: unknown) => e);
    for (const err of [node, web]) {
      expect(err).toBeInstanceOf(LayoutError);
      expect(err).toMatchObject({ model: dir, file: 'unet/model.onnx', pattern: 'not-instrumentable' });
      expect((err as Error).message).toMatch(/opset 10.*Only a run without edits can use the stock UNet, and only when chosen explicitly/);
    }
    expect((web as Error).message).toBe((node as Error).message);
  }, 120_000);
});
