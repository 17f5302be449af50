/**
 * Word-swap token map (Prompt-to-Prompt §3.2 "word swap"): the reference
 * `seq_aligner.get_replacement_mapper_`, with its misalignment after the last swapped word fixed.
 * Row = source token, column = target token. A swapped word spreads its attention evenly over the
 * target word's tokens when their token counts differ.
 */
import { splitWords, type WordTokenizer, MAX_LEN } from './tokens';
import { wordIndices } from './wordIndices';

export function replacementMapper(source: string, target: string, tok: WordTokenizer, maxLen = MAX_LEN): Float32Array {
  const wordsSource = splitWords(source);
  const wordsTarget = splitWords(target);
  if (wordsSource.length !== wordsTarget.length) {
    throw new Error(
      'attention replacement edit can only be applied on prompts with the same length but prompt A has ' +
        `${wordsSource.length} words and prompt B has ${wordsTarget.length} words.`,
    );
  }
  const swapped = wordsTarget.flatMap((w, i) => (w !== wordsSource[i] ? [i] : []));
  const indsSource = swapped.map((i) => wordIndices(source, i, tok));
  const indsTarget = swapped.map((i) => wordIndices(target, i, tok));
  swapped.forEach((w, k) => {
    if (indsSource[k].length === 0 || indsTarget[k].length === 0) {
      throw new Error(`swapped word #${w} ("${wordsSource[w]}" → "${wordsTarget[w]}") has no tokens`);
    }
  });

  const mapper = new Float32Array(maxLen * maxLen);
  let i = 0; // source token
  let j = 0; // target token
  let k = 0; // next swapped word
  while (i < maxLen && j < maxLen) {
    if (k < swapped.length && indsSource[k][0] === i) {
      const src = indsSource[k];
      const tgt = indsTarget[k];
      if (src.length === tgt.length) {
        src.forEach((s, n) => (mapper[s * maxLen + tgt[n]] = 1));
      } else {
        const share = 1 / tgt.length;
        for (const s of src) for (const t of tgt) mapper[s * maxLen + t] = share;
      }
      k += 1;
      i += src.length;
      j += tgt.length;
    } else {
      // The reference writes mapper[j, j] once all swapped words are behind; the diagonal continues
      // from (i, j) here so the tokens after a word of a different token count stay aligned.
      mapper[i * maxLen + j] = 1;
      i += 1;
      j += 1;
    }
  }
  return mapper;
}
