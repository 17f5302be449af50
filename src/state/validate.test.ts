/**
 * The controls' rules: typed numbers are accepted exactly when the share-link codec accepts them (same
 * LIMITS), never clamped; prompts are refused when empty or over MAX_PROMPT_CHARS, the length the codec keeps.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_RECIPE, MAX_PROMPT_CHARS } from './recipe';
import { decodeRecipe, encodeRecipe } from './urlCodec';
import { NUMBER_RULES, parseNumber, promptIssues, rangeText, runIssues } from './validate';

describe('parseNumber', () => {
  it('accepts values in range as numbers', () => {
    expect(parseNumber('8', NUMBER_RULES.steps)).toEqual({ ok: true, value: 8 });
    expect(parseNumber(' 7.25 ', NUMBER_RULES.guidance)).toEqual({ ok: true, value: 7.25 });
    expect(parseNumber('-10', NUMBER_RULES.weight)).toEqual({ ok: true, value: -10 });
    expect(parseNumber(String(2 ** 32 - 1), NUMBER_RULES.seed)).toEqual({ ok: true, value: 2 ** 32 - 1 });
  });

  it.each([
    ['1e9', NUMBER_RULES.steps, 'out of range: enter an integer from 1 to 150'],
    ['-5', NUMBER_RULES.steps, 'out of range: enter an integer from 1 to 150'],
    ['', NUMBER_RULES.steps, 'Empty: enter an integer from 1 to 150'],
    ['2.5', NUMBER_RULES.steps, 'not a whole number'],
    ['1e9', NUMBER_RULES.guidance, 'out of range: enter a number from 0 to 30'],
    ['NaN', NUMBER_RULES.guidance, 'is not a number'],
    ['1.5', NUMBER_RULES.window, 'enter a number from 0 to 1'],
    ['11', NUMBER_RULES.weight, 'enter a number from -10 to 10'],
    [String(2 ** 32), NUMBER_RULES.seed, 'enter an integer from 0 to 4294967295'],
  ])('refuses %j with the accepted range', (text, rule, message) => {
    const parsed = parseNumber(text, rule);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.message).toContain(message);
  });

  it('accepts a value exactly when the share-link codec does', () => {
    const cases: [string, keyof typeof NUMBER_RULES, string][] = [['steps', 'steps', 'steps'], ['g', 'guidance', 'guidance'], ['seed', 'seed', 'seed'], ['bt', 'threshold', 'blendThreshold']];
    for (const [param, rule, key] of cases) {
      for (const text of ['0', '1', '150', '151', '-1', '1.5', '30', '30.5', '1e9', '', 'abc', '4294967295', '4294967296', '0.3']) {
        const query = `p=a+cat&e=a+dog&b=cat&b=dog&${param}=${encodeURIComponent(text)}`;
        const { recipe, ignored } = decodeRecipe(query);
        const parsed = parseNumber(text, NUMBER_RULES[rule]);
        expect(parsed.ok, `${param}=${text}`).toBe(ignored.length === 0);
        if (parsed.ok) expect(recipe[key as 'steps']).toBe(parsed.value);
      }
    }
  });

  it('says the range in words', () => {
    expect(rangeText(NUMBER_RULES.steps)).toBe('an integer from 1 to 150');
    expect(rangeText(NUMBER_RULES.threshold)).toBe('a number from 0 to 1');
  });
});

describe('promptIssues', () => {
  it('flags empty prompts by field', () => {
    expect(promptIssues({ prompt: ' ', edits: ['a dog', ''], negativePrompt: '' }).map((x) => [x.field, x.label])).toEqual([
      ['prompt-0', 'Source prompt'],
      ['prompt-2', 'Edited prompt 2'],
    ]);
  });

  it('flags prompts over the limit the share link keeps, and only those', () => {
    const atLimit = 'a'.repeat(MAX_PROMPT_CHARS);
    const over = 'a'.repeat(MAX_PROMPT_CHARS + 1);
    expect(promptIssues({ prompt: atLimit, edits: [over], negativePrompt: atLimit })).toEqual([
      expect.objectContaining({ field: 'prompt-1', message: expect.stringContaining(`the limit is ${MAX_PROMPT_CHARS}`) }),
    ]);
    // A prompt at the limit survives the link unchanged; one over it would be cut.
    const link = encodeRecipe({ ...DEFAULT_RECIPE, prompt: atLimit, edits: [over] });
    const decoded = decodeRecipe(link);
    expect(decoded.recipe.prompt).toBe(atLimit);
    expect(decoded.recipe.edits[0]).not.toBe(over);
  });

  it('runIssues adds the controls holding invalid values', () => {
    const steps = { field: 'steps', label: 'Steps', message: 'out of range' };
    expect(runIssues({ prompt: 'a cat', edits: ['a dog'], negativePrompt: '' }, {})).toEqual([]);
    expect(runIssues({ prompt: '', edits: ['a dog'], negativePrompt: '' }, { steps })).toEqual([expect.objectContaining({ field: 'prompt-0' }), steps]);
  });

  it('lets the negative prompt be empty (none), but not longer than the prompts\' limit', () => {
    expect(promptIssues({ prompt: 'a cat', edits: ['a dog'], negativePrompt: '' })).toEqual([]);
    expect(promptIssues({ prompt: 'a cat', edits: ['a dog'], negativePrompt: '   ' })).toEqual([]);
    const over = 'b'.repeat(MAX_PROMPT_CHARS + 3);
    expect(promptIssues({ prompt: 'a cat', edits: ['a dog'], negativePrompt: over })).toEqual([
      { field: 'negative', label: 'Negative prompt', message: `${MAX_PROMPT_CHARS + 3} characters: the limit is ${MAX_PROMPT_CHARS} (so that a share link carries the whole prompt). Remove 3.` },
    ]);
    // The same message as an over-long prompt's.
    expect(promptIssues({ prompt: over, edits: ['a dog'], negativePrompt: '' })[0].message).toBe(promptIssues({ prompt: 'a cat', edits: ['a dog'], negativePrompt: over })[0].message);
  });
});
