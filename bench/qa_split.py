"""The competition layout made from one SQuAD-style file: train and test questions split by article (and,
when asked, validation questions from a held-out part of the training articles), and a corpus of every
paragraph.

Splitting by article (not by question) keeps a test question's passage, and its neighbours from the
same article, out of training, as in the competition where the test questions were unseen.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

from data_utils import parse_json


def split_articles(articles: list[dict], test_fraction: float, seed: int) -> tuple[list[dict], list[dict]]:
    """(train, test) articles: a seeded shuffle, the first ``test_fraction`` of articles (at least one) to test."""
    order = list(range(len(articles)))
    random.Random(seed).shuffle(order)
    test_count = max(1, round(len(articles) * test_fraction))
    test = sorted(order[:test_count])
    train = sorted(order[test_count:])
    return [articles[i] for i in train], [articles[i] for i in test]


def sample_questions(articles: list[dict], limit: int | None, seed: int) -> list[dict]:
    """The articles with at most ``limit`` questions in all, drawn uniformly with a seed (all when None)."""
    keys = [
        (a, p, q)
        for a, article in enumerate(articles)
        for p, paragraph in enumerate(article["paragraphs"])
        for q in range(len(paragraph["qas"]))
    ]
    if limit is None or limit >= len(keys):
        return articles
    kept = set(random.Random(seed).sample(keys, limit))
    return [
        {
            **article,
            "paragraphs": [
                {**paragraph, "qas": [qa for q, qa in enumerate(paragraph["qas"]) if (a, p, q) in kept]}
                for p, paragraph in enumerate(article["paragraphs"])
            ],
        }
        for a, article in enumerate(articles)
    ]


def write_layout(
    source: Path,
    directory: Path,
    test_fraction: float,
    seed: int,
    max_test_questions: int | None = None,
    validation_fraction: float = 0.0,
    max_validation_questions: int | None = None,
) -> dict[str, int]:
    """Write ``train.json``, ``test.json`` (SQuAD-style) and ``corpus.jsonl`` (every paragraph) into ``directory``;
    with ``validation_fraction``, also ``validation.json`` from that share of the training articles (held out of
    ``train.json``)."""
    data = parse_json(source)
    articles = data["data"]
    train, test = split_articles(articles, test_fraction, seed)
    test = sample_questions(test, max_test_questions, seed)
    parts = {"train.json": train, "test.json": test}
    validation: list[dict] = []
    if validation_fraction > 0:
        train, validation = split_articles(train, validation_fraction, seed + 1)
        validation = sample_questions(validation, max_validation_questions, seed)
        parts.update({"train.json": train, "validation.json": validation})
    directory.mkdir(parents=True, exist_ok=True)
    for name, part in parts.items():
        (directory / name).write_text(json.dumps({"data": part}, ensure_ascii=False), encoding="utf-8")
    with (directory / "corpus.jsonl").open("w", encoding="utf-8") as handle:
        for a, article in enumerate(articles):
            for p, paragraph in enumerate(article["paragraphs"]):
                record = {"id": f"{a}-{p}", "title": article.get("title", ""), "text": paragraph["context"]}
                handle.write(json.dumps(record, ensure_ascii=False) + "\n")

    def questions(part: list[dict]) -> int:
        return sum(len(paragraph["qas"]) for article in part for paragraph in article["paragraphs"])

    counts = {"articles_validation": len(validation), "questions_validation": questions(validation)}
    return {
        "articles_train": len(train),
        "articles_test": len(test),
        "questions_train": questions(train),
        "questions_test": questions(test),
        **(counts if validation else {}),
        "passages": sum(len(article["paragraphs"]) for article in articles),
    }
