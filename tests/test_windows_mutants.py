"""Tests that kill mutants of ``encoders/windows.py`` which survived ``make mutate`` (mutmut 3.8.1).

Each test names its mutants (mutmut's ids at the time, and the change each made): the ids move when the
module changes, the changes do not.
"""

from __future__ import annotations

import pytest

from encoders.windows import check_window_flags, split_into_windows, truncate_text, window_spans, window_with_answer
from errors import UserError

SPANS = [(0, 10), (5, 15), (10, 20)]


def test_an_answer_at_character_zero_counts():
    """``x_window_with_answer__mutmut_5`` / ``_6``: ``start < 0`` -> ``start <= 0`` / ``start < 1``: an answer at
    the passage's first character would be skipped and a later answer's window returned."""
    assert window_with_answer(SPANS, [0, 12], ["abcd", "ef"]) == 0


def test_an_answer_starting_on_a_window_start_is_in_that_window():
    """``x_window_with_answer__mutmut_12``: ``first <= start`` -> ``first < start``."""
    assert window_with_answer(SPANS, [5], ["abcdefgh"]) == 1


def test_a_text_of_exactly_max_tokens_is_kept_whole(tokenizer):
    """``x_truncate_text__mutmut_19``: ``len(offsets) <= max_tokens`` -> ``<``: a text of exactly ``max_tokens``
    tokens would be cut after its last token, losing what follows it (here a trailing space)."""
    text = "the a of in "
    count = len(tokenizer(text, add_special_tokens=False)["input_ids"])
    assert truncate_text(tokenizer, [text], count) == [text]
    assert truncate_text(tokenizer, [text], count - 1)[0] != text


def test_a_one_token_window_is_allowed():
    """``x_check_window_flags__mutmut_1`` / ``_2``: ``max_tokens < 1`` -> ``<= 1`` / ``< 2`` would refuse it."""
    check_window_flags(1, 0)
    with pytest.raises(UserError):
        check_window_flags(0, 0)


# Ten tokens, each one character with a space before it (" a b c ..."): text length 21, so the first window must
# begin at character 0 and the last end at 21 (the spaces around the tokens are part of the windows).
TEN = [(2 * i + 1, 2 * i + 2) for i in range(10)]


def test_windows_cover_the_text_from_its_first_to_its_last_character_and_back_off_to_word_starts():
    """Four tokens a window, one shared (a step of 3); words begin at tokens 0, 1 and 6.

    - the first window begins at character 0 and the last ends at the text's end, whitespace included:
      ``x_window_spans__mutmut_16`` / ``_20`` (``start == 0`` -> ``and False`` / ``== 1``) and ``__mutmut_23``
      (the last window cut at its last token);
    - the second window would begin inside a word at token 3; it backs off to token 1, the word start just
      after the previous window's start: ``__mutmut_38`` (``previous + 1`` -> ``previous + 2``) misses it;
    - the fourth would begin at token 7; it backs off one token to the word start at 6: ``__mutmut_42``
      (``-= 1`` -> ``-= 2``) steps over it. ``__mutmut_35`` / ``_36`` / ``_37`` / ``_40`` back off to a start
      at or before the previous window's, and never end (mutmut counts the timeout as caught).
    """
    word_starts = [True, True, False, False, False, False, True, False, False, False]
    assert window_spans(TEN, 21, 4, 1, word_starts) == [(0, 8), (3, 10), (9, 16), (13, 21)]


class CharacterTokenizer:
    """Every non-space character is a token; words are separated by spaces."""

    def __call__(self, texts, **kwargs):
        return CharacterEncoding(texts)


class CharacterEncoding(dict):
    def __init__(self, texts):
        super().__init__(offset_mapping=[[(i, i + 1) for i, c in enumerate(text) if c != " "] for text in texts])
        self.texts = texts

    def word_ids(self, index):
        words, word = [], 0
        for c in self.texts[index]:
            if c == " ":
                word += 1
            else:
                words.append(word)
        return words


def test_a_window_never_begins_inside_the_first_word_at_its_second_token():
    """``x_split_into_windows__mutmut_45``: ``i == 0`` -> ``i == 1`` marks the second token as a word start
    even inside the first word; the second window of "abcdefgh ij" (4 tokens, a step of 3) would then begin
    at "b" instead of the plain step's "d"."""
    assert split_into_windows(CharacterTokenizer(), ["abcdefgh ij"], 4, 1) == [[(0, 4), (3, 7), (6, 11)]]


TWENTY_TOKENS = " ".join(["the a of in"] * 5)  # five windows of 4


@pytest.fixture(scope="module")
def eight_token_tokenizer(tiny_model):
    """A tokenizer whose model takes 8 tokens: passages and cuts longer than that must still be whole."""
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(tiny_model, model_max_length=8)


def test_a_passage_longer_than_the_model_s_limit_is_windowed_whole(eight_token_tokenizer):
    """``x_split_into_windows__mutmut_31``: ``truncation=False`` -> ``True``: the tokenizer would stop at the
    model's 8 tokens, and the last window would run from there to the passage's end, 12 tokens in one."""
    text = TWENTY_TOKENS
    assert len(eight_token_tokenizer(text, add_special_tokens=False)["input_ids"]) == 20
    spans = split_into_windows(eight_token_tokenizer, [text], 4, 0)[0]
    assert [text[start:end] for start, end in spans] == ["the a of in"] * 5


def test_a_cut_longer_than_the_model_s_limit_still_cuts(eight_token_tokenizer):
    """``x_truncate_text__mutmut_15``: ``truncation=False`` -> ``True``: with the offsets stopped at the model's 8
    tokens, a 20-token text would look short enough for a cut at 12 and be kept whole."""
    text = TWENTY_TOKENS
    assert truncate_text(eight_token_tokenizer, [text], 12) == [" ".join(["the a of in"] * 3)]
