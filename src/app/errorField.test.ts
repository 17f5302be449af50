/**
 * errorField on the messages the pipeline really throws (prepareRun with the CLIP tokenizer), so each
 * shows next to the control that causes it; "prompt 1 is empty" used to land in the run bar only.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { CLIP_TOKENIZER_DIR } from '../../tests/helpers/fixtures';
import { prepareRun, type BackendCapabilities, type GenerateRequest } from '../diffusion';
import { loadPromptTokenizer, type PromptTokenizer } from '../text';
import { errorField } from './errorField';

const caps: BackendCapabilities = {
  instrumented: true, mapResolution: 4, latentChannels: 4, latentSize: [8, 8], contextLength: 77, hiddenSize: 8, description: 'test',
};
let tok: PromptTokenizer;
beforeAll(async () => {
  tok = await loadPromptTokenizer(CLIP_TOKENIZER_DIR);
});

function messageOf(req: Partial<GenerateRequest>): string {
  const base: GenerateRequest = {
    prompts: ['a cat riding a bicycle', 'a dog riding a bicycle'], seed: 1, steps: 4, guidance: 7.5,
    edit: { kind: 'replace', crossReplaceSteps: 0.8, selfReplaceSteps: 0.4 },
  };
  try {
    prepareRun({ ...base, ...req }, caps, tok);
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error('prepareRun accepted the request');
}

describe('errorField', () => {
  it.each<[Partial<GenerateRequest>, string]>([
    [{ prompts: ['a cat', ''] }, 'prompt-1'],
    [{ prompts: ['a cat', 'a dog', ' '] }, 'prompt-2'],
    [{ prompts: ['', 'a dog'] }, 'prompt-0'],
    [{ prompts: ['a cat', 'a big dog'] }, 'kind'],
    [{ edit: { kind: 'replace', crossReplaceSteps: 0.8, selfReplaceSteps: 0.4, localBlend: { words: [['cat'], ['zebra']] } } }, 'blend-1'],
    [{ negativePrompt: 3 as unknown as string }, 'negative'],
  ])('%j → %s', (req, field) => {
    const message = messageOf(req);
    expect(errorField(message, req.prompts ?? ['a cat riding a bicycle', 'a dog riding a bicycle']), message).toBe(field);
  });

  it('puts the worker\'s negative prompt check next to the negative prompt', () => {
    expect(errorField('request.negativePrompt has 501 characters; the limit is 500', ['a cat'])).toBe('negative');
  });
});
