// The CLI's argument checks: every range of the studio's recipe, negative numbers read as values, and all of it
// before a model is loaded (the real CLI is run on a model folder that does not exist).
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { LIMITS, MAX_EDITS, MAX_PROMPT_CHARS } from '../state/recipe';
import { joinNegativeValues, parseGenerateArgs, USAGE } from './nodeGenerateArgs';

const base = ['--model', 'm', '--prompt', 'a red circle'];
const error = (args: string[]) => {
  try {
    parseGenerateArgs([...base, ...args]);
  } catch (e) {
    return (e as Error).message;
  }
  return 'accepted';
};

describe('generate CLI arguments', () => {
  it('reads a negative number as the value of an option, not as another option', () => {
    expect(joinNegativeValues(['--steps', '-5', '--weight', 'red=-2', '--seed', '7'])).toEqual(['--steps=-5', '--weight', 'red=-2', '--seed', '7']);
    expect(error(['--steps', '-5'])).toBe('--steps must be an integer from 1 to 150, got "-5"');
    expect(error(['--guidance', '-.5'])).toBe('--guidance must be a number from 0 to 30, got "-.5"');
    const ok = parseGenerateArgs([...base, '--edit', 'a red square', '--kind', 'reweight', '--weight', 'red=-2']);
    expect(ok.request.edit?.equalizer).toEqual({ words: ['red'], values: [-2] });
  });

  it('checks every range with the limits the studio and its links use', () => {
    expect(error(['--steps', String(LIMITS.steps.max + 1)])).toMatch(/--steps must be an integer from 1 to 150/);
    expect(error(['--steps', '2.5'])).toMatch(/--steps must be an integer/);
    expect(error(['--steps', ''])).toMatch(/--steps must be/);
    expect(error(['--seed', '-1'])).toMatch(/--seed must be an integer from 0 to 4294967295/);
    expect(error(['--guidance', '1e9'])).toMatch(/--guidance must be a number from 0 to 30/);
    expect(error(['--edit', 'a red square', '--cross', '1.5'])).toMatch(/--cross must be a number from 0 to 1/);
    expect(error(['--edit', 'a red square', '--self', 'NaN'])).toMatch(/--self must be/);
    expect(error(['--edit', 'a red square', '--cross-word', 'square=2'])).toBe('--cross-word square must be a number from 0 to 1, got "2"');
    expect(error(['--edit', 'a red square', '--kind', 'reweight', '--weight', 'red=11'])).toMatch(/--weight red must be a number from -10 to 10/);
    expect(error(['--edit', 'a red square', '--blend', 'circle,square', '--threshold', '2'])).toMatch(/--threshold must be a number from 0 to 1/);
    expect(error(['--threads', '0'])).toMatch(/--threads must be an integer from 1/);
  });

  it('refuses what a share link could not carry: over-long prompts, too many edits, empty prompts', () => {
    expect(error(['--edit', 'x'.repeat(MAX_PROMPT_CHARS + 1), '--kind', 'refine'])).toBe(`--edit 1 has ${MAX_PROMPT_CHARS + 1} characters; the limit is ${MAX_PROMPT_CHARS} (the studio and share links use the same limit)`);
    expect(error(Array.from({ length: MAX_EDITS + 1 }, () => ['--edit', 'a red square']).flat())).toBe(`at most ${MAX_EDITS} --edit prompts, got ${MAX_EDITS + 1}`);
    expect(error(['--edit', '  '])).toBe('--edit 1 is empty');
    expect(() => parseGenerateArgs(['--model', 'm', '--prompt', ' '])).toThrow('--prompt is required (and not empty)');
  });

  it('reads --negative into the request (only when given), with the prompts\' length limit', () => {
    expect(parseGenerateArgs(base).request).not.toHaveProperty('negativePrompt');
    expect(parseGenerateArgs([...base, '--negative', '']).request).not.toHaveProperty('negativePrompt');
    expect(parseGenerateArgs([...base, '--negative', 'blue, green']).request.negativePrompt).toBe('blue, green');
    // It shapes plain runs and edits alike.
    expect(parseGenerateArgs([...base, '--edit', 'a red square', '--negative', 'blue']).request).toMatchObject({ negativePrompt: 'blue', edit: { kind: 'replace' } });
    expect(parseGenerateArgs([...base, '--negative', 'n'.repeat(MAX_PROMPT_CHARS)]).request.negativePrompt).toHaveLength(MAX_PROMPT_CHARS);
    expect(error(['--negative', 'n'.repeat(MAX_PROMPT_CHARS + 1)])).toBe(`--negative has ${MAX_PROMPT_CHARS + 1} characters; the limit is ${MAX_PROMPT_CHARS} (the studio and share links use the same limit)`);
    expect(USAGE).toMatch(/--negative "/);
  });

  it('refuses options that would have no effect instead of ignoring them', () => {
    expect(error(['--cross', '0.5', '--self', '0.2'])).toBe('--cross, --self shape an edit and need at least one --edit prompt');
    expect(error(['--threshold', '0.5'])).toBe('--threshold shapes an edit and needs at least one --edit prompt');
    expect(error(['--edit', 'a red square', '--threshold', '0.5'])).toBe("--threshold is LocalBlend's threshold and needs --blend");
    expect(error(['--edit', 'a red square', '--reweight-base', 'refine'])).toBe('--reweight-base applies to --kind reweight only (this edit is replace)');
    expect(error(['--edit', 'a red square', '--kind', 'reweight', '--weight', 'red=2', '--reweight-base', 'replace'])).toBe('accepted');
  });

  it('says a swap needs equal word counts, and how to add words instead', () => {
    expect(error(['--edit', 'a big red square'])).toBe('a word swap (replace) needs the same number of words in every prompt: the source has 3, --edit 1 has 4; use --kind refine to add or remove words');
    expect(error(['--edit', 'a big red square', '--kind', 'refine'])).toBe('accepted');
  });

  it('reads --image into a DDIM edit of the inverted picture, negative-prompt inversion by default', () => {
    const cli = parseGenerateArgs(['--model', 'm', '--prompt', 'a red circle', '--edit', 'a red square', '--image', 'p.png', '--steps', '20']);
    expect(cli.image).toEqual({ path: 'p.png', steps: 20, method: 'negative-prompt' });
    expect(cli.request).toMatchObject({ scheduler: 'ddim', steps: 20, negativePrompt: 'a red circle' });
    const plain = parseGenerateArgs(['--model', 'm', '--prompt', 'a red circle', '--image', 'p.png', '--invert-steps', '10', '--inversion', 'ddim', '--negative', 'blurry']);
    expect(plain.image).toEqual({ path: 'p.png', steps: 10, method: 'ddim' });
    expect(plain.request).toMatchObject({ scheduler: 'ddim', steps: 10, negativePrompt: 'blurry' });
    expect(parseGenerateArgs(['--model', 'm', '--prompt', 'a red circle']).image).toBeUndefined();
  });

  it('refuses --image options that contradict the inversion', () => {
    expect(error(['--invert-steps', '10'])).toBe('--invert-steps needs --image');
    expect(error(['--image', 'p.png', '--scheduler', 'pndm'])).toBe('--image edits with the DDIM scheduler (what the inversion inverts); --scheduler pndm cannot be used with it');
    expect(error(['--image', 'p.png', '--steps', '20', '--invert-steps', '10'])).toBe('--steps 20 and --invert-steps 10 differ: the edit must take the inversion\'s steps (give one of them)');
    expect(error(['--image', 'p.png', '--negative', 'blurry'])).toBe('--inversion negative-prompt uses the source prompt as the negative prompt; drop --negative or use --inversion ddim');
    expect(error(['--image', 'p.png', '--inversion', 'null-text'])).toBe('--inversion must be negative-prompt or ddim, got "null-text"');
  });

  it('the real CLI reports a bad range before it looks at the model', () => {
    const r = spawnSync('npx', ['tsx', 'scripts/generate.ts', '--model', '/nonexistent/model', '--prompt', 'a red circle', '--steps', '-5'], { encoding: 'utf8', timeout: 60_000 });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('error: --steps must be an integer from 1 to 150, got "-5"');
    expect(r.stderr).not.toMatch(/nonexistent/);
  });
});
