/**
 * Which control an engine `bad-input` message is about ('prompt-1', 'cross', 'blend-0', 'kind'…), so the
 * page shows it next to that control rather than only in the run bar.
 */
export function errorField(message: string, prompts: string[]): string | undefined {
  // "the negative prompt must be text" (pipeline), "request.negativePrompt has 501 characters" (worker check).
  if (/negative ?prompt/i.test(message)) return 'negative';
  // "edited prompt 2 is empty" (planner), "prompt 2 is empty" (pipeline checks: prompt i of the batch = edit i).
  const edited = /(?:edited prompt|^prompt) (\d+)\b/i.exec(message);
  if (edited) return `prompt-${edited[1]}`;
  if (/source prompt/i.test(message)) return 'prompt-0';
  if (/LocalBlend/i.test(message)) {
    const quoted = /in the prompt "(.*)"$/.exec(message)?.[1];
    return `blend-${Math.max(0, quoted === undefined ? 0 : prompts.indexOf(quoted))}`;
  }
  if (/self-attention/i.test(message)) return 'self';
  if (/cross-attention/i.test(message)) return 'cross';
  if (/words and prompt B has|edit kind|reweight/i.test(message)) return 'kind';
  return undefined;
}

