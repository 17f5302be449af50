// The picker's model catalog: cache references for registry, repo and URL models (with the ?hub=
// endpoint), the cache entry lookup the UI and share links rely on, and sizes for any repo.

import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { sourceKey } from '../models';
import { cachedEntry, cacheRefFor, customEntry, isEmbedded, modelFacts } from './modelCatalog';

const HUB = 'http://127.0.0.1:8787';

describe('model catalog', () => {
  it('turns registry ids, repo ids and URLs into cache references on the chosen Hub', () => {
    expect(isEmbedded('toy-shapes')).toBe(true);
    expect(isEmbedded('toy-emoji')).toBe(true);
    expect(isEmbedded('local/toy-emoji')).toBe(false);
    const reg = cacheRefFor('sd15-fp16-external', HUB);
    expect(reg).toMatchObject({ registryId: 'sd15-fp16-external', source: { kind: 'hub', repo: 'nmkd/stable-diffusion-1.5-onnx-fp16', endpoint: HUB } });
    expect(cacheRefFor('sd15-fp16-external').source).not.toHaveProperty('endpoint');
    expect(cacheRefFor('local/toy-shapes', HUB)).toEqual({ source: { kind: 'hub', repo: 'local/toy-shapes', revision: 'main', endpoint: HUB } });
    expect(cacheRefFor('https://example.org/sd/').source).toEqual({ kind: 'url', baseUrl: 'https://example.org/sd/' });
    expect(() => cacheRefFor('not a repo')).toThrow(/neither a Hub repo id/);
  });

  it('finds a model in the cache listing by its source key (per Hub endpoint)', () => {
    const key = sourceKey(cacheRefFor('local/toy-shapes', HUB).source);
    const cached = [{ model: key, files: 12, bytes: 8_190_000, partialBytes: 0, complete: true, damaged: [] }];
    expect(cachedEntry('local/toy-shapes', cached, HUB)?.complete).toBe(true);
    expect(cachedEntry('local/toy-shapes', cached)).toBeUndefined();
    expect(cachedEntry('toy-shapes', cached, HUB)).toBeUndefined();
  });

  it('sizes registry models from their pins and any repo from its file list', () => {
    expect(modelFacts('sd15-fp16-external')).toMatchObject({ precision: 'fp16', approximate: true });
    expect(modelFacts('sd15-fp16-external').bytes).toBeGreaterThan(2e9);
    expect(modelFacts('local/toy-shapes').bytes).toBeUndefined();
    expect(modelFacts('local/toy-shapes', 8_190_000)).toMatchObject({ bytes: 8_190_000, precision: expect.stringContaining('fp32') });
    expect(customEntry('a/b', 8e6)).toMatchObject({ precision: 'fp32', requirements: { shaderF16: false, weightBytes: 8e6 } });
    expect(customEntry('a/b', 2e9)).toMatchObject({ precision: 'fp16', requirements: { shaderF16: true } });
    // An fp32 SD 1.5 export (UNet 3.44 GB + CLIP-L 0.49 GB + VAE decoder 0.2 GB) is not labelled fp16.
    expect(customEntry('a/b', 4.13e9)).toMatchObject({ precision: 'fp32', requirements: { shaderF16: false, weightBytes: 4.13e9 } });
    expect(modelFacts('a/b', 4.13e9).precision).toBe('as exported (fp32 assumed from the size)');
  });

  it('sizes each embedded model from the files it ships', () => {
    for (const id of ['toy-shapes', 'toy-emoji']) {
      // an independent count: GNU find's size of every regular file under the served folder
      const sizes = execFileSync('find', [`public/models/${id}`, '-type', 'f', '-printf', '%s\n']).toString().trim().split('\n');
      const onDisk = sizes.reduce((sum, n) => sum + Number(n), 0);
      expect(onDisk).toBeGreaterThan(1e6);
      expect(modelFacts(id)).toMatchObject({ bytes: onDisk, approximate: false });
    }
  });
});
