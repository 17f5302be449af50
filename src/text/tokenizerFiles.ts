/**
 * The tokenizer.json of a tokenizer folder in whichever form its repository ships, read through a callback (a
 * file in Node, a URL, a cached model): `tokenizer.json` itself; CLIP's `vocab.json` + `merges.txt` (most SD
 * repositories); BERT's `vocab.txt` (LDM text2im). `tokenizer_config.json` is optional. One reader for every
 * runtime, so Node and the browser accept and refuse the same folders.
 */
import { buildClipTokenizerJson, parseMerges, type Vocab } from './clipTokenizerJson';
import { buildWordPieceTokenizerJson, parseWordPieceVocab } from './wordPieceTokenizerJson';

/** A file's text, or undefined when the folder does not have it. */
export type ReadTokenizerFile = (name: string) => Promise<string | undefined>;

export const TOKENIZER_FORMS = 'tokenizer.json, vocab.json + merges.txt (CLIP BPE) or vocab.txt (BERT WordPiece)';

function parseJson(text: string, name: string, where: string): Record<string, unknown> {
  try {
    return JSON.parse(text) as Record<string, unknown>;
  } catch (err) {
    throw new Error(`${where}/${name} is not valid JSON (${err instanceof Error ? err.message : String(err)})`);
  }
}

export async function readTokenizerFiles(read: ReadTokenizerFile, where: string): Promise<{ json: object; config: Record<string, unknown> }> {
  const configText = await read('tokenizer_config.json');
  const config = configText === undefined ? {} : parseJson(configText, 'tokenizer_config.json', where);
  const jsonText = await read('tokenizer.json');
  if (jsonText !== undefined) return { json: parseJson(jsonText, 'tokenizer.json', where), config };
  const [vocab, merges] = await Promise.all([read('vocab.json'), read('merges.txt')]);
  if (vocab !== undefined && merges !== undefined) return { json: buildClipTokenizerJson(parseJson(vocab, 'vocab.json', where) as Vocab, parseMerges(merges)), config };
  const wordPiece = await read('vocab.txt');
  if (wordPiece !== undefined) {
    const lowercase = config.do_lower_case === undefined ? true : config.do_lower_case === true;
    return { json: buildWordPieceTokenizerJson(parseWordPieceVocab(wordPiece), { lowercase }), config };
  }
  throw new Error(`no tokenizer in ${where}: expected ${TOKENIZER_FORMS}`);
}
