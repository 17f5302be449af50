/**
 * Each embedded model's link revision (EMBEDDED_REVISIONS) names the UNet actually shipped in public/models, so a
 * re-export that forgets to update it fails here instead of letting old share links claim the same model.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { EMBEDDED_MODELS, EMBEDDED_REVISIONS, EMBEDDED_WITHOUT_ENCODER, KNOWN_MODELS } from './registry';

const MODELS = new URL('../../public/models/', import.meta.url);

describe('embedded models', () => {
  it('each have their folder in public/models, and are listed first among the known models', () => {
    // Other folders may be there (a developer's git-ignored public/models/dev-model).
    const folders = readdirSync(MODELS, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name);
    expect(folders).toEqual(expect.arrayContaining(EMBEDDED_MODELS.map((m) => m.id)));
    expect(KNOWN_MODELS.slice(0, EMBEDDED_MODELS.length)).toEqual(EMBEDDED_MODELS);
    for (const m of EMBEDDED_MODELS) expect(m.source).toEqual({ kind: 'url', baseUrl: `models/${m.id}/` });
  });

  for (const m of EMBEDDED_MODELS) {
    it(`${m.id}: the revision is the sha256 prefix of public/models/${m.id}/unet/model.onnx`, () => {
      const unet = readFileSync(new URL(`${m.id}/unet/model.onnx`, MODELS));
      expect(EMBEDDED_REVISIONS[m.id]).toBe(`sha256:${createHash('sha256').update(unet).digest('hex').slice(0, 16)}`);
    });

    it(`${m.id}: is listed without a VAE encoder exactly when its folder has none`, () => {
      const hasEncoder = existsSync(new URL(`${m.id}/vae_encoder/model.onnx`, MODELS));
      const index = JSON.parse(readFileSync(new URL(`${m.id}/model_index.json`, MODELS), 'utf8')) as { vae_encoder?: unknown };
      expect(EMBEDDED_WITHOUT_ENCODER.has(m.id)).toBe(!hasEncoder);
      expect(Array.isArray(index.vae_encoder) && index.vae_encoder[0] !== null).toBe(hasEncoder); // [null, null]: none
    });
  }
});
