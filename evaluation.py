"""Scoring ranked lists against gold passages (and answer strings), and printing the results table."""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Sequence

from data_utils import Corpus, QAData, warn
from metrics import graded_metrics, ranking_metrics

KS = (1, 5, 10, 20, 50, 100, 500)


def gold_in_corpus(queries: QAData, corpus: Corpus) -> list[set[str]]:
    """Gold passages of each question as ids of ``corpus``: a passage of the QA data matched by its text, one that
    the queries name by id only (BEIR qrels) by that id.

    A gold passage missing from the corpus stays as an id no ranking can contain, so the
    question counts as a miss rather than silently dropping out.
    """
    golds, missing = [], 0
    for question in queries.questions:
        gold = set()
        for gold_id in question.gold_ids:
            if gold_id in queries.corpus:
                kept = corpus.id_of_text(queries.corpus[gold_id].text)
            else:
                kept = corpus.kept_id(gold_id)
            if kept is None:
                missing += 1
                gold.add(f"<not in corpus: {gold_id}>")
            else:
                gold.add(kept)
        golds.append(gold)
    if missing:
        warn(f"{missing} gold passages of the queries are not in the corpus (matched by text or id); counted as misses")
    return golds


def judgements_in_corpus(queries: QAData, corpus: Corpus, golds: Sequence[set[str]]) -> list[dict[str, int]]:
    """Each question's graded judgements as ids of ``corpus``: the qrels' grades where the data has them (BEIR),
    else grade 1 for every gold passage of ``gold_in_corpus``."""
    judgements = []
    for question, gold in zip(queries.questions, golds):
        if question.relevance:
            judgements.append({corpus.kept_id(pid) or pid: grade for pid, grade in question.relevance})
        else:
            judgements.append(dict.fromkeys(gold, 1))
    return judgements


def normalize(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).lower()
    return " ".join(re.sub(r"[^\w\s]", " ", text).split())


def answer_hits(ranking: Sequence[str], answers: Sequence[str], corpus: Corpus) -> list[str]:
    """The ranking with each passage id kept only if the passage contains an answer (DPR's answer match)."""
    wanted = [normalize(answer) for answer in answers if normalize(answer)]
    return [pid for pid in ranking if any(answer in normalize(corpus[pid].text) for answer in wanted)]


def stage_metrics(
    rankings: Sequence[Sequence[str]],
    golds: Sequence[set[str]],
    queries: QAData,
    corpus: Corpus,
    ks: Sequence[int] = KS,
) -> dict[str, float]:
    """top-k for each of ``ks`` and MRR@10 by gold passage id, nDCG@10, Recall@100 and MAP by graded judgement
    (``metrics.graded_metrics``); ``answer_top{k}`` by answer string when answers are known."""
    metrics = ranking_metrics(rankings, golds, ks)
    metrics.update(graded_metrics(rankings, judgements_in_corpus(queries, corpus, golds)))
    if any(question.answers for question in queries.questions):
        depth = max((len(ranking) for ranking in rankings), default=0)
        for k in (k for k in ks if k <= depth):
            hits = [
                bool(answer_hits(ranking[:k], question.answers, corpus))
                for ranking, question in zip(rankings, queries.questions)
                if question.answers
            ]
            metrics[f"answer_top{k}"] = sum(hits) / len(hits)
    return metrics


def standard_error(accuracy: float, questions: int) -> float:
    """The standard error of an accuracy measured on ``questions`` questions (binomial)."""
    return math.sqrt(accuracy * (1.0 - accuracy) / max(questions, 1))


def worse_by_more_than_its_error(
    row: dict[str, float], base: dict[str, float], questions: int, names: Sequence[str]
) -> tuple[str, float] | None:
    """(the first of the accuracies ``names`` on which ``row`` is below ``base`` by more than ``row``'s standard
    error, that error), or None."""
    for name in names:
        if name in row and name in base:
            error = standard_error(row[name], questions)
            if base[name] - row[name] > error:
                return name, error
    return None


def format_table(metrics: dict[str, dict[str, float]], answer_match: bool = False) -> str:
    """A Markdown table, one row per stage: metrics by gold passage id, or (``answer_match``) by answer string."""
    columns: list[str] = []
    for values in metrics.values():
        columns += [name for name in values if name.startswith("answer_") == answer_match and name not in columns]
    lines = ["| stage | " + " | ".join(columns) + " |", "|---" * (len(columns) + 1) + "|"]
    for stage, values in metrics.items():
        cells = [format_value(values.get(name)) for name in columns]
        lines.append(f"| {stage} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def format_value(value: float | None) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    return f"{value:.3f}"
