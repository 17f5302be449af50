/**
 * Token map for added words (Prompt-to-Prompt §3.2 "adding a new phrase"): the reference
 * `seq_aligner.get_mapper`. `mapper[j]` is the source token whose attention target token `j`
 * inherits, −1 for new tokens; `alphas[j]` is 1 where a source token exists, 0 for new ones.
 */
import { alignTargetToSource } from './alignment';
import { fittedIds, type WordTokenizer, MAX_LEN } from './tokens';

export function refinementMapper(
  source: string,
  target: string,
  tok: WordTokenizer,
  maxLen = MAX_LEN,
): { mapper: Int32Array; alphas: Float32Array } {
  const sourceIds = fittedIds(tok, source, maxLen);
  const targetIds = fittedIds(tok, target, maxLen);
  const aligned = alignTargetToSource(sourceIds, targetIds);
  const mapper = new Int32Array(maxLen);
  const alphas = new Float32Array(maxLen).fill(1);
  aligned.forEach((s, j) => {
    mapper[j] = s;
    alphas[j] = s === -1 ? 0 : 1;
  });
  // Padding positions follow on from the end of the target (the reference's `len(y) + arange`).
  for (let j = aligned.length; j < maxLen; j++) mapper[j] = j;
  return { mapper, alphas };
}
