import { writeFileSync, copyFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { beforeAll, describe, expect, it } from 'vitest';
import { CLIP_TOKENIZER_DIR, loadFixture } from '../../tests/helpers/fixtures';
import { buildClipTokenizerJson, loadPromptTokenizer, parseMerges, type PromptTokenizer } from './index';
import { testTempDir } from '../../tests/helpers/tempDir';

interface TokenizeCase { text: string; ids: number[] }
const golden = loadFixture<{ tokenize: TokenizeCase[] }>('p2p-golden.json');

let tok: PromptTokenizer;
beforeAll(async () => {
  tok = await loadPromptTokenizer(CLIP_TOKENIZER_DIR);
});

describe('loadPromptTokenizer from vocab.json + merges.txt', () => {
  it.each(golden.tokenize.map((c) => [c.text, c] as const))('pads %j like the reference', (_, c) => {
    expect(tok.padded(c.text)).toEqual(c.ids);
  });

  it('encode adds BOS/EOS without padding', () => {
    const ids = tok.encode('a cat');
    expect(ids[0]).toBe(tok.bosId);
    expect(ids[ids.length - 1]).toBe(tok.eosId);
    expect(ids).toHaveLength(4);
  });

  it('decodes ids back to lower-cased text', () => {
    expect(tok.decode(tok.encode('A Cat, sitting'))).toBe('<|startoftext|>a cat, sitting <|endoftext|>');
    expect(tok.decode([tok.encode('squirrel')[1]])).toBe('squirrel');
  });

  it('the empty prompt is BOS, EOS and padding (the unconditional prompt)', () => {
    const fitted = tok.fit('');
    expect(fitted.ids.slice(0, 2)).toEqual([tok.bosId, tok.eosId]);
    expect(fitted.ids).toHaveLength(77);
    expect(fitted.dropped).toBe(0);
  });

  it('truncates over-long prompts keeping EOS last and reports the dropped tokens', () => {
    const long = Array.from({ length: 100 }, () => 'cat').join(' ');
    const fitted = tok.fit(long);
    expect(fitted.ids).toHaveLength(77);
    expect(fitted.ids[76]).toBe(tok.eosId);
    expect(fitted.ids[75]).toBe(tok.encode('cat')[1]);
    expect(fitted.length).toBe(77);
    expect(fitted.dropped).toBe(102 - 77);
    expect(tok.padded(long)).toEqual(fitted.ids);
  });

  it('supports other lengths', () => {
    expect(tok.padded('a cat riding a bicycle', 4)).toEqual([tok.bosId, 320, 2368, tok.eosId]);
    expect(() => tok.padded('a cat', 1)).toThrow(/maxLen/);
  });
});

describe('loadPromptTokenizer from tokenizer.json', () => {
  it('gives the same ids as the vocab/merges form', async () => {
    const dir = testTempDir('tok-');
    const vocab = JSON.parse(await readFile(join(CLIP_TOKENIZER_DIR, 'vocab.json'), 'utf8'));
    const merges = parseMerges(await readFile(join(CLIP_TOKENIZER_DIR, 'merges.txt'), 'utf8'));
    writeFileSync(join(dir, 'tokenizer.json'), JSON.stringify(buildClipTokenizerJson(vocab, merges)));
    copyFileSync(join(CLIP_TOKENIZER_DIR, 'tokenizer_config.json'), join(dir, 'tokenizer_config.json'));
    const fromJson = await loadPromptTokenizer(dir);
    for (const c of golden.tokenize) expect(fromJson.padded(c.text)).toEqual(c.ids);
  });

  it('loads over HTTP from a URL, as in the browser', async () => {
    const server = createServer((req, res) => {
      readFile(join(CLIP_TOKENIZER_DIR, (req.url ?? '/').slice('/tok/'.length)))
        .then((body) => res.end(body))
        .catch(() => {
          res.statusCode = 404;
          res.end();
        });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const { port } = server.address() as AddressInfo;
      const viaHttp = await loadPromptTokenizer(`http://127.0.0.1:${port}/tok/`);
      expect(viaHttp.padded(golden.tokenize[0].text)).toEqual(golden.tokenize[0].ids);
    } finally {
      server.close();
    }
  });

  it('says what is missing when the folder holds no tokenizer', async () => {
    const empty = testTempDir('tok-empty-');
    await expect(loadPromptTokenizer(empty)).rejects.toThrow(/no tokenizer in .*: expected tokenizer\.json, vocab\.json \+ merges\.txt \(CLIP BPE\) or vocab\.txt/);
  });
});
