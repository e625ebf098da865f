"""Cutting long passages into overlapping windows of at most N tokens.

Windows are character spans of the original text (found from the fast tokenizer's
offsets), so that every later step works on plain strings: the bi-encoder embeds
each window, the cross-encoder scores each window, and a passage's score is
pooled over its windows. ``stride`` is the number of tokens two neighbouring
windows share, as in Hugging Face's ``return_overflowing_tokens``.

``WindowedCorpus`` is the one place a corpus becomes windows: training examples,
the dense index and reranking all read their windows from it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from errors import UserError

if TYPE_CHECKING:
    from data_utils import Corpus

Span = tuple[int, int]


def check_window_flags(max_tokens: int, stride: int) -> None:
    if max_tokens < 1:
        raise UserError(f"--max_passage_length must leave room for passage tokens (got {max_tokens} tokens)")
    if stride < 0 or stride >= max_tokens:
        raise UserError(f"--stride {stride}: expected 0 <= stride < passage tokens per window ({max_tokens})")


def window_spans(
    offsets: Sequence[tuple[int, int]],
    text_length: int,
    max_tokens: int,
    stride: int,
    word_starts: Sequence[bool] | None = None,
) -> list[Span]:
    """Character spans of windows of ``max_tokens`` tokens overlapping by ``stride`` tokens.

    ``word_starts[i]`` is True where token i begins a word. A window that would begin inside a
    word then begins at that word's first token (overlapping a little more): a text cut in the
    middle of a word re-tokenizes differently, often into more tokens than the window holds.
    """
    if len(offsets) <= max_tokens:
        return [(0, text_length)]
    spans = []
    step = max_tokens - stride
    start = 0
    while True:
        end = min(start + max_tokens, len(offsets))
        first = 0 if start == 0 else offsets[start][0]
        last = text_length if end == len(offsets) else offsets[end - 1][1]
        spans.append((first, last))
        if end == len(offsets):
            return spans
        previous, start = start, start + step
        if word_starts is not None:
            word_start = start
            while word_start > previous + 1 and not word_starts[word_start]:
                word_start -= 1
            if word_starts[word_start]:
                start = word_start


def split_into_windows(tokenizer, texts: Sequence[str], max_tokens: int, stride: int) -> list[list[Span]]:
    """Window spans for every text (one tokenizer pass over all of them, in chunks)."""
    check_window_flags(max_tokens, stride)
    spans: list[list[Span]] = []
    chunk = 1024
    for begin in range(0, len(texts), chunk):
        batch = list(texts[begin : begin + chunk])
        encoded = tokenizer(
            batch, add_special_tokens=False, return_offsets_mapping=True, truncation=False, verbose=False
        )
        for index, (text, offsets) in enumerate(zip(batch, encoded["offset_mapping"])):
            words = encoded.word_ids(index)
            starts = [i == 0 or words[i] != words[i - 1] for i in range(len(words))]
            spans.append(window_spans(offsets, len(text), max_tokens, stride, starts))
    return spans


def window_with_answer(spans: Sequence[Span], answer_starts: Sequence[int], answers: Sequence[str]) -> int:
    """Index of the first window that wholly contains an answer; 0 when none does or answers are unknown."""
    for start, answer in zip(answer_starts, answers):
        if start < 0:
            continue
        end = start + len(answer)
        for index, (first, last) in enumerate(spans):
            if first <= start and end <= last:
                return index
    return 0


def truncate_text(tokenizer, texts: Sequence[str], max_tokens: int) -> list[str]:
    """Each text cut to its first ``max_tokens`` tokens (at a token boundary)."""
    encoded = tokenizer(
        list(texts), add_special_tokens=False, return_offsets_mapping=True, truncation=False, verbose=False
    )
    return [
        text if len(offsets) <= max_tokens else text[: offsets[max_tokens - 1][1]]
        for text, offsets in zip(texts, encoded["offset_mapping"])
    ]


class WindowedCorpus:
    """A corpus with the window spans of its passages, each computed once, when first needed.

    Training asks for every passage up front (``prepare()``); reranking only for the candidates of each
    chunk of questions (``prepare(ids)``), so a large corpus is never tokenized whole at rerank time.
    """

    def __init__(self, corpus: Corpus, tokenizer, max_tokens: int, stride: int):
        check_window_flags(max_tokens, stride)
        self.corpus = corpus
        self.tokenizer = tokenizer
        self.max_tokens = max_tokens
        self.stride = stride
        self.spans: dict[str, list[Span]] = {}

    def prepare(self, passage_ids: Iterable[str] | None = None) -> WindowedCorpus:
        """Compute the spans of these passages (default: all) that are not known yet, in one tokenizer pass."""
        wanted = self.corpus.ids if passage_ids is None else (self.corpus[pid].id for pid in passage_ids)
        missing = list(dict.fromkeys(pid for pid in wanted if pid not in self.spans))
        texts = [self.corpus[pid].text for pid in missing]
        self.spans.update(zip(missing, split_into_windows(self.tokenizer, texts, self.max_tokens, self.stride)))
        return self

    def spans_of(self, passage_id: str) -> list[Span]:
        passage_id = self.corpus[passage_id].id
        if passage_id not in self.spans:
            self.prepare([passage_id])
        return self.spans[passage_id]

    def window(self, passage_id: str, index: int = 0) -> str:
        start, end = self.spans_of(passage_id)[index]
        return self.corpus[passage_id].text[start:end]

    def windows_of(self, passage_id: str) -> list[str]:
        text = self.corpus[passage_id].text
        return [text[start:end] for start, end in self.spans_of(passage_id)]

    def random_window(self, passage_id: str, rng) -> str:
        """One of the passage's windows, uniformly. A negative must not always be a first window: the
        positive is the window holding the answer, wherever it is, so a model shown only first windows as
        negatives learns "not the opening of a paragraph" instead of relevance (it did, on KorQuAD, where
        a paragraph is about four windows under an English vocabulary)."""
        return self.window(passage_id, rng.randrange(len(self.spans_of(passage_id))))

    def all_windows(self) -> tuple[list[str], list[int]]:
        """Every window's text and the position of its passage in the corpus, passage by passage."""
        return self.windows_in(0, len(self.corpus))

    def windows_in(self, start: int, end: int) -> tuple[list[str], list[int]]:
        """The windows of the passages at positions ``start`` to ``end - 1`` (texts, and each one's passage
        position), passage by passage; only those passages are tokenized (a shard of a large corpus)."""
        ids = self.corpus.ids[start:end]
        self.prepare(ids)
        texts, owners = [], []
        for position, passage_id in enumerate(ids, start):
            windows = self.windows_of(passage_id)
            texts += windows
            owners += [position] * len(windows)
        return texts, owners
