import { describe, expect, it } from 'vitest';
import { addFrame, callAt, frameAt, previewAt, scrubStops, type Frame } from './timeline';

const f = (at: number, value = String(at)): Frame<string> => ({ at, value });

describe('timeline', () => {
  it('keeps frames ordered by their point in the run and replaces one at the same point', () => {
    let frames: Frame<string>[] = [];
    for (const at of [0.5, 0.1, 0.9, 0.3]) frames = addFrame(frames, f(at));
    expect(frames.map((x) => x.at)).toEqual([0.1, 0.3, 0.5, 0.9]);
    frames = addFrame(frames, f(0.3, 'again'));
    expect(frames.map((x) => x.value)).toEqual(['0.1', 'again', '0.5', '0.9']);
  });

  it('looks up the newest frame at or before a point, nothing before the first', () => {
    const frames = [f(0.2), f(0.4), f(1)];
    expect(frameAt(frames, 0.1)).toBeUndefined();
    expect(frameAt(frames, 0.2)).toBe('0.2');
    expect(frameAt(frames, 0.39)).toBe('0.2');
    expect(frameAt(frames, 0.99)).toBe('0.4');
    expect(frameAt(frames, 1)).toBe('1');
  });

  it('thins old frames past the limit but always keeps the newest', () => {
    let frames: Frame<string>[] = [];
    for (let k = 1; k <= 9; k++) frames = addFrame(frames, f(k / 9), 8);
    expect(frames.length).toBeLessThanOrEqual(8);
    expect(frames.at(-1)!.at).toBe(1);
    expect(frames.map((x) => x.at)).toEqual([1 / 9, 3 / 9, 5 / 9, 7 / 9, 1]);
  });

  it('stops at every recorded point of every list once, in order', () => {
    expect(scrubStops([[f(0.5), f(1)], [f(0.25), f(0.5)], []])).toEqual([0.25, 0.5, 1]);
  });

  it('places previews by scheduler step and attention by UNet call', () => {
    expect(previewAt(0, 10)).toBeCloseTo(0.1);
    expect(previewAt(9, 10)).toBe(1);
    expect(previewAt(12, 10)).toBe(1);
    expect(callAt(5, 20)).toBe(0.25);
    expect(callAt(3, 0)).toBe(1);
  });
});
