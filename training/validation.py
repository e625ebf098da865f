"""Validation at the end of each epoch: how well the model ranks the gold passage.

Bi-encoder: every validation question against every validation passage (each
passage scored by its best window), top-1/5/20 and MRR@10; a binary (BPR) bi-encoder's
passages by their ±1 codes, as its index rescores them. Cross-encoder: each
question's positive window among G candidates (itself + a random window of each of
G-1 passages, drawn once with a fixed seed, so every epoch is scored on the same
groups), and ``chance_top1``, the top-1 of
guessing (1/G, more where a small corpus gives fewer candidates).
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from dataclasses import replace

import torch

from data_utils import QAData
from encoders.bi_encoder import BiEncoder
from encoders.cross_encoder import CrossEncoder
from encoders.hashing import sign_codes
from encoders.windows import WindowedCorpus
from metrics import ranking_metrics
from retrieval.dense import exact_search
from runtime import Runtime
from training.examples import build_examples

BI_KS = (1, 5, 20)


def model_device(model: torch.nn.Module) -> torch.device:
    return next(model.parameters()).device


def on_its_device(runtime: Runtime, model: torch.nn.Module) -> Runtime:
    """``runtime`` moved to wherever the Trainer has put the model (its weights stay as they are)."""
    return replace(runtime, device=model_device(model))


def bi_encoder_evaluator(
    data: QAData, windows: WindowedCorpus, runtime: Runtime
) -> Callable[[BiEncoder], dict[str, float]]:
    texts, owners = windows.all_windows()
    questions = [question.text for question in data.questions]
    golds = [{data.corpus[g].id for g in question.gold_ids} for question in data.questions]
    passage_ids = data.corpus.ids

    def evaluate(model: BiEncoder) -> dict[str, float]:
        model.prepare(on_its_device(runtime, model), cast_weights=False)
        keys = model.encode(texts, "passage")
        if model.settings.binary:  # what --index binary rescores with: the question vector · the ±1 passage code
            keys = sign_codes(keys)
        queries = model.encode(questions, "question")
        _, indices = exact_search(queries, keys, max(BI_KS), owners, model.runtime.device)
        rankings = [[passage_ids[i] for i in row] for row in indices]
        return ranking_metrics(rankings, golds, BI_KS)

    return evaluate


def validation_groups(
    data: QAData, windows: WindowedCorpus, group_size: int, seed: int
) -> tuple[list[str], list[str], list[list[str]], list[set[str]]]:
    """(questions, passages: one pair per candidate, the candidate ids of each group, each group's gold id).

    Each group is the positive window and ``group_size - 1`` other passages drawn once with ``seed``; a
    negative is a random window of its passage, as training draws them: first windows only would let a
    model that learned "the answer is not in an opening" look like one that ranks.
    """
    rng = random.Random(seed)
    ids = data.corpus.ids
    questions, passages, groups, golds = [], [], [], []
    for example in build_examples(data, windows):
        drawn = rng.sample(range(len(ids)), min(len(ids), group_size - 1 + len(example.gold_ids)))
        negatives = [ids[i] for i in drawn if ids[i] not in example.gold_ids][: group_size - 1]
        candidates = [(example.positive_id, example.positive_text)]
        candidates += [(pid, windows.random_window(pid, rng)) for pid in negatives]
        rng.shuffle(candidates)  # ties must not favour the positive
        questions += [example.question] * len(candidates)
        passages += [text for _, text in candidates]
        groups.append([pid for pid, _ in candidates])
        golds.append({example.positive_id})
    return questions, passages, groups, golds


def cross_encoder_evaluator(
    data: QAData, windows: WindowedCorpus, encoder: CrossEncoder, group_size: int, runtime: Runtime, seed: int
) -> Callable[[torch.nn.Module], dict[str, float]]:
    questions, passages, groups, golds = validation_groups(data, windows, group_size, seed)
    chance_top1 = sum(1.0 / len(group) for group in groups) / max(len(groups), 1)

    def evaluate(model: torch.nn.Module) -> dict[str, float]:
        scorer = CrossEncoder(model, encoder.tokenizer, encoder.settings)
        scores = scorer.prepare(on_its_device(runtime, model), cast_weights=False).score(questions, passages)
        rankings, start = [], 0
        for group in groups:
            group_scores = scores[start : start + len(group)]
            rankings.append([group[i] for i in sorted(range(len(group)), key=lambda i: -group_scores[i])])
            start += len(group)
        return {**ranking_metrics(rankings, golds, BI_KS), "chance_top1": chance_top1}

    return evaluate


def no_better_than_chance(top1: float, chance: float, questions: int) -> bool:
    """Whether a top-1 accuracy is within three standard errors of ``chance``, the top-1 of guessing.

    A cross-encoder that ranks its validation positives first no more often than guessing would has not
    learned to rerank; it would only shuffle the first stage's list (seen on KorQuAD under an English
    vocabulary, where the loss stays at ln G for the first steps and longer at a low learning rate).
    """
    return top1 <= chance + 3.0 * math.sqrt(chance * (1.0 - chance) / max(questions, 1))
