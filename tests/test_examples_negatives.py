"""training/examples.py ``build_examples``: the negatives mined for a question reach its training example (and
no gold passage does), on the synthetic train data with BM25-mined lists and on a hand-made list."""

from __future__ import annotations

import contextlib
import io

from data_utils import Corpus, QAData, Question, load_qa
from encoders.windows import WindowedCorpus
from retrieval.bm25_tokenizers import WhitespaceTokenizer
from training.examples import build_examples
from training.mining import mine_bm25_negatives


def test_mined_bm25_negatives_reach_every_example(squad_files, tokenizer, tmp_path):
    """Catches in build_examples: `listed = []` (mined negatives dropped before they reach the examples)."""
    data = load_qa(squad_files["train"])
    with contextlib.redirect_stdout(io.StringIO()):
        negatives = mine_bm25_negatives(tmp_path, data, 5, WhitespaceTokenizer())
    with_negatives = [question for question in data.questions if negatives.get(question.id)]
    assert len(with_negatives) == len(data.questions)  # the synthetic data gives every question some
    windows = WindowedCorpus(data.corpus, tokenizer, 48, 16)
    examples = build_examples(data, windows, negatives)
    assert [example.question_id for example in examples] == [question.id for question in data.questions]
    for question, example in zip(data.questions, examples):
        if not negatives.get(question.id):
            continue
        assert len(example.negative_ids) >= 1, question.id
        # Mining already drops gold passages: every mined id goes through, in order, and none is gold.
        assert example.negative_ids == tuple(negatives[question.id])
        assert not set(example.negative_ids) & example.gold_ids
        assert not set(example.negative_ids) & set(question.gold_ids)
        assert all(pid in data.corpus for pid in example.negative_ids)


def test_listed_negatives_drop_gold_and_unknown_ids_and_map_aliases(tokenizer):
    """Catches in build_examples: `listed = []`, dropping the `pid not in question.gold_ids` filter, and
    `data.corpus[pid].id` -> `pid` (an alias id must become the kept passage id)."""
    corpus = Corpus()
    corpus.add("the naba was here", passage_id="gold")
    corpus.add("the subole was there", passage_id="n1")
    corpus.add("a vojava for it", passage_id="n2")
    corpus.add("a vojava for it", passage_id="n2-copy")  # same text as n2: an alias of it
    data = QAData([Question("q0", "what naba", gold_ids=("gold",)), Question("q1", "what subole", ("n1",))], corpus)
    listed = {"q0": ["n2-copy", "gold", "missing", "n1"], "q1": []}
    examples = build_examples(data, WindowedCorpus(corpus, tokenizer, 48, 16), listed)
    assert examples[0].negative_ids == ("n2", "n1")
    assert examples[0].gold_ids == frozenset({"gold"})
    assert examples[1].negative_ids == ()
    assert [example.negative_ids for example in build_examples(data, WindowedCorpus(corpus, tokenizer, 48, 16))] == [
        (),
        (),
    ]


def test_an_alias_of_the_gold_passage_is_no_negative(tokenizer):
    """A negatives file may name the gold passage by another id of the same text (an alias).
    Mutation caught: filtering the listed id against the gold ids before mapping it to the kept id."""
    corpus = Corpus()
    corpus.add("the naba was here", passage_id="gold")
    corpus.add("the naba was here", passage_id="gold-copy")  # the same text: an alias of "gold"
    corpus.add("the subole was there", passage_id="n1")
    data = QAData([Question("q0", "what naba", gold_ids=("gold",))], corpus)
    examples = build_examples(data, WindowedCorpus(corpus, tokenizer, 48, 16), {"q0": ["gold-copy", "n1"]})
    assert examples[0].negative_ids == ("n1",)
