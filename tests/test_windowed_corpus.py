"""``WindowedCorpus``, the one place a corpus becomes windows: training examples, the dense index and reranking
all read their windows from it, so a wrong window or a lost passage reaches every stage.

It is in ``make mutate``'s fast selection; each test names the kind of change it catches.
"""

from __future__ import annotations

import pytest

from data_utils import Corpus
from encoders.windows import WindowedCorpus, split_into_windows
from errors import UserError

MAX_TOKENS, STRIDE = 4, 1
TEXTS = ["the a of in the a of in the a of in", "in of", "a the of in a the of"]


class CountingTokenizer:
    """The tokenizer, recording each batch of texts it is asked to tokenize."""

    def __init__(self, tokenizer):
        self.tokenizer = tokenizer
        self.batches: list[list[str]] = []

    def __call__(self, texts, **kwargs):
        self.batches.append(list(texts))
        return self.tokenizer(texts, **kwargs)


@pytest.fixture
def corpus() -> Corpus:
    corpus = Corpus()
    for number, text in enumerate(TEXTS):
        corpus.add(text, passage_id=f"p{number}")
    corpus.add(TEXTS[0], passage_id="copy-of-p0")  # a duplicate text: an alias of p0
    return corpus


def expected_windows(tokenizer, text: str) -> list[str]:
    return [text[start:end] for start, end in split_into_windows(tokenizer, [text], MAX_TOKENS, STRIDE)[0]]


def test_each_passage_s_windows_are_its_own_spans_at_the_corpus_s_settings(tokenizer, corpus):
    """Catches the window size or the stride not kept (or swapped), a window's index ignored or defaulting to
    another than the first, and a window cut from another passage's text."""
    windows = WindowedCorpus(corpus, tokenizer, MAX_TOKENS, STRIDE)
    long_windows = expected_windows(tokenizer, TEXTS[0])
    assert len(long_windows) >= 3
    for number, text in enumerate(TEXTS):
        assert windows.windows_of(f"p{number}") == expected_windows(tokenizer, text)
    assert windows.window("p0") == long_windows[0]
    assert windows.window("p0", 2) == long_windows[2]
    assert windows.window("p1") == TEXTS[1]
    assert windows.spans_of("p2") == split_into_windows(tokenizer, [TEXTS[2]], MAX_TOKENS, STRIDE)[0]


def test_an_alias_reads_the_kept_passage_s_windows(tokenizer, corpus):
    """Catches the spans stored or looked up under the id asked for instead of the kept one."""
    windows = WindowedCorpus(corpus, tokenizer, MAX_TOKENS, STRIDE)
    assert windows.windows_of("copy-of-p0") == windows.windows_of("p0")
    assert windows.window("copy-of-p0", 1) == windows.window("p0", 1)
    windows.prepare(["copy-of-p0"])
    assert set(windows.spans) == {"p0"}


def test_prepare_tokenizes_each_passage_once_and_only_those_asked_for(tokenizer, corpus):
    """Catches the cache ignored (every call tokenizes again), duplicates or aliases tokenized twice, and
    ``prepare(ids)`` tokenizing the whole corpus or nothing."""
    counting = CountingTokenizer(tokenizer)
    windows = WindowedCorpus(corpus, counting, MAX_TOKENS, STRIDE)
    assert windows.prepare(["p2", "copy-of-p0", "p0", "p2"]) is windows
    assert counting.batches == [[TEXTS[2], TEXTS[0]]]
    windows.prepare(["p0"])
    windows.window("p2", 1)
    assert len(counting.batches) == 1
    windows.prepare()
    assert counting.batches[1:] == [[TEXTS[1]]]
    assert windows.window("p1") == TEXTS[1]
    assert len(counting.batches) == 2


def test_a_passage_not_prepared_is_windowed_when_first_asked_for(tokenizer, corpus):
    counting = CountingTokenizer(tokenizer)
    windows = WindowedCorpus(corpus, counting, MAX_TOKENS, STRIDE)
    assert windows.windows_of("p1") == [TEXTS[1]]
    assert counting.batches == [[TEXTS[1]]]


class LastOfRng:
    """An rng whose ``randrange(n)`` records n and returns its largest value."""

    def __init__(self):
        self.asked: list[int] = []

    def randrange(self, n: int) -> int:
        self.asked.append(n)
        return n - 1


def test_a_random_window_is_drawn_from_all_of_the_passage_s_windows(tokenizer, corpus):
    """Catches the draw over one window fewer (the last window never a negative) or one more, and the first
    window returned whatever was drawn."""
    windows = WindowedCorpus(corpus, tokenizer, MAX_TOKENS, STRIDE)
    rng = LastOfRng()
    assert windows.random_window("p0", rng) == windows.windows_of("p0")[-1]
    assert rng.asked == [len(windows.windows_of("p0"))]


def test_all_windows_and_a_shard_s_windows_name_each_window_s_passage_position(tokenizer, corpus):
    """Catches a passage left out, the owners counted from 0 in a shard that starts later, and a shard that
    tokenizes passages outside it."""
    counting = CountingTokenizer(tokenizer)
    windows = WindowedCorpus(corpus, counting, MAX_TOKENS, STRIDE)
    texts, owners = windows.windows_in(1, 3)
    assert counting.batches == [[TEXTS[1], TEXTS[2]]]
    assert texts == expected_windows(tokenizer, TEXTS[1]) + expected_windows(tokenizer, TEXTS[2])
    assert owners == [1] + [2] * len(expected_windows(tokenizer, TEXTS[2]))
    every_text, every_owner = windows.all_windows()
    per_passage = [expected_windows(tokenizer, text) for text in TEXTS]
    assert every_text == [window for passage in per_passage for window in passage]
    assert every_owner == [position for position, passage in enumerate(per_passage) for _ in passage]


@pytest.mark.parametrize(("max_tokens", "stride"), [(4, 4), (0, 0), (4, -1)])
def test_impossible_window_settings_are_refused_when_the_corpus_is_made(tokenizer, corpus, max_tokens, stride):
    with pytest.raises(UserError, match="stride|passage tokens|max_passage_length"):
        WindowedCorpus(corpus, tokenizer, max_tokens, stride)
