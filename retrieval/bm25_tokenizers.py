"""How text becomes BM25 terms: whitespace words, character n-grams within words, a model's tokens, Kiwi morphemes.

Every tokenizer maps a list of texts to a list of token lists (bm25s indexes pre-tokenized text), and
``describe()`` returns everything its output depends on, which goes into the BM25 index fingerprint.

- ``whitespace``: words of letters, marks and digits (Unicode-aware), NFKC-normalized and lowercased;
  punctuation and symbols separate words and are dropped.
- ``char-ngram``: the character n-grams of each of those words (``n=2``: "뒤마의" -> "뒤마", "마의");
  a word shorter than n is kept whole. Works for Korean, where particles attach to words, and for English.
- ``model``: the bi-encoder tokenizer's own tokens (``tokenize``), special tokens such as [UNK] left out.
- ``kiwi``: content morphemes of the Kiwi Korean analyzer (``pip install kiwipiepy``): nouns, verb and
  adjective stems, roots, foreign words, numbers and Chinese characters; particles and endings are dropped.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from pathlib import Path

import regex

from encoders.pretrained import TOKENIZER_FILES, load_tokenizer
from errors import UserError
from fingerprints import directory_digest

TOKENIZER_NAMES = ("char-ngram", "whitespace", "model", "kiwi")
WORD = regex.compile(r"[\p{L}\p{M}\p{N}]+")
KIWI_TAGS = frozenset({"NNG", "NNP", "NR", "VV", "VA", "XR", "SL", "SN", "SH"})


def words(text: str) -> list[str]:
    """Lowercased words of letters, marks and digits; everything else separates words."""
    return WORD.findall(unicodedata.normalize("NFKC", text).lower())


def char_ngrams(text: str, n: int) -> list[str]:
    """The character n-grams of every word, in order; a word shorter than ``n`` is kept whole."""
    grams: list[str] = []
    for word in words(text):
        grams.extend(word[i : i + n] for i in range(max(len(word) - n + 1, 1)))
    return grams


class WhitespaceTokenizer:
    name = "whitespace"

    def describe(self) -> dict:
        return {"name": self.name, "words": WORD.pattern, "normalization": "NFKC, lower"}

    def __call__(self, texts: Sequence[str]) -> list[list[str]]:
        return [words(text) for text in texts]


class CharNgramTokenizer:
    name = "char-ngram"

    def __init__(self, n: int = 2):
        if n < 1:
            raise UserError(f"--bm25_ngram {n}: expected a positive integer")
        self.n = n

    def describe(self) -> dict:
        return {**WhitespaceTokenizer().describe(), "name": self.name, "n": self.n}

    def __call__(self, texts: Sequence[str]) -> list[list[str]]:
        return [char_ngrams(text, self.n) for text in texts]


class ModelTokenizer:
    """A Hugging Face tokenizer's ``tokenize``; the fingerprint covers its files, not where they are."""

    name = "model"

    def __init__(self, directory: str | Path):
        self.directory = Path(directory)
        self.tokenizer = load_tokenizer(str(self.directory), "--bm25_tokenizer model")
        self.special = set(self.tokenizer.all_special_tokens)

    def describe(self) -> dict:
        return {"name": self.name, "files": directory_digest(self.directory, TOKENIZER_FILES)}

    def __call__(self, texts: Sequence[str]) -> list[list[str]]:
        # The tokens of ``tokenize``, batched through the Rust tokenizer and without its warning about texts
        # longer than the model takes (BM25 reads whole passages).
        encoded = self.tokenizer.backend_tokenizer.encode_batch(list(texts), add_special_tokens=False)
        return [[token for token in encoding.tokens if token not in self.special] for encoding in encoded]


class KiwiTokenizer:
    """Kiwi morphemes with a content tag (``VV-I`` counts as ``VV``), lowercased, punctuation stripped."""

    name = "kiwi"

    def __init__(self, tags: frozenset[str] = KIWI_TAGS):
        try:
            import kiwipiepy
        except ImportError as error:
            raise UserError(
                "--bm25_tokenizer kiwi needs the Kiwi Korean analyzer: `pip install kiwipiepy` "
                "(or pick --bm25_tokenizer char-ngram, which needs nothing)"
            ) from error
        self.version = kiwipiepy.__version__
        self.kiwi = kiwipiepy.Kiwi()
        self.tags = tags

    def describe(self) -> dict:
        return {"name": self.name, "kiwipiepy": self.version, "tags": sorted(self.tags)}

    def __call__(self, texts: Sequence[str]) -> list[list[str]]:
        return [
            [word for token in tokens if token.tag.split("-")[0] in self.tags for word in words(token.form)]
            for tokens in self.kiwi.tokenize(list(texts))
        ]


def make_tokenizer(name: str, ngram: int = 2, model_directory: str | Path | None = None):
    """The tokenizer called ``name`` (one of ``TOKENIZER_NAMES``)."""
    if name == "whitespace":
        return WhitespaceTokenizer()
    if name == "char-ngram":
        return CharNgramTokenizer(ngram)
    if name == "model":
        if model_directory is None:
            raise UserError("--bm25_tokenizer model needs the bi-encoder's tokenizer: bi_encoder/ in --input_directory")
        return ModelTokenizer(model_directory)
    if name == "kiwi":
        return KiwiTokenizer()
    raise UserError(f"--bm25_tokenizer {name}: expected one of {', '.join(TOKENIZER_NAMES)}")
