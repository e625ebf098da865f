"""Passage windows: coverage, overlap, token budget, the answer's window; with the tiny model's WordPiece tokenizer."""

from __future__ import annotations

import random

import pytest

from encoders.windows import check_window_flags, split_into_windows, truncate_text, window_with_answer
from errors import UserError

WINDOW_FLAGS = [(10, 3), (16, 4), (24, 8), (12, 0)]


@pytest.fixture(scope="module")
def pair_tokenizer():
    """A WordPiece tokenizer whose words split into a first letter and two-letter ``##`` pieces, like a real
    vocabulary where a word's inner pieces are not pieces a word can begin with: a window that begins in
    the middle of a word re-tokenizes into more tokens than it had."""
    from string import ascii_lowercase

    from tokenizers import Tokenizer, models, normalizers, pre_tokenizers
    from transformers import BertTokenizerFast

    vocabulary = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", ",", ".", "the", "end"]
    vocabulary += list(ascii_lowercase) + [f"##{letter}" for letter in ascii_lowercase]
    vocabulary += [f"##{a}{b}" for a in ascii_lowercase for b in ascii_lowercase]
    tokenizer = Tokenizer(models.WordPiece({token: i for i, token in enumerate(vocabulary)}, unk_token="[UNK]"))
    tokenizer.normalizer = normalizers.BertNormalizer(lowercase=True)
    tokenizer.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    return BertTokenizerFast(tokenizer_object=tokenizer)


@pytest.fixture(params=["tiny model", "two-letter pieces"])
def any_tokenizer(request):
    return request.getfixturevalue("tokenizer" if request.param == "tiny model" else "pair_tokenizer")


@pytest.fixture(scope="module")
def long_texts(squad_files) -> list[str]:
    """A long passage of the synthetic data, and one of made-up words that split into many word pieces
    (so that windows would often begin in the middle of a word)."""
    import json

    data = json.loads(squad_files["train"].read_text(encoding="utf-8"))
    contexts = [p["context"] for article in data["data"] for p in article["paragraphs"]]
    rng = random.Random(0)
    letters = "abcdefghijklmnopqrstuvwxyz"
    odd = " ".join("".join(rng.choice(letters) for _ in range(rng.randint(3, 7))) for _ in range(120))
    return [max(contexts, key=len), odd + ", the end."]


def tokens_of(tokenizer, text: str) -> dict:
    return tokenizer(text, add_special_tokens=False, return_offsets_mapping=True)


def longest_word(encoding) -> int:
    """The most word pieces any one word has."""
    words = encoding.word_ids()
    return max(words.count(word) for word in set(words))


@pytest.mark.parametrize(("max_tokens", "stride"), WINDOW_FLAGS)
def test_windows_cover_the_text_overlap_by_stride_and_fit_the_budget(any_tokenizer, long_texts, max_tokens, stride):
    tokenizer = any_tokenizer
    all_spans = split_into_windows(tokenizer, long_texts, max_tokens, stride)
    assert len(all_spans) == len(long_texts)
    for text, spans in zip(long_texts, all_spans, strict=True):
        encoding = tokens_of(tokenizer, text)
        offsets = encoding["offset_mapping"]
        assert max_tokens - stride >= longest_word(encoding)  # precondition: a window can always start at a word
        assert len(spans) > 2
        assert spans[0][0] == 0 and spans[-1][1] == len(text)
        for (first, last), (next_first, next_last) in zip(spans, spans[1:], strict=False):
            assert first < next_first and last < next_last
            assert next_first < last if stride else not text[last:next_first].strip()  # no text between windows
        for start, end in offsets:
            assert any(first <= start and end <= last for first, last in spans), "a token is in no window"
        for index, (first, last) in enumerate(spans):
            window = text[first:last]
            assert len(tokenizer(window, add_special_tokens=False)["input_ids"]) <= max_tokens
            if index:
                shared = [
                    (start, end)
                    for start, end in offsets
                    if spans[index - 1][0] <= start and end <= spans[index - 1][1] and first <= start and end <= last
                ]
                # at least `stride` tokens shared; a little more when the window moved back to a word start
                assert stride <= len(shared) <= stride + longest_word(encoding) - 1


def test_windows_of_a_text_without_odd_words_start_where_the_stride_says(tokenizer, long_texts):
    text = long_texts[0]
    offsets = tokens_of(tokenizer, text)["offset_mapping"]
    spans = split_into_windows(tokenizer, [text], 20, 5)[0]
    starts = [first for first, _ in spans[1:]]
    assert starts == [offsets[i][0] for i in range(15, 15 * len(starts) + 1, 15)]


@pytest.mark.parametrize("text", ["the a of in on is was", "  spaces around  ", "x"])
def test_a_short_passage_is_one_window(tokenizer, text):
    assert len(tokens_of(tokenizer, text)["input_ids"]) <= 16
    assert split_into_windows(tokenizer, [text], 16, 4) == [[(0, len(text))]]


def test_a_passage_of_exactly_max_tokens_is_one_window(tokenizer):
    text = " ".join(["the"] * 16)
    assert len(tokens_of(tokenizer, text)["input_ids"]) == 16
    assert split_into_windows(tokenizer, [text], 16, 4) == [[(0, len(text))]]
    assert len(split_into_windows(tokenizer, [text + " the"], 16, 4)[0]) == 2


def test_window_with_answer_picks_the_first_window_holding_the_whole_answer():
    spans = [(0, 50), (40, 90), (80, 120)]
    assert window_with_answer(spans, [10], ["abc"]) == 0
    assert window_with_answer(spans, [45], ["abc"]) == 0  # in windows 0 and 1: the first
    assert window_with_answer(spans, [48], ["abcdef"]) == 1  # crosses the end of window 0
    assert window_with_answer(spans, [95], ["abcdef"]) == 2
    assert window_with_answer(spans, [-1, 100], ["lost", "abc"]) == 2  # an unknown start is skipped
    assert window_with_answer(spans, [-1], ["abc"]) == 0
    assert window_with_answer(spans, [], []) == 0


def test_window_with_answer_on_real_windows(tokenizer, long_texts):
    text = long_texts[0]
    spans = split_into_windows(tokenizer, [text], 12, 3)[0]
    answer_start = text.rindex(" ") + 1  # the last word: only the last window holds it
    answer = text[answer_start:]
    index = window_with_answer(spans, [answer_start], [answer])
    assert index == len(spans) - 1
    first, last = spans[index]
    assert answer in text[first:last]


def test_window_flags_are_checked():
    check_window_flags(8, 7)
    with pytest.raises(UserError, match="--stride 8"):
        check_window_flags(8, 8)
    with pytest.raises(UserError, match="--max_passage_length"):
        check_window_flags(0, 0)


def test_truncate_text_keeps_a_prefix_of_at_most_max_tokens(tokenizer, long_texts):
    short = "naba and subole"
    truncated = truncate_text(tokenizer, [long_texts[0], short], 7)
    assert truncated[1] == short
    assert long_texts[0].startswith(truncated[0]) and len(truncated[0]) < len(long_texts[0])
    assert len(tokens_of(tokenizer, truncated[0])["input_ids"]) == 7
