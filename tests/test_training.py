"""Training through the command line (``train.main`` in-process) and the collators that feed the losses.

Runs are tiny and seeded, on the CPU in fp32. The bi-encoder trains on the synthetic train split and is
judged on the validation split against the untrained model; the cross-encoder (which learns slowly from
a random tiny BERT) trains on a small split and is judged on its own training questions.
"""

from __future__ import annotations

import contextlib
import io
import json
import random
import shutil
from pathlib import Path

import numpy as np
import pytest
import torch
from conftest import synthetic_squad

from data_utils import Corpus, load_qa
from encoders.bi_encoder import BiEncoder
from encoders.cross_encoder import CrossEncoder
from encoders.settings import BiEncoderSettings, EncoderSettings
from encoders.windows import WindowedCorpus
from errors import run_cli
from runtime import Runtime
from train import main
from training.collators import BiEncoderCollator, CrossEncoderCollator
from training.examples import TrainingExample
from training.validation import bi_encoder_evaluator, no_better_than_chance

pytestmark = pytest.mark.usefixtures("single_thread")

LENGTHS = ["--max_query_length", "16", "--max_passage_length", "64", "--stride", "16"]
RUNTIME = ["--precision", "fp32", "--device", "cpu", "--quiet", "--logging_steps", "1"]
RESUME = "--resume"
BI_FLAGS = ["--encoder", "bi", "--pooling", "mean", "--lr", "1e-3", "--train_batch_size", "8", *LENGTHS, *RUNTIME]
BI_SETTINGS = BiEncoderSettings(max_query_length=16, max_passage_length=64, stride=16, pooling="mean")  # = BI_FLAGS
CROSS_SETTINGS = EncoderSettings(max_query_length=16, max_passage_length=64, stride=16)  # = LENGTHS


def train(argv: list[str]) -> str:
    """Run ``train.py`` in-process; return what it printed."""
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        assert main(argv) == 0
    return printed.getvalue()


def read_log(directory: Path) -> list[dict]:
    return [json.loads(line) for line in (directory / "log.jsonl").read_text(encoding="utf-8").splitlines()]


def losses(log: list[dict]) -> dict[int, float]:
    return {record["step"]: record["loss"] for record in log if "loss" in record}


def loss_steps(log: list[dict]) -> list[int]:
    return [record["step"] for record in log if "loss" in record]


def read_config(directory: Path) -> dict:
    return json.loads((directory / "train_config.json").read_text(encoding="utf-8"))


# ---------------------------------------------------------------------------------------------
# Collators


TEXTS = {
    "p0": "the naba was in the subole and it was from that",
    "p1": "bunobe of and is luhi for it at from zoku",
    "p2": "a for vojava a at from it was at on with be difo",
    "p3": "this as and by and and that for the from as in",
}


@pytest.fixture(scope="module")
def windows(tokenizer) -> WindowedCorpus:
    corpus = Corpus()
    for passage_id, text in TEXTS.items():
        corpus.add(text, passage_id=passage_id)
    return WindowedCorpus(corpus, tokenizer, 62, 16)


def example(question_id: str, positive: str, golds: tuple[str, ...] = (), negatives: tuple[str, ...] = ()):
    return TrainingExample(
        question_id, f"what {question_id}", positive, TEXTS[positive], frozenset((positive, *golds)), negatives
    )


def passage_texts(tokenizer, inputs: dict) -> list[str]:
    """The second segment of every tokenized pair (or the whole text of single texts), decoded."""
    texts = []
    for row, ids in enumerate(inputs["input_ids"].tolist()):
        mask = inputs["attention_mask"][row].tolist()
        if "token_type_ids" in inputs and any(inputs["token_type_ids"][row].tolist()):
            types = inputs["token_type_ids"][row].tolist()
            ids = [i for i, t, m in zip(ids, types, mask, strict=True) if t == 1 and m][:-1]
        else:
            ids = [i for i, m in zip(ids, mask, strict=True) if m][1:-1]
        texts.append(tokenizer.decode(ids))
    return texts


