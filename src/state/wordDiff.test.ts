import { describe, expect, it } from 'vitest';
import { changedWords, markedWords, wordDiff } from './wordDiff';

describe('wordDiff', () => {
  it('marks swapped words position by position when word counts match', () => {
    expect(wordDiff('a red circle', 'a red square')).toEqual([
      { word: 'a', change: 'same' },
      { word: 'red', change: 'same' },
      { word: 'square', change: 'swapped', from: 'circle' },
    ]);
  });

  it('marks added and removed words otherwise', () => {
    expect(wordDiff('a red circle', 'a big red circle at the top').map((p) => `${p.change}:${p.word}`)).toEqual([
      'same:a', 'added:big', 'same:red', 'same:circle', 'added:at', 'added:the', 'added:top',
    ]);
    expect(wordDiff('a big red circle', 'a red circle').map((p) => `${p.change}:${p.word}`)).toEqual([
      'same:a', 'removed:big', 'same:red', 'same:circle',
    ]);
  });

  it('lists the changed words of an edit', () => {
    expect(changedWords('a cat riding a bicycle', 'a dog riding a car')).toEqual(['dog', 'car']);
  });
});

describe('markedWords', () => {
  it('marks a swap in both prompts, word for word', () => {
    const m = markedWords('a yellow star', 'a yellow heart');
    expect(m.source).toEqual([{ text: 'a', change: 'same' }, { text: 'yellow', change: 'same' }, { text: 'star', change: 'replaced' }]);
    expect(m.edit.map((w) => w.change)).toEqual(['same', 'same', 'swapped']);
  });

  it('keeps every word of each prompt in order for a refinement', () => {
    const m = markedWords('a cat on a mat', 'a fluffy cat on a red mat');
    expect(m.source.map((w) => w.text).join(' ')).toBe('a cat on a mat');
    expect(m.edit.map((w) => w.text).join(' ')).toBe('a fluffy cat on a red mat');
    expect(m.edit.filter((w) => w.change === 'added').map((w) => w.text)).toEqual(['fluffy', 'red']);
    expect(m.source.every((w) => w.change === 'same')).toBe(true);
    expect(markedWords('a big cat', 'a cat').source.map((w) => w.change)).toEqual(['same', 'removed', 'same']);
  });
});
