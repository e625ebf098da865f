"""Turn a list of training examples into the tensors each loss needs.

Both collators tokenize with dynamic padding. Negatives are drawn from a generator
seeded with ``--seed``, the epoch and the batch's question ids, so a run resumed with
``--resume`` (which skips the batches already trained) draws exactly the negatives the
uninterrupted run would have drawn. (A generator whose state is saved with the checkpoint
would not do: the Trainer's data loader prepares one batch ahead of the step it trains.)
"""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass

import torch

from encoders.windows import WindowedCorpus
from training.examples import TrainingExample

NO_KEY = -1  # pads a question's row of gold passage keys; a passage key is never negative


def passage_key(passage_id: str) -> int:
    """A passage id as a number that fits a tensor (63 bits of its hash), so that ranks can compare ids."""
    digest = hashlib.blake2b(passage_id.encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "big") >> 1


def batch_rng(seed: int, epoch: int, examples: list[TrainingExample]) -> random.Random:
    """The random generator for one batch: determined by the seed, the epoch and the batch's questions."""
    return random.Random("\x1f".join([str(seed), str(epoch)] + [example.question_id for example in examples]))


def in_batch_negatives(example: TrainingExample, batch: list[TrainingExample]) -> list[tuple[str, str]]:
    """(passage id, window) of the other questions' positives, excluding every gold passage of ``example``."""
    seen = set(example.gold_ids)
    negatives = []
    for other in batch:
        if other.positive_id not in seen:
            seen.add(other.positive_id)
            negatives.append((other.positive_id, other.positive_text))
    return negatives


@dataclass
class BiEncoderCollator:
    """Questions, then passages: the B positives followed by up to ``hard_negatives`` listed negatives each.

    ``ignore_mask[b, n]`` is True where passage n is a gold passage of question b, so a
    duplicate of the positive (another question about the same paragraph) is not a negative.
    ``passage_keys`` [N] and ``gold_keys`` [B, G] (``passage_key`` of the passages and of each question's gold
    passages, padded with ``NO_KEY``) let cross-device negatives build that mask across ranks.
    """

    tokenizer: object
    windows: WindowedCorpus
    max_query_length: int
    max_passage_length: int
    hard_negatives: int = 0
    seed: int = 0
    epoch: int = 0  # set by the Trainer callback ``training.trainer.EpochToCollator``

    def __call__(self, examples: list[TrainingExample]) -> dict:
        rng = batch_rng(self.seed, self.epoch, examples)
        passage_ids = [example.positive_id for example in examples]
        passages = [example.positive_text for example in examples]
        for example in examples:
            count = min(self.hard_negatives, len(example.negative_ids))
            for passage_id in rng.sample(example.negative_ids, count):
                passage_ids.append(passage_id)
                passages.append(self.windows.random_window(passage_id, rng))
        ignore_mask = torch.tensor([[pid in example.gold_ids for pid in passage_ids] for example in examples])
        gold_keys = [[passage_key(pid) for pid in example.gold_ids] for example in examples]
        width = max(map(len, gold_keys))
        return {
            "question_inputs": self.tokenize([example.question for example in examples], self.max_query_length),
            "passage_inputs": self.tokenize(passages, self.max_passage_length),
            "targets": torch.arange(len(examples)),
            "ignore_mask": ignore_mask,
            "passage_keys": torch.tensor([passage_key(pid) for pid in passage_ids]),
            "gold_keys": torch.tensor([keys + [NO_KEY] * (width - len(keys)) for keys in gold_keys]),
        }

    def tokenize(self, texts: list[str], max_length: int) -> dict:
        return dict(self.tokenizer(texts, truncation=True, max_length=max_length, padding=True, return_tensors="pt"))


@dataclass
class CrossEncoderCollator:
    """Groups of 1 positive + up to G-1 negatives per question, flattened into (question, window) pairs.

    Negatives come from the example's listed negatives first, then from the other
    questions' positives in the batch (never a gold passage of the question). A group
    with fewer than G candidates is padded in ``valid_mask`` only: no pair is scored for it.
    """

    tokenizer: object
    windows: WindowedCorpus
    max_length: int
    group_size: int
    seed: int = 0
    epoch: int = 0  # set by the Trainer callback ``training.trainer.EpochToCollator``

    def __call__(self, examples: list[TrainingExample]) -> dict:
        rng = batch_rng(self.seed, self.epoch, examples)
        questions, passages, positions = [], [], []
        for row, example in enumerate(examples):
            candidates = [example.positive_text] + self.negatives(example, examples, rng)
            for column, text in enumerate(candidates):
                questions.append(example.question)
                passages.append(text)
                positions.append(row * self.group_size + column)
        valid = torch.zeros(len(examples) * self.group_size, dtype=torch.bool)
        valid[positions] = True
        pair_inputs = self.tokenizer(
            questions,
            passages,
            truncation="longest_first",
            max_length=self.max_length,
            padding=True,
            return_tensors="pt",
        )
        return {
            "pair_inputs": dict(pair_inputs),
            "positions": torch.tensor(positions),
            "valid_mask": valid.view(len(examples), self.group_size),
        }

    def negatives(self, example: TrainingExample, batch: list[TrainingExample], rng: random.Random) -> list[str]:
        wanted = self.group_size - 1
        listed = rng.sample(example.negative_ids, min(wanted, len(example.negative_ids)))
        chosen = [self.windows.random_window(passage_id, rng) for passage_id in listed]
        if len(chosen) < wanted:
            others = [pair for pair in in_batch_negatives(example, batch) if pair[0] not in listed]
            rng.shuffle(others)
            chosen += [text for _, text in others[: wanted - len(chosen)]]
        return chosen
