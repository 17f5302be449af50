import { describe, expect, it } from 'vitest';
import { exportFiles, imageStem, payloadBytes, runFolder, runJson, slug, type RunRecord, type StoredImage } from './runRecord';

const png = (n: number) => new Uint8Array(n).fill(7);
const image = (phase: 'main' | 'baseline', prompt: number, bytes = 10): StoredImage => ({ phase, prompt, label: `p${prompt}`, width: 32, height: 32, png: png(bytes) });

function record(createdAt: number, prompts = ['a yellow star', 'a yellow heart']): RunRecord {
  return {
    summary: {
      id: 1, createdAt, model: 'toy-shapes', link: 'r=2.abc', prompts, seed: 8888, steps: 8,
      timings: { totalMs: 1234, calls: 16, backend: 'wasm' }, thumbnail: image('main', 1, 5), bytes: 0,
    },
    payload: {
      images: [image('main', 0), image('main', 1), image('baseline', 0), image('baseline', 1)],
      attention: [{ prompt: 0, resolution: 8, tokens: ['a'], maps: new Float32Array(64 * 77), tiles: [new Uint8ClampedArray(64)], call: 16 }],
    },
  };
}

describe('run records', () => {
  it('counts image, map and thumbnail bytes', () => {
    const r = record(0);
    expect(payloadBytes(r.payload, r.summary.thumbnail)).toBe(4 * 10 + 64 * 77 * 4 + 64 + 5);
  });

  it('names images by role and phase', () => {
    expect(imageStem({ phase: 'main', prompt: 0 })).toBe('source');
    expect(imageStem({ phase: 'main', prompt: 2 })).toBe('edit-2');
    expect(imageStem({ phase: 'baseline', prompt: 1 })).toBe('no-controller-edit-1');
  });

  it('makes prompts into safe folder names', () => {
    expect(slug('A  Yellow Star!')).toBe('a-yellow-star');
    expect(slug('../../etc/passwd')).toBe('etcpasswd');
    expect(slug('ünïcödé café')).toBe('unicode-cafe');
    expect(slug('???')).toBe('run');
    expect(slug('x'.repeat(100))).toHaveLength(40);
    expect(runFolder({ createdAt: Date.UTC(2026, 11, 5, 7, 31, 2), prompts: ['a red circle'] })).toBe('2026-12-05T07-31-02-a-red-circle');
  });

  it('exports each run as PNGs plus run.json, with unique folders', () => {
    const t = Date.UTC(2026, 11, 5, 7, 31, 2);
    const files = exportFiles([{ record: record(t), recipe: { seed: 8888 } }, { record: record(t), recipe: { seed: 8888 } }], 'https://example.org/app/');
    expect(Object.keys(files).sort()).toEqual([
      '2026-12-05T07-31-02-a-yellow-star-2/edit-1.png',
      '2026-12-05T07-31-02-a-yellow-star-2/no-controller-edit-1.png',
      '2026-12-05T07-31-02-a-yellow-star-2/no-controller-source.png',
      '2026-12-05T07-31-02-a-yellow-star-2/run.json',
      '2026-12-05T07-31-02-a-yellow-star-2/source.png',
      '2026-12-05T07-31-02-a-yellow-star/edit-1.png',
      '2026-12-05T07-31-02-a-yellow-star/no-controller-edit-1.png',
      '2026-12-05T07-31-02-a-yellow-star/no-controller-source.png',
      '2026-12-05T07-31-02-a-yellow-star/run.json',
      '2026-12-05T07-31-02-a-yellow-star/source.png',
    ]);
    const json = JSON.parse(new TextDecoder().decode(files['2026-12-05T07-31-02-a-yellow-star/run.json']));
    expect(json).toMatchObject({
      format: 'prompt-to-prompt-studio/run', model: 'toy-shapes', recipe: { seed: 8888 }, link: 'https://example.org/app/?r=2.abc',
      createdAt: '2026-12-05T07:31:02.000Z', timings: { totalMs: 1234, calls: 16, backend: 'wasm' },
    });
    expect(json.images[1]).toEqual({ file: 'edit-1.png', phase: 'main', prompt: 1, text: 'a yellow heart', width: 32, height: 32 });
    expect(JSON.parse(runJson(record(t), {}, 'x'))).not.toHaveProperty('thumbnail');
  });
});
