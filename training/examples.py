"""Training examples: each question with the window of its gold passage that holds the answer.

Passages longer than the passage budget are cut into windows once, up front
(``encoders.windows.WindowedCorpus``); the positive is the window containing an answer when
answers are known, else the first. Negatives from other passages use a random window
of theirs. Passage ids are kept so that losses can tell a duplicate of the positive
from a real negative.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from data_utils import QAData, check_exists, read_jsonl, warn
from encoders.windows import WindowedCorpus, window_with_answer
from errors import UserError


@dataclass(frozen=True)
class TrainingExample:
    question_id: str
    question: str
    positive_id: str
    positive_text: str
    gold_ids: frozenset[str]
    negative_ids: tuple[str, ...] = ()


def build_examples(
    data: QAData, windows: WindowedCorpus, negatives: dict[str, list[str]] | None = None
) -> list[TrainingExample]:
    """One example per question, its positive window chosen by where the answer is."""
    examples = []
    for question in data.questions:
        positive = question.gold_ids[0]
        spans = windows.spans_of(positive)
        index = window_with_answer(spans, question.answer_starts, question.answers)
        listed = (negatives or {}).get(question.id, [])
        kept = (data.corpus[pid].id for pid in listed if pid in data.corpus)  # an alias becomes its passage's id
        negative_ids = tuple(pid for pid in kept if pid not in question.gold_ids)
        examples.append(
            TrainingExample(
                question.id,
                question.text,
                data.corpus[positive].id,
                windows.window(positive, index),
                frozenset(data.corpus[g].id for g in question.gold_ids),
                negative_ids,
            )
        )
    return examples


def read_negatives_file(path: str | Path, data: QAData, flag: str) -> dict[str, list[str]]:
    """JSONL of ``{"id": question id, "negatives": [passage ids]}`` (``question_id``/``passage_ids`` also accepted)."""
    path = check_exists(path, flag)
    negatives: dict[str, list[str]] = {}
    unknown = 0
    for number, record in enumerate(read_jsonl(path), start=1):
        question_id = record.get("id", record.get("question_id"))
        passage_ids = record.get("negatives", record.get("passage_ids"))
        if question_id is None or not isinstance(passage_ids, list):
            raise UserError(f'{path}: line {number}: expected {{"id": question id, "negatives": [passage ids]}}')
        known = [str(pid) for pid in passage_ids if str(pid) in data.corpus]
        unknown += len(passage_ids) - len(known)
        negatives[str(question_id)] = known
    if unknown:
        warn(f"{path}: {unknown} negative passage ids are not in the training passages; skipped")
    if not any(negatives.values()):
        raise UserError(f"{flag} {path}: no negative passage id matches a training passage")
    return negatives
