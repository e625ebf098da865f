"""Tests that kill mutants of ``encoders/windows.py`` which survived ``make mutate`` (mutmut 3.8.1).

Each test names its mutants (mutmut's ids at the time, and the change each made): the ids move when the
module changes, the changes do not.
"""

from __future__ import annotations

import pytest

from encoders.windows import truncate_text, window_with_answer

SPANS = [(0, 10), (5, 15), (10, 20)]


def test_an_answer_at_character_zero_counts():
    """``x_window_with_answer__mutmut_5`` / ``_6``: ``start < 0`` -> ``start <= 0`` / ``start < 1``: an answer at
    the passage's first character would be skipped and a later answer's window returned."""
    assert window_with_answer(SPANS, [0, 12], ["abcd", "ef"]) == 0


def test_an_answer_starting_on_a_window_start_is_in_that_window():
    """``x_window_with_answer__mutmut_12``: ``first <= start`` -> ``first < start``."""
    assert window_with_answer(SPANS, [5], ["abcdefgh"]) == 1


@pytest.fixture(scope="module")
def tokenizer(tiny_model):
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(tiny_model)


def test_a_text_of_exactly_max_tokens_is_kept_whole(tokenizer):
    """``x_truncate_text__mutmut_19``: ``len(offsets) <= max_tokens`` -> ``<``: a text of exactly ``max_tokens``
    tokens would be cut after its last token, losing what follows it (here a trailing space)."""
    text = "the a of in "
    count = len(tokenizer(text, add_special_tokens=False)["input_ids"])
    assert truncate_text(tokenizer, [text], count) == [text]
    assert truncate_text(tokenizer, [text], count - 1)[0] != text
