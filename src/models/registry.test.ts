/**
 * The embedded model's link revision (EMBEDDED_REVISION) names the UNet actually shipped in public/models, so a
 * re-export that forgets to update it fails here instead of letting old share links claim the same model.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { EMBEDDED_REVISION } from './registry';

describe('embedded model revision', () => {
  it('is the sha256 prefix of public/models/toy-shapes/unet/model.onnx', () => {
    const unet = readFileSync(new URL('../../public/models/toy-shapes/unet/model.onnx', import.meta.url));
    expect(EMBEDDED_REVISION).toBe(`sha256:${createHash('sha256').update(unet).digest('hex').slice(0, 16)}`);
  });
});
