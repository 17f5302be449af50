"""A CLIP-format byte-level BPE tokenizer for the toy vocabulary.

Vocabulary layout as openai's CLIP (simple_tokenizer.py): the 256 bytes_to_unicode characters, the
same 256 with `</w>`, one entry per merge (merge products), then `<|startoftext|>`, `<|endoftext|>`.
Merges are chosen so every grammar word is ONE token (`circle</w>`); unknown words still fall back to
characters. `encode()` is CLIP's real BPE (used by the tests); `ids()` is the fast word lookup used in
training, equal to `encode()` on lowercase, punctuation-free grammar captions.
"""
from __future__ import annotations

import json
import os
import re
from typing import Dict, List, Optional, Tuple


MAX_LEN = 77
BOS, EOS = "<|startoftext|>", "<|endoftext|>"


def bytes_to_unicode() -> Dict[int, str]:
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return dict(zip(bs, [chr(c) for c in cs]))


def bpe(token: str, ranks: Dict[Tuple[str, str], int]) -> List[str]:
    """CLIP's bpe(): the last character carries `</w>`; merge the lowest-ranked pair until none."""
    word = list(token[:-1]) + [token[-1] + "</w>"]
    while len(word) > 1:
        pairs = {(word[i], word[i + 1]) for i in range(len(word) - 1)}
        best = min(pairs, key=lambda p: ranks.get(p, float("inf")))
        if best not in ranks:
            break
        out, i = [], 0
        while i < len(word):
            if i < len(word) - 1 and (word[i], word[i + 1]) == best:
                out.append(word[i] + word[i + 1])
                i += 2
            else:
                out.append(word[i])
                i += 1
        word = out
    return word


def build_merges(words: List[str]) -> List[Tuple[str, str]]:
    """Greedy: for each word, while BPE leaves it in pieces, append a merge of its first two pieces.
    A merge appended later has a lower priority, so it never changes words already made whole."""
    merges: List[Tuple[str, str]] = []
    ranks: Dict[Tuple[str, str], int] = {}
    for w in words:
        while True:
            pieces = bpe(w, ranks)
            if len(pieces) == 1:
                break
            m = (pieces[0], pieces[1])
            ranks[m] = len(merges)
            merges.append(m)
    return merges


class ToyTokenizer:
    def __init__(self, words: Optional[List[str]] = None):
        if words is None:  # toy-shapes' grammar (data.py needs PIL; the emoji model passes its own words)
            from data import VOCAB_WORDS
            words = VOCAB_WORDS
        b2u = bytes_to_unicode()
        self.byte_encoder = b2u
        self.merges = build_merges(words)
        self.ranks = {m: i for i, m in enumerate(self.merges)}
        vocab = list(b2u.values())
        vocab = vocab + [v + "</w>" for v in vocab]
        vocab += ["".join(m) for m in self.merges]
        vocab += [BOS, EOS]
        self.vocab = {v: i for i, v in enumerate(vocab)}
        assert len(self.vocab) == len(vocab), "duplicate vocabulary entry"
        self.bos_id, self.eos_id = self.vocab[BOS], self.vocab[EOS]
        self.pat = re.compile(r"<\|startoftext\|>|<\|endoftext\|>|'s|'t|'re|'ve|'m|'ll|'d|[^\W\d_]+|\d|[^\s\w]+", re.I)
        self.word_ids = {w: self.vocab[w + "</w>"] for w in words}

    def __len__(self):
        return len(self.vocab)

    def encode(self, text: str) -> List[int]:
        """True CLIP BPE (without BOS/EOS)."""
        text = re.sub(r"\s+", " ", text).strip().lower()
        out = []
        for tok in self.pat.findall(text):
            tok = "".join(self.byte_encoder[b] for b in tok.encode("utf-8"))
            out.extend(self.vocab[p] for p in bpe(tok, self.ranks))
        return out

    def ids(self, caption: str) -> List[int]:
        """[BOS] + word tokens + [EOS], padded with EOS to 77 (SD 1.x). Word lookup; falls back to BPE."""
        try:
            toks = [self.word_ids[w] for w in caption.split()]
        except KeyError:
            toks = self.encode(caption)
        toks = [self.bos_id] + toks[: MAX_LEN - 2] + [self.eos_id]
        return toks + [self.eos_id] * (MAX_LEN - len(toks))

    # ----------------------------------------------------------------------------------------------
    def save(self, folder: str):
        os.makedirs(folder, exist_ok=True)
        with open(os.path.join(folder, "vocab.json"), "w") as f:
            json.dump(self.vocab, f, ensure_ascii=False)
        with open(os.path.join(folder, "merges.txt"), "w") as f:
            f.write("#version: 0.2\n" + "".join(f"{a} {b}\n" for a, b in self.merges))
        special = {
            "bos_token": BOS, "eos_token": EOS, "unk_token": EOS, "pad_token": EOS,
        }
        with open(os.path.join(folder, "special_tokens_map.json"), "w") as f:
            json.dump(special, f, indent=2)
        cfg = dict(special, model_max_length=MAX_LEN, tokenizer_class="CLIPTokenizer", do_lower_case=True,
                   add_prefix_space=False, errors="replace", clean_up_tokenization_spaces=True)
        with open(os.path.join(folder, "tokenizer_config.json"), "w") as f:
            json.dump(cfg, f, indent=2)
        with open(os.path.join(folder, "tokenizer.json"), "w") as f:
            json.dump(self.tokenizer_json(), f, ensure_ascii=False, indent=1)

    def tokenizer_json(self) -> dict:
        """HF `tokenizers` schema of openai/clip-vit-large-patch14's tokenizer.json."""
        def added(tok):
            return {"id": self.vocab[tok], "content": tok, "single_word": False, "lstrip": False,
                    "rstrip": False, "normalized": True, "special": True}
        return {
            "version": "1.0",
            "truncation": None,
            "padding": None,
            "added_tokens": [added(BOS), added(EOS)],
            "normalizer": {"type": "Sequence", "normalizers": [
                {"type": "NFC"},
                {"type": "Replace", "pattern": {"Regex": "\\s+"}, "content": " "},
                {"type": "Lowercase"}]},
            "pre_tokenizer": {"type": "Sequence", "pretokenizers": [
                {"type": "Split", "pattern": {"Regex": "<\\|startoftext\\|>|<\\|endoftext\\|>|'s|'t|'re|'ve|'m|'ll|'d|[\\p{L}]+|[\\p{N}]|[^\\s\\p{L}\\p{N}]+"},
                 "behavior": "Removed", "invert": True},
                {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": True, "use_regex": False}]},
            "post_processor": {"type": "RobertaProcessing", "sep": [EOS, self.eos_id], "cls": [BOS, self.bos_id],
                               "trim_offsets": False, "add_prefix_space": False},
            "decoder": {"type": "ByteLevel", "add_prefix_space": True, "trim_offsets": True, "use_regex": True},
            "model": {"type": "BPE", "dropout": None, "unk_token": EOS, "continuing_subword_prefix": "",
                      "end_of_word_suffix": "</w>", "fuse_unk": False, "byte_fallback": False,
                      "vocab": self.vocab, "merges": [f"{a} {b}" for a, b in self.merges]},
        }


if __name__ == "__main__":
    from data import VOCAB_WORDS
    t = ToyTokenizer()
    print(len(t), "tokens,", len(t.merges), "merges, bos", t.bos_id, "eos", t.eos_id)
    for w in VOCAB_WORDS:
        assert t.encode(w) == [t.word_ids[w]], w
    print(t.ids("a red circle on the left")[:9], t.encode("a hippo"))
