"""Hard negatives mined with a trained bi-encoder, for training the cross-encoder.

For every training question: the top ``depth`` passages of the bi-encoder over the
training passages, without the question's gold passages and without any passage that
contains one of its answer strings (a likely false negative). The collator samples
``group_size - 1`` of them per question, afresh each epoch.
"""

from __future__ import annotations

from pathlib import Path

import torch

from data_utils import QAData
from encoders.bi_encoder import BiEncoder
from evaluation import answer_hits
from pipeline import load_or_build_index, retrieve


def mine_dense_negatives(
    bi_directory: Path,
    data: QAData,
    depth: int,
    batch_size: int,
    device: torch.device,
    precision: str,
) -> dict[str, list[str]]:
    """Question id -> up to ``depth`` hard negative passage ids, best first."""
    bi_encoder = BiEncoder.load(bi_directory, "--negatives_from").to(device)
    index_directory = bi_directory.parent / "index" / f"mining-{data.corpus.fingerprint()[:16]}"
    index, reused = load_or_build_index(
        bi_directory, bi_encoder, data.corpus, index_directory, batch_size, device, precision
    )
    print(f"mining: {'reused' if reused else 'built'} the index of the training passages in {index_directory}")
    texts = [question.text for question in data.questions]
    longest_gold = max(len(question.gold_ids) for question in data.questions)
    rankings = retrieve(bi_encoder, index, texts, depth + longest_gold, batch_size, device, precision)
    negatives = {}
    for question, ranking in zip(data.questions, rankings):
        gold = {data.corpus[g].id for g in question.gold_ids}
        candidates = [pid for pid in ranking.ids if pid not in gold]
        false_negatives = set(answer_hits(candidates, question.answers, data.corpus)) if question.answers else set()
        negatives[question.id] = [pid for pid in candidates if pid not in false_negatives][:depth]
    return negatives