def test_bi_encoder_collator_masks_duplicate_and_gold_passages(tokenizer, windows):
    # q0 and q1 ask about the same passage; q2 has two gold passages and p0 as a listed negative.
    batch = [example("q0", "p0", negatives=("p3",)), example("q1", "p0", negatives=("p3",))]
    batch.append(example("q2", "p1", golds=("p3",), negatives=("p0",)))
    collator = BiEncoderCollator(tokenizer, windows, 16, 64, hard_negatives=1)

    output = collator(batch)

    # columns: the positives p0, p0, p1, then the hard negatives p3, p3, p0
    columns = ("p0", "p0", "p1", "p3", "p3", "p0")
    assert passage_texts(tokenizer, output["passage_inputs"]) == [TEXTS[passage] for passage in columns]
    assert output["targets"].tolist() == [0, 1, 2]
    assert output["ignore_mask"].tolist() == [
        [True, True, False, False, False, True],
        [True, True, False, False, False, True],
        [False, False, True, True, True, False],  # p3 is gold for q2 too
    ]
    questions = tokenizer([item.question for item in batch], padding=True, return_tensors="pt")["input_ids"]
    assert output["question_inputs"]["input_ids"].tolist() == questions.tolist()


def test_bi_encoder_collator_without_hard_negatives(tokenizer, windows):
    batch = [example("q0", "p0"), example("q1", "p1"), example("q2", "p0")]
    output = BiEncoderCollator(tokenizer, windows, 16, 64)(batch)
    assert output["passage_inputs"]["input_ids"].shape[0] == 3
    assert output["ignore_mask"].tolist() == [[True, False, True], [False, True, False], [True, False, True]]


