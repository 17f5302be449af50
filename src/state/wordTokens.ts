/**
 * Which columns of a prompt's cross-attention maps belong to each of its words: column 0 is the start token,
 * then each word's tokens in order (CLIP may split a word into several, and never joins two), then the end
 * token. Words (or parts of words) beyond the encoder's limit have no column.
 */

/** Per word, its columns in the `[R·R, 77]` maps whose first `available` columns are labelled (BOS … EOS). */
export function wordColumns(words: readonly { tokens: number }[], available: number): number[][] {
  const out: number[][] = [];
  let column = 1;
  // The last labelled column is the end token; word tokens stop before it.
  const end = available - 1;
  for (const word of words) {
    const columns: number[] = [];
    for (let k = 0; k < word.tokens; k++, column++) if (column < end) columns.push(column);
    out.push(columns);
  }
  return out;
}
