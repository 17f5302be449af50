import { describe, expect, it } from 'vitest';
import { changedWords, wordDiff } from './wordDiff';

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