def cross_groups(tokenizer, batch, output, group_size) -> list[list[str | None]]:
    """Each question's group as passage texts by column, None where the group is padded."""
    groups: list[list[str | None]] = [[None] * group_size for _ in batch]
    texts = passage_texts(tokenizer, output["pair_inputs"])
    for position, text in zip(output["positions"].tolist(), texts, strict=True):
        groups[position // group_size][position % group_size] = text
    valid = output["valid_mask"].tolist()
    assert [[text is not None for text in group] for group in groups] == valid
    assert all(row[: sum(row)] == [True] * sum(row) for row in valid)  # padding only at the end
    return groups


@pytest.mark.parametrize("seed", range(8))
def test_cross_encoder_collator_never_uses_a_gold_passage_as_negative(tokenizer, windows, seed):
    batch = [example("q0", "p0"), example("q1", "p0"), example("q2", "p1", golds=("p2",)), example("q3", "p2")]
    batch.append(example("q4", "p3"))
    random.Random(seed).shuffle(batch)
    collator = CrossEncoderCollator(tokenizer, windows, 80, 4, seed=seed)

    groups = cross_groups(tokenizer, batch, collator(batch), 4)

    for item, group in zip(batch, groups, strict=True):
        assert group[0] == item.positive_text
        negatives = [text for text in group[1:] if text is not None]
        assert not {TEXTS[g] for g in item.gold_ids} & set(negatives)
        assert len(set(negatives)) == len(negatives)
        other_passages = {e.positive_id for e in batch} - item.gold_ids
        assert len(negatives) == min(3, len(other_passages))  # q2 has only p0 and p3: a padded group


def test_cross_encoder_collator_pads_groups_of_a_small_batch(tokenizer, windows):
    collator = CrossEncoderCollator(tokenizer, windows, 80, 4)
    same_passage = [example("q0", "p0"), example("q1", "p0")]
    output = collator(same_passage)
    assert output["valid_mask"].tolist() == [[True, False, False, False]] * 2
    assert output["pair_inputs"]["input_ids"].shape[0] == 2

    output = collator([example("q0", "p0"), example("q4", "p3")])
    assert output["valid_mask"].tolist() == [[True, True, False, False]] * 2
    assert output["positions"].tolist() == [0, 1, 4, 5]
    assert cross_groups(tokenizer, [None, None], output, 4) == [
        [TEXTS["p0"], TEXTS["p3"], None, None],
        [TEXTS["p3"], TEXTS["p0"], None, None],
    ]


def test_cross_encoder_collator_takes_listed_negatives_first(tokenizer, windows):
    batch = [example("q0", "p0", negatives=("p3",)), example("q2", "p1")]
    output = CrossEncoderCollator(tokenizer, windows, 80, 3)(batch)
    groups = cross_groups(tokenizer, batch, output, 3)
    assert groups[0] == [TEXTS["p0"], TEXTS["p3"], TEXTS["p1"]]
    assert groups[1] == [TEXTS["p1"], TEXTS["p0"], None]


def test_collator_sampling_depends_only_on_seed_epoch_and_batch(tokenizer, windows):
    many = tuple(TEXTS)
    batch = [example("q0", "p0", negatives=many[1:]), example("q1", "p1", negatives=("p0", "p2", "p3"))]

    def draw(seed: int, epoch: int) -> list[str]:
        collator = BiEncoderCollator(tokenizer, windows, 16, 64, hard_negatives=1, seed=seed, epoch=epoch)
        return passage_texts(tokenizer, collator(batch)["passage_inputs"])

    assert draw(3, 0) == draw(3, 0)
    draws = {tuple(draw(seed, epoch)) for seed in range(6) for epoch in range(3)}
    assert len(draws) > 1  # the negatives are sampled, not fixed


# ---------------------------------------------------------------------------------------------
# Bi-encoder training


@pytest.fixture(scope="module")
def validation_evaluator(squad_files, tokenizer):
    validation = load_qa(squad_files["validation"])
    windows = WindowedCorpus(validation.corpus, tokenizer, BI_SETTINGS.window_tokens(tokenizer, pair=False), 16)
    return bi_encoder_evaluator(validation, windows, Runtime(batch_size=128))


@pytest.fixture(scope="module")
def bi_run(single_thread, tiny_model, squad_files, tmp_path_factory) -> Path:
    output = tmp_path_factory.mktemp("bi-run")
    data = ["--train_data", str(squad_files["train"]), "--validation_data", str(squad_files["validation"])]
    train([*BI_FLAGS, "--model", str(tiny_model), *data, "--epochs", "4", "--output_directory", str(output)])
    return output / "bi_encoder"


def test_bi_encoder_training_lowers_the_loss(bi_run):
    log = read_log(bi_run)
    steps = loss_steps(log)
    assert steps == list(range(1, 49))  # 96 questions, 8 per batch, 4 epochs
    values = list(losses(log).values())
    first, last = np.mean(values[:5]), np.mean(values[-5:])
    assert first == pytest.approx(np.log(8), abs=0.3)  # about chance among 8 passages at the start
    assert last < first - 0.5


def test_bi_encoder_training_beats_the_untrained_model(bi_run, tiny_model, validation_evaluator):
    untrained = validation_evaluator(BiEncoder.build(str(tiny_model), BI_SETTINGS))
    trained = validation_evaluator(BiEncoder.load(bi_run))

    assert trained["top5"] >= untrained["top5"] + 0.15
    assert trained["mrr@10"] >= untrained["mrr@10"] + 0.15
    # the saved model is the one the last validation measured
    final = read_config(bi_run)["final_metrics"]
    assert final == pytest.approx({f"eval_{name}": value for name, value in trained.items()}, abs=1e-6)
    evaluations = [record for record in read_log(bi_run) if "eval_top5" in record]
    assert [record["epoch"] for record in evaluations] == pytest.approx([1, 2, 3, 4])


def test_bi_encoder_saved_directory(bi_run, tiny_model, squad_files):
    for name in ("question_encoder", "passage_encoder"):
        files = {path.name for path in (bi_run / name).iterdir()}
        expected = {"model.safetensors", "config.json", "tokenizer.json", "tokenizer_config.json", "train_config.json"}
        assert expected | {"modules.json", "1_Pooling"} <= files
        assert read_config(bi_run / name)["role"] == name
    config = read_config(bi_run)
    expected_flags = {
        "encoder": "bi",
        "model": str(tiny_model),
        "base_model": str(tiny_model),
        "train_data": str(squad_files["train"]),
        "lr": 1e-3,
        "epochs": 4.0,
        "train_batch_size": 8,
        "max_passage_length": 64,
        "stride": 16,
        "pooling": "mean",
        "shared_encoder": False,
        "precision_used": "fp32",
    }
    assert {key: config.get(key) for key in expected_flags} == expected_flags
    assert "debug" not in config and "quiet" not in config
    assert len(config["train_data_fingerprint"]) == 64
    assert set(config["final_metrics"]) == {"eval_top1", "eval_top5", "eval_mrr@10"}
    # BM25's weight in the hybrid list, tuned on the validation questions after saving (weight_tuning.py)
    assert set(config["fusion_weights"]) == {"minmax", "zscore", "rrf"}
    assert config["fusion_tuning"]["questions"] == len(load_qa(squad_files["validation"]).questions)
    assert not {"tuning_top_k_retrieval", "tuning_rerank_depth", "no_weight_tuning"} & set(config)
    assert {path.name for path in bi_run.iterdir()} == {
        "question_encoder",
        "passage_encoder",
        "train_config.json",
        "README.md",
        "log.jsonl",
        "checkpoints",
    }


# ---------------------------------------------------------------------------------------------
# Cross-encoder training


@pytest.fixture(scope="module")
def small_train(tmp_path_factory) -> Path:
    """8 short paragraphs, 24 questions."""
    path = tmp_path_factory.mktemp("small") / "small.json"
    path.write_text(json.dumps(synthetic_squad(1, 2, 4, 3)), encoding="utf-8")
    return path


def rank_gold_passages(encoder: CrossEncoder, data) -> tuple[float, float]:
    """(MRR, share of (gold, other) pairs ordered right) of each question's gold passage among all passages."""
    passages = data.corpus.texts
    questions = [question.text for question in data.questions]
    scores = (
        encoder.prepare(Runtime(batch_size=64))
        .score([q for q in questions for _ in passages], passages * len(questions))
        .reshape(len(questions), len(passages))
    )
    reciprocal_ranks, right_pairs = [], []
    for row, question in zip(scores, data.questions, strict=True):
        gold = data.corpus.ids.index(data.corpus[question.gold_ids[0]].id)
        others = np.delete(row, gold)
        reciprocal_ranks.append(1.0 / (1 + int(np.sum(others >= row[gold]))))
        right_pairs.append(float(np.mean(others < row[gold])))
    return float(np.mean(reciprocal_ranks)), float(np.mean(right_pairs))


@pytest.fixture(scope="module")
def cross_run(single_thread, tiny_model, small_train, tmp_path_factory) -> Path:
    output = tmp_path_factory.mktemp("cross-run")
    flags = ["--encoder", "cross", "--model", str(tiny_model), "--output_directory", str(output)]
    flags += ["--train_data", str(small_train), "--validation_data", str(small_train), "--group_size", "4"]
    flags += ["--lr", "5e-3", "--epochs", "30", "--warmup_ratio", "0", "--train_batch_size", "8", *LENGTHS, *RUNTIME]
    train(flags)
    return output / "cross_encoder"


def test_cross_encoder_training_lowers_the_loss(cross_run):
    values = list(losses(read_log(cross_run)).values())
    assert len(values) == 90  # 24 questions, 8 per batch, 30 epochs
    first, last = np.mean(values[:9]), np.mean(values[-9:])  # the first and the last three epochs
    assert first == pytest.approx(np.log(4), abs=0.1)  # chance in groups of 4
    assert last < first - 0.5


def test_cross_encoder_training_ranks_gold_passages_higher(cross_run, tiny_model, small_train):
    data = load_qa(small_train)
    torch.manual_seed(42)  # the head the run started from (train.py seeds before building the model)
    untrained_mrr, untrained_pairs = rank_gold_passages(CrossEncoder.build(str(tiny_model), CROSS_SETTINGS), data)
    trained_mrr, trained_pairs = rank_gold_passages(CrossEncoder.load(cross_run), data)

    assert trained_mrr >= untrained_mrr + 0.25
    assert trained_pairs >= untrained_pairs + 0.2 and trained_pairs > 0.8


def test_untrained_cross_encoder_is_flagged_and_a_trained_one_is_not(cross_run, tiny_model, small_train, tmp_path):
    flags = ["--encoder", "cross", "--model", str(tiny_model), "--output_directory", str(tmp_path)]
    flags += ["--train_data", str(small_train), "--validation_data", str(small_train), "--group_size", "4"]
    flags += ["--lr", "1e-9", "--max_steps", "1", "--train_batch_size", "8", *LENGTHS, *RUNTIME]
    errors = io.StringIO()
    with contextlib.redirect_stderr(errors):
        train(flags)
    untrained = read_config(tmp_path / "cross_encoder")["final_metrics"]
    assert untrained["eval_chance_top1"] == pytest.approx(0.25)  # groups of 4 from 8 passages
    assert no_better_than_chance(untrained["eval_top1"], 0.25, 24)
    assert "no better than guessing (0.250)" in errors.getvalue()

    trained = read_config(cross_run)["final_metrics"]
    assert trained["eval_chance_top1"] == pytest.approx(0.25)
    assert not no_better_than_chance(trained["eval_top1"], 0.25, 24)


def test_no_better_than_chance_allows_three_standard_errors():
    assert no_better_than_chance(0.25, 0.25, 100)
    assert no_better_than_chance(0.37, 0.25, 100)  # 0.25 + 3 * 0.043 = 0.38
    assert not no_better_than_chance(0.39, 0.25, 100)
    assert not no_better_than_chance(0.30, 0.25, 10_000)


def test_cross_encoder_saved_directory(cross_run, tiny_model):
    files = {path.name for path in cross_run.iterdir()}
    expected = {"model.safetensors", "config.json", "tokenizer.json", "tokenizer_config.json", "train_config.json"}
    assert expected | {"log.jsonl"} <= files
    config = read_config(cross_run)
    expected_flags = {
        "encoder": "cross",
        "base_model": str(tiny_model),
        "group_size": 4,
        "loss": "lce",
        "negatives": "in-batch",
        "lr": 5e-3,
        "max_length": 80,
    }
    assert {key: config.get(key) for key in expected_flags} == expected_flags
    final = config["final_metrics"]
    evaluations = [record for record in read_log(cross_run) if "eval_mrr@10" in record]
    assert len(evaluations) == 30
    assert final == {key: value for key, value in evaluations[-1].items() if key.startswith("eval_")}
    assert final["eval_mrr@10"] > evaluations[0]["eval_mrr@10"]
    # No bi-encoder beside it: the cross-encoder's weight is tuned against BM25 only.
    assert list(config["rerank_weights"]) == ["bm25"] and "bi_encoder" not in config["rerank_tuning"]["first_stage"]


# ---------------------------------------------------------------------------------------------
# Checkpoints and --resume


@pytest.fixture(scope="module")
def hard_negatives(squad_files, tmp_path_factory) -> Path:
    """Six random non-gold passages per question, so that the collator samples (--num_hard_negatives 2)."""
    data = load_qa(squad_files["train"])
    rng = random.Random(0)
    path = tmp_path_factory.mktemp("negatives") / "negatives.jsonl"
    lines = []
    for question in data.questions:
        candidates = [pid for pid in data.corpus.ids if pid not in question.gold_ids]
        lines.append(json.dumps({"id": question.id, "negatives": rng.sample(candidates, 6)}))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def resume_flags(tiny_model, squad_files, hard_negatives) -> list[str]:
    data = ["--train_data", str(squad_files["train"]), "--hard_negatives", str(hard_negatives)]
    return [*BI_FLAGS, "--model", str(tiny_model), *data, "--num_hard_negatives", "2", "--save_total_limit", "5"]


@pytest.fixture(scope="module")
def first_run(single_thread, resume_flags, tmp_path_factory) -> Path:
    """6 steps, a checkpoint every 3 (the epoch has 12 steps)."""
    output = tmp_path_factory.mktemp("resume")
    train([*resume_flags, "--output_directory", str(output), "--max_steps", "6", "--save_steps", "3"])
    return output


def trainer_state(checkpoint: Path) -> dict:
    return json.loads((checkpoint / "trainer_state.json").read_text(encoding="utf-8"))


def test_checkpoints_are_written_every_save_steps(first_run):
    checkpoints = first_run / "bi_encoder" / "checkpoints"
    assert sorted(path.name for path in checkpoints.glob("checkpoint-*")) == ["checkpoint-3", "checkpoint-6"]
    assert trainer_state(checkpoints / "checkpoint-6")["global_step"] == 6
    assert loss_steps(read_log(first_run / "bi_encoder")) == [1, 2, 3, 4, 5, 6]


def test_resume_with_more_steps_continues_from_the_last_checkpoint(first_run, resume_flags, tmp_path):
    output = tmp_path / "continued"
    shutil.copytree(first_run, output)
    printed = train([*resume_flags, "--output_directory", str(output), "--max_steps", "9", "--save_steps", "3", RESUME])

    assert f"resuming from {output / 'bi_encoder' / 'checkpoints' / 'checkpoint-6'}" in printed
    log = read_log(output / "bi_encoder")
    assert loss_steps(log) == list(range(1, 10))  # steps 7 to 9 follow the first run's 1 to 6
    state = trainer_state(output / "bi_encoder" / "checkpoints" / "checkpoint-9")
    assert state["global_step"] == 9
    assert [entry["step"] for entry in state["log_history"] if "loss" in entry] == list(range(1, 10))


def test_resume_repeats_the_uninterrupted_run_exactly(first_run, resume_flags, tmp_path):
    """Resumed from step 3, steps 4 to 6 see the same batches, negatives and weights as the first run."""
    output = tmp_path / "again"
    shutil.copytree(first_run, output)
    shutil.rmtree(output / "bi_encoder" / "checkpoints" / "checkpoint-6")
    printed = train([*resume_flags, "--output_directory", str(output), "--max_steps", "6", "--save_steps", "3", RESUME])

    assert "checkpoint-3" in printed
    log = read_log(output / "bi_encoder")
    assert loss_steps(log) == [1, 2, 3, 4, 5, 6, 4, 5, 6]
    original = losses(read_log(first_run / "bi_encoder"))
    resumed = {record["step"]: record["loss"] for record in log[-20:] if "loss" in record}
    assert [resumed[step] for step in (4, 5, 6)] == pytest.approx([original[step] for step in (4, 5, 6)], rel=1e-5)


def test_a_fresh_run_replaces_the_previous_checkpoints_and_log(first_run, resume_flags, tmp_path):
    output = tmp_path / "fresh"
    shutil.copytree(first_run, output)
    printed = train([*resume_flags, "--output_directory", str(output), "--max_steps", "2", "--save_steps", "1"])

    assert "starting afresh" in printed
    checkpoints = output / "bi_encoder" / "checkpoints"
    assert sorted(path.name for path in checkpoints.glob("checkpoint-*")) == ["checkpoint-1", "checkpoint-2"]
    assert loss_steps(read_log(output / "bi_encoder")) == [1, 2]


def test_resume_under_other_settings_is_refused_unless_allowed(first_run, resume_flags, tmp_path, capsys):
    output = tmp_path / "changed"
    shutil.copytree(first_run, output)
    before = sorted(path.name for path in (output / "bi_encoder" / "checkpoints").iterdir())
    changed = [*resume_flags, "--output_directory", str(output), "--max_steps", "9", "--lr", "2e-3", "--pooling", "cls"]
    assert run_cli(main, [*changed, RESUME]) == 2
    last_line = capsys.readouterr().err.strip().splitlines()[-1]
    assert "--lr 0.002 (was 0.001)" in last_line and "--pooling cls (was mean)" in last_line
    assert "--max_steps" not in last_line  # training longer is what --resume is for
    assert sorted(path.name for path in (output / "bi_encoder" / "checkpoints").iterdir()) == before

    train([*changed, RESUME, "--allow_changed_settings"])
    config = read_config(output / "bi_encoder")
    assert config["changed_on_resume"] == {
        "lr": {"before": 0.001, "after": 0.002},
        "pooling": {"before": "mean", "after": "cls"},
    }
    assert config["lr"] == 0.002 and config["pooling"] == "cls"


def test_resume_without_a_checkpoint_is_a_user_error(resume_flags, tmp_path, capsys):
    status = run_cli(main, [*resume_flags, "--output_directory", str(tmp_path), "--max_steps", "2", "--resume"])
    assert status == 2
    last_line = capsys.readouterr().err.strip().splitlines()[-1]
    assert last_line.startswith("error: --resume: no checkpoint in ")
    assert str(tmp_path / "bi_encoder" / "checkpoints") in last_line


def test_mined_negatives_are_any_window_of_their_passage(tokenizer):
    """A negative is a random window, not always the first: else the first window alone marks a negative."""
    corpus = Corpus()
    for passage_id, text in TEXTS.items():
        corpus.add(" ".join([text] * 2), passage_id=passage_id)  # several windows of 8 tokens
    windows = WindowedCorpus(corpus, tokenizer, 8, 0)
    spans = windows.spans_of("p3")
    assert len(spans) >= 3
    every_window = {windows.window("p3", index) for index in range(len(spans))}
    seen_bi, seen_cross = set(), set()
    for seed in range(30):
        batch = [example("q0", "p0", negatives=("p3",))]
        bi = BiEncoderCollator(tokenizer, windows, 16, 64, hard_negatives=1, seed=seed)(batch)
        seen_bi.add(passage_texts(tokenizer, bi["passage_inputs"])[1])
        cross = CrossEncoderCollator(tokenizer, windows, 80, 2, seed=seed)(batch)
        seen_cross.add(cross_groups(tokenizer, batch, cross, 2)[0][1])
    normalized = {" ".join(tokenizer.tokenize(text)) for text in every_window}
    for seen in (seen_bi, seen_cross):
        assert {" ".join(tokenizer.tokenize(text)) for text in seen} == normalized
