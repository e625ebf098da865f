"""rerank.py on tiny models trained by the tests: exact retrieval, the saved index and when it is trusted,
reranking, the output files, queries without gold, bad input through the CLI, and the three CLIs end to end.

The bi-encoder is trained on the synthetic train split and the cross-encoder on the validation split, the
questions that are then reranked: a random tiny BERT learns to rank with a few hundred steps, and the check is
that the rerank stage really orders candidates by the cross-encoder and that the metrics show it.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import random
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch

import rerank
import train

ROOT = Path(__file__).resolve().parents[1]
CPU = ["--precision", "fp32", "--device", "cpu"]
DENSE = ["--retriever", "dense"]  # the bi-encoder alone: the DPR and DPR+CE stages (BM25 and hybrid: test_bm25_fusion)
WINDOWS = ["--max_passage_length", "64", "--stride", "16"]  # long passages get several windows
QUIET = ["--quiet", "--save_steps", "100000"]
BI_FLAGS = ["--pooling", "mean", "--lr", "3e-4", "--epochs", "10", "--seed", "0"]
CROSS_FLAGS = ["--lr", "1e-3", "--epochs", "30", "--group_size", "4", "--max_query_length", "16", "--seed", "0"]
TOP_K_RETRIEVAL, TOP_K = 20, 5
CONSONANTS, VOWELS = "bcdfghjklmnprstvz", "aeiou"


def cli_env() -> dict[str, str]:
    return {
        **os.environ,
        "HF_HUB_OFFLINE": "1",
        "TRANSFORMERS_OFFLINE": "1",
        "TOKENIZERS_PARALLELISM": "false",
        "OMP_NUM_THREADS": "1",  # the machine is small and shared; one thread is much faster for tiny models
    }


def start_cli(script: str, *args: str | Path) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, script, *map(str, args)],
        cwd=ROOT,
        env=cli_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def finish(process: subprocess.Popen, timeout: float = 300) -> subprocess.CompletedProcess:
    stdout, stderr = process.communicate(timeout=timeout)
    return subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr)


def run_cli(script: str, *args: str | Path) -> subprocess.CompletedProcess:
    return finish(start_cli(script, *args))


def run_rerank(*args: str | Path) -> str:
    """``rerank.main`` in-process; returns what it printed to stdout."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert rerank.main([str(arg) for arg in args]) == 0
    return out.getvalue()


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def distractor(rng: random.Random, words: int) -> str:
    vocabulary = "the a of in on is was and to for with by at from".split()
    made = ["".join(rng.choice(CONSONANTS) + rng.choice(VOWELS) for _ in range(3)) for _ in range(words // 4)]
    return " ".join(rng.choice(vocabulary + made) for _ in range(words))


# ---------------------------------------------------------------------------------------------
# Fixtures: a corpus, two trained encoders, and one full run


@pytest.fixture(scope="module")
def corpus_file(tmp_path_factory, squad_files) -> Path:
    """JSONL corpus: every passage of both synthetic splits plus distractors, some long enough for many windows."""
    rows = []
    for split, path in squad_files.items():
        for article in json.loads(path.read_text(encoding="utf-8"))["data"]:
            for number, paragraph in enumerate(article["paragraphs"]):
                passage_id = f"{split}-{article['title']}-{number}"
                rows.append({"id": passage_id, "title": article["title"], "text": paragraph["context"]})
    rng = random.Random(7)
    for number in range(16):
        text = distractor(rng, 200 if number % 4 == 0 else 20)
        rows.append({"id": f"distractor-{number}", "title": "noise", "text": text})
    path = tmp_path_factory.mktemp("corpus") / "corpus.jsonl"
    path.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def trained(tmp_path_factory, single_thread, squad_files, tiny_model) -> Path:
    """An input directory with bi_encoder/ and cross_encoder/, trained in-process through train.py's main.

    The cross-encoder starts from the tiny BERT without dropout: a random tiny model learns the
    (question, passage) matching several times faster that way.
    """
    directory = tmp_path_factory.mktemp("trained")
    base = directory / "tiny-bert-no-dropout"
    shutil.copytree(tiny_model, base)
    config = json.loads((base / "config.json").read_text(encoding="utf-8"))
    config.update(hidden_dropout_prob=0.0, attention_probs_dropout_prob=0.0)
    (base / "config.json").write_text(json.dumps(config), encoding="utf-8")
    common = ["--output_directory", str(directory), *CPU, *WINDOWS, *QUIET]
    with contextlib.redirect_stdout(io.StringIO()):
        train.main(
            ["--encoder", "bi", "--model", str(tiny_model), "--train_data", str(squad_files["train"])]
            + BI_FLAGS
            + common
        )
        train.main(
            ["--encoder", "cross", "--model", str(base), "--train_data", str(squad_files["validation"])]
            + CROSS_FLAGS
            + common
        )
    return directory


@pytest.fixture(scope="module")
def full_run(trained, corpus_file, squad_files, tmp_path_factory) -> tuple[Path, str]:
    """Retrieve and rerank the validation questions (CSV too); returns (output directory, stdout)."""
    output = tmp_path_factory.mktemp("full-run")
    stdout = run_rerank(
        "--input_directory", trained, "--corpus", corpus_file, "--queries", squad_files["validation"],
        "--top_k_retrieval", TOP_K_RETRIEVAL, "--top_k", TOP_K, "--output_format", "csv",
        "--output_directory", output, *CPU, *DENSE,
    )  # fmt: skip
    return output, stdout


@pytest.fixture
def bi_only(trained, tmp_path) -> Path:
    """An input directory holding only a copy of the trained bi-encoder (no cross_encoder/)."""
    directory = tmp_path / "bi-only"
    shutil.copytree(trained / "bi_encoder", directory / "bi_encoder")
    return directory


# ---------------------------------------------------------------------------------------------
# 1. Retrieval is exact


def test_retrieve_equals_brute_force_ranking(trained, corpus_file, squad_files, tmp_path):
    from data_utils import load_corpus, load_qa
    from encoders.bi_encoder import BiEncoder
    from encoders.windows import split_into_windows
    from retrieval.dense import exact_search, open_dense_retriever
    from runtime import Runtime

    cpu = torch.device("cpu")
    encoder = BiEncoder.load(trained / "bi_encoder").prepare(Runtime(cpu, "fp32", batch_size=8))
    corpus = load_corpus(corpus_file)
    questions = [question.text for question in load_qa(squad_files["validation"]).questions]
    retriever, reused = open_dense_retriever(encoder, corpus, tmp_path / "f32", "float32")
    index = retriever.index
    assert not reused
    rankings = retriever.search(questions, TOP_K_RETRIEVAL)

    # Brute force: every window and question encoded alone (no padding), every dot product, max per passage.
    settings = encoder.settings
    tokens = settings.max_passage_length - encoder.tokenizer.num_special_tokens_to_add(pair=False)
    spans = split_into_windows(encoder.tokenizer, corpus.texts, tokens, settings.stride)
    assert max(len(passage_spans) for passage_spans in spans) >= 3, "the corpus needs passages with several windows"
    windows = [text[first:last] for text, passage_spans in zip(corpus.texts, spans) for first, last in passage_spans]
    owners = np.repeat(np.arange(len(corpus)), [len(passage_spans) for passage_spans in spans])
    encoder.prepare(Runtime(cpu, "fp32", batch_size=1))
    keys = encoder.encode(windows, "passage")
    queries = encoder.encode(questions, "question")
    encoder.prepare(Runtime(cpu, "fp32", batch_size=8))
    window_scores = queries.astype(np.float64) @ keys.astype(np.float64).T
    passage_scores = np.stack([window_scores[:, owners == p].max(axis=1) for p in range(len(corpus))], axis=1)
    order = np.argsort(-passage_scores, axis=1, kind="stable")

    for q, ranking in enumerate(rankings):
        best = order[q, :TOP_K_RETRIEVAL]
        assert len(ranking.ids) == TOP_K_RETRIEVAL and len(set(ranking.ids)) == TOP_K_RETRIEVAL
        np.testing.assert_allclose(ranking.scores, passage_scores[q, best], rtol=1e-4, atol=1e-4)
        returned = [corpus.positions[pid] for pid in ranking.ids]
        np.testing.assert_allclose(passage_scores[q, returned], ranking.scores, rtol=1e-4, atol=1e-4)
        gaps = -np.diff(passage_scores[q, order[q, : TOP_K_RETRIEVAL + 1]])
        if gaps.min() > 1e-3:  # no near-tie: the order must be exactly the brute-force order
            assert ranking.ids == [corpus.ids[p] for p in best]

    # Chunked search (chunks much smaller than the corpus, ending on passage boundaries) gives the same.
    scores, positions = exact_search(queries, index.embeddings, TOP_K_RETRIEVAL, index.owners, cpu, chunk_size=5)
    assert [[index.passage_ids[p] for p in row] for row in positions] == [ranking.ids for ranking in rankings]
    np.testing.assert_allclose(scores, [ranking.scores for ranking in rankings], rtol=1e-4, atol=1e-4)

    # The default float16 index: every reported score is its passage's score, up to float16 rounding.
    retriever16, _ = open_dense_retriever(encoder, corpus, tmp_path / "f16")
    assert retriever16.index.embeddings.dtype == np.float16
    tolerance = 1e-2 * np.abs(passage_scores).max()
    for q, ranking in enumerate(retriever16.search(questions, TOP_K_RETRIEVAL)):
        returned = [corpus.positions[pid] for pid in ranking.ids]
        np.testing.assert_allclose(passage_scores[q, returned], ranking.scores, atol=tolerance)
        assert ranking.scores[-1] >= passage_scores[q, order[q, TOP_K_RETRIEVAL - 1]] - 2 * tolerance


# ---------------------------------------------------------------------------------------------
# 2. The saved index: reused when fresh, rebuilt when anything it depends on changes, never trusted when broken


def index_run(input_directory: Path, corpus: Path, queries: Path, *extra: str) -> str:
    return run_rerank(
        "--input_directory", input_directory, "--corpus", corpus, "--queries", queries, "--stages", "retrieve",
        "--top_k_retrieval", TOP_K_RETRIEVAL, "--output_directory", input_directory / "results", *CPU, *DENSE, *extra,
    )  # fmt: skip


def built(stdout: str) -> bool:
    assert ("index: built" in stdout) != ("index: reused" in stdout), stdout
    return "index: built" in stdout


def perturb_weights(model_directory: Path) -> None:
    from transformers import AutoModel

    model = AutoModel.from_pretrained(model_directory)
    with torch.no_grad():
        model.embeddings.word_embeddings.weight.mul_(1.01)
    model.save_pretrained(model_directory)


def test_index_reused_only_while_fresh(bi_only, corpus_file, squad_files, tmp_path, capsys):
    queries = squad_files["validation"]
    dense = bi_only / "index" / "dense"
    assert built(index_run(bi_only, corpus_file, queries))
    meta = dense / "meta.json"
    first = meta.stat()
    first_predictions = read_jsonl(bi_only / "results" / "predictions.jsonl")

    stdout = index_run(bi_only, corpus_file, queries)
    assert "reused the saved index" in stdout and not built(stdout)
    assert meta.stat().st_mtime_ns == first.st_mtime_ns and meta.stat().st_ino == first.st_ino
    assert read_jsonl(bi_only / "results" / "predictions.jsonl") == first_predictions

    assert built(index_run(bi_only, corpus_file, queries, "--rebuild_index"))
    assert meta.stat().st_ino != first.st_ino

    # One passage's text edited: stale, rebuilt; then fresh again for that corpus.
    fingerprint = json.loads(meta.read_text())["fingerprint"]
    lines = corpus_file.read_text(encoding="utf-8").splitlines()
    edited = json.loads(lines[3])
    edited["text"] += " edited"
    lines[3] = json.dumps(edited)
    edited_corpus = tmp_path / "edited.jsonl"
    edited_corpus.write_text("\n".join(lines) + "\n", encoding="utf-8")
    capsys.readouterr()
    assert built(index_run(bi_only, edited_corpus, queries))
    assert "stale" in capsys.readouterr().err
    assert json.loads(meta.read_text())["fingerprint"] != fingerprint
    assert not built(index_run(bi_only, edited_corpus, queries))
    assert built(index_run(bi_only, corpus_file, queries))

    # New question-encoder weights leave the passage vectors valid; new passage-encoder weights do not.
    perturb_weights(bi_only / "bi_encoder" / "question_encoder")
    assert not built(index_run(bi_only, corpus_file, queries))
    perturb_weights(bi_only / "bi_encoder" / "passage_encoder")
    assert built(index_run(bi_only, corpus_file, queries))
    assert not built(index_run(bi_only, corpus_file, queries))


def break_truncated_embeddings(dense: Path) -> None:
    path = dense / "embeddings.npy"
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])


def break_empty_embeddings(dense: Path) -> None:
    (dense / "embeddings.npy").write_bytes(b"")


def break_missing_owners(dense: Path) -> None:
    (dense / "owners.npy").unlink()


def break_meta(dense: Path) -> None:
    (dense / "meta.json").write_text('{"fingerprint": ', encoding="utf-8")


def break_passage_ids(dense: Path) -> None:
    ids = json.loads((dense / "passage_ids.json").read_text(encoding="utf-8"))
    (dense / "passage_ids.json").write_text(json.dumps(ids[:-1]), encoding="utf-8")


def leave_only_staging_copy(dense: Path) -> None:
    """An interrupted build: the complete files sit in the staging directory, never renamed into place."""
    os.replace(dense, dense.parent / ".dense.abc123.tmp")


@pytest.mark.parametrize(
    "damage",
    [
        break_truncated_embeddings,
        break_empty_embeddings,
        break_missing_owners,
        break_meta,
        break_passage_ids,
        leave_only_staging_copy,
    ],
)
def test_broken_index_is_never_trusted(damage, bi_only, corpus_file, squad_files):
    queries = squad_files["validation"]
    assert built(index_run(bi_only, corpus_file, queries))
    expected = read_jsonl(bi_only / "results" / "predictions.jsonl")
    damage(bi_only / "index" / "dense")
    assert built(index_run(bi_only, corpus_file, queries))
    assert read_jsonl(bi_only / "results" / "predictions.jsonl") == expected
    assert not built(index_run(bi_only, corpus_file, queries))


# ---------------------------------------------------------------------------------------------
# 3 and 4. Reranking helps; the outputs have the documented schema


def test_reranking_beats_the_bi_encoder_at_top1(full_run):
    output, stdout = full_run
    stages = json.loads((output / "metrics.json").read_text(encoding="utf-8"))["stages"]
    dpr, reranked = stages["DPR"]["top1"], stages["DPR+CE"]["top1"]
    assert reranked >= dpr + 0.1, stdout
    assert "| DPR+CE |" in stdout


def test_outputs_schema(full_run, corpus_file, squad_files):
    from datasets import load_from_disk

    from data_utils import load_corpus, load_qa

    output, stdout = full_run
    corpus = load_corpus(corpus_file)
    questions = load_qa(squad_files["validation"]).questions
    records = read_jsonl(output / "predictions.jsonl")
    assert [record["id"] for record in records] == [question.id for question in questions]
    for record, question in zip(records, questions):
        assert set(record) == {"id", "question", "gold_ids", "retrieve", "rerank"}
        assert record["question"] == question.text
        assert len(record["gold_ids"]) == 1 and record["gold_ids"][0] in corpus
        for stage, length in (("retrieve", TOP_K_RETRIEVAL), ("rerank", TOP_K)):
            ranking = record[stage]
            assert set(ranking) == {"ids", "titles", "scores"}
            assert len(ranking["ids"]) == len(ranking["titles"]) == len(ranking["scores"]) == length
            assert ranking["scores"] == sorted(ranking["scores"], reverse=True)
            assert ranking["titles"] == [corpus[pid].title for pid in ranking["ids"]]
        assert set(record["rerank"]["ids"]) <= set(record["retrieve"]["ids"])

    reader = load_from_disk(str(output / "reader_dataset"))
    assert reader.column_names == ["id", "question", "context"]
    assert reader["id"] == [record["id"] for record in records]
    assert reader["question"] == [record["question"] for record in records]
    assert reader["context"] == [" ".join(corpus[pid].text for pid in record["rerank"]["ids"]) for record in records]

    import csv

    with (output / "predictions.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [dict(row) for row in rows] == reader.to_list()

    metrics = json.loads((output / "metrics.json").read_text(encoding="utf-8"))
    assert list(metrics["stages"]) == ["DPR", "DPR+CE"]
    for values in metrics["stages"].values():
        assert {"top1", "top5", "mrr@10"} <= set(values)
        assert all(0.0 <= values[name] <= 1.0 for name in ("top1", "top5", "mrr@10"))
    assert metrics["questions"] == len(questions) and metrics["passages"] == len(corpus)
    for name in ("predictions.jsonl", "reader_dataset", "predictions.csv", "metrics.json"):
        assert f"wrote {output / name}" in stdout


def test_retrieve_stage_only_needs_no_cross_encoder(bi_only, corpus_file, squad_files):
    from datasets import load_from_disk

    from data_utils import load_corpus

    assert not (bi_only / "cross_encoder").exists()
    output = bi_only / "out"
    run_rerank(
        "--input_directory", bi_only, "--corpus", corpus_file, "--queries", squad_files["validation"],
        "--stages", "retrieve", "--top_k_retrieval", TOP_K_RETRIEVAL, "--top_k", TOP_K, "--output_directory", output,
        *CPU, *DENSE,
    )  # fmt: skip
    records = read_jsonl(output / "predictions.jsonl")
    assert all(set(record) == {"id", "question", "gold_ids", "retrieve"} for record in records)
    assert all(len(record["retrieve"]["ids"]) == TOP_K_RETRIEVAL for record in records)
    metrics = json.loads((output / "metrics.json").read_text(encoding="utf-8"))
    assert list(metrics["stages"]) == ["DPR"]
    assert not (output / "predictions.csv").exists()
    corpus = load_corpus(corpus_file)
    reader = load_from_disk(str(output / "reader_dataset"))
    expected = [" ".join(corpus[pid].text for pid in record["retrieve"]["ids"][:TOP_K]) for record in records]
    assert reader["context"] == expected


# ---------------------------------------------------------------------------------------------
# 5. Queries without gold passages


def test_queries_without_gold_are_only_predicted(trained, corpus_file, squad_files, tmp_path):
    from data_utils import load_qa

    questions = load_qa(squad_files["validation"]).questions[:5]
    queries = tmp_path / "queries.jsonl"
    queries.write_text(
        "".join(json.dumps({"id": q.id, "question": q.text}) + "\n" for q in questions), encoding="utf-8"
    )
    output = tmp_path / "out"
    stdout = run_rerank(
        "--input_directory", trained, "--corpus", corpus_file, "--queries", queries,
        "--top_k_retrieval", TOP_K_RETRIEVAL, "--top_k", TOP_K, "--output_directory", output, *CPU, *DENSE,
    )  # fmt: skip
    assert "nothing to evaluate" in stdout
    assert "| DPR" not in stdout
    records = read_jsonl(output / "predictions.jsonl")
    assert [record["id"] for record in records] == [q.id for q in questions]
    assert all(set(record) == {"id", "question", "retrieve", "rerank"} for record in records)
    assert all(len(record["rerank"]["ids"]) == TOP_K for record in records)
    assert (output / "reader_dataset").is_dir()
    assert not (output / "metrics.json").exists()


# ---------------------------------------------------------------------------------------------
# 6. Bad input through the CLI: exit 2 and one line naming the problem


def error_cases(trained: Path, corpus: Path, queries: Path, base: Path) -> dict[str, tuple[list, list[str]]]:
    """Case name -> (rerank.py arguments, words the error line must contain)."""
    (base / "empty").mkdir()
    bi_only = base / "bi-only"
    (bi_only / "bi_encoder").mkdir(parents=True)
    wrong_kind = base / "wrong-kind"
    shutil.copytree(trained / "bi_encoder", wrong_kind / "bi_encoder")
    shutil.copytree(trained / "bi_encoder" / "question_encoder", wrong_kind / "cross_encoder")
    (base / "empty.jsonl").write_text("", encoding="utf-8")
    (base / "number.json").write_text("42", encoding="utf-8")
    data = ["--corpus", corpus, "--queries", queries, *CPU]
    return {
        "no bi_encoder": (["--input_directory", base / "empty", *data], ["bi_encoder", "train.py --encoder bi"]),
        "no cross_encoder": (["--input_directory", bi_only, *data], ["cross_encoder", "train.py --encoder cross"]),
        "bi-encoder as cross_encoder": (
            ["--input_directory", wrong_kind, *data],
            ["cross_encoder", "holds a bi-encoder", "expected a cross-encoder"],
        ),
        "empty corpus": (
            ["--input_directory", trained, "--corpus", base / "empty.jsonl", "--queries", queries],
            ["empty.jsonl", "empty"],
        ),
        "corpus of unknown shape": (
            ["--input_directory", trained, "--corpus", base / "number.json", "--queries", queries],
            ["number.json", "unknown corpus shape"],
        ),
        "top_k above top_k_retrieval": (
            ["--input_directory", trained, *data, "--top_k", "10", "--top_k_retrieval", "5"],
            ["--top_k 10", "--top_k_retrieval 5"],
        ),
    }


@pytest.fixture(scope="module")
def cli_runs(trained, corpus_file, squad_files, tmp_path_factory) -> dict[str, tuple]:
    """Every bad-input run at once (they are independent), so the module waits for the slowest only."""
    base = tmp_path_factory.mktemp("bad-input")
    cases = error_cases(trained, corpus_file, squad_files["validation"], base)
    clamped = base / "clamped"
    shutil.copytree(trained / "bi_encoder", clamped / "bi_encoder")
    cases["clamp"] = (
        ["--input_directory", clamped, "--corpus", corpus_file, "--queries", squad_files["validation"],
         "--stages", "retrieve", "--top_k_retrieval", "1000", *CPU, *DENSE],
        [],
    )  # fmt: skip
    started = {name: (start_cli("rerank.py", *args), words) for name, (args, words) in cases.items()}
    return {name: (finish(process), words) for name, (process, words) in started.items()}


@pytest.mark.parametrize(
    "case",
    [
        "no bi_encoder",
        "no cross_encoder",
        "bi-encoder as cross_encoder",
        "empty corpus",
        "corpus of unknown shape",
        "top_k above top_k_retrieval",
    ],
)
def test_bad_input_is_one_line_and_exit_2(cli_runs, case):
    result, words = cli_runs[case]
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and result.stderr.rstrip().endswith(errors[0]), result.stderr
    for word in words:
        assert word in errors[0]
    if case != "bi-encoder as cross_encoder":  # that one loads the bi-encoder first (its progress bars)
        assert result.stderr.strip() == errors[0]


def test_top_k_retrieval_above_corpus_size_is_clamped(cli_runs, corpus_file):
    from data_utils import load_corpus

    result, _ = cli_runs["clamp"]
    assert result.returncode == 0, result.stderr
    size = len(load_corpus(corpus_file))
    assert f"warning: --top_k_retrieval 1000 > corpus size {size}; using {size}" in result.stderr
    output = Path(result.args[result.args.index("--input_directory") + 1]) / "results"
    assert all(len(record["retrieve"]["ids"]) == size for record in read_jsonl(output / "predictions.jsonl"))


# ---------------------------------------------------------------------------------------------
# 7. What a user runs: train bi, train cross, rerank, each through its CLI


def test_train_then_rerank_through_the_clis(tiny_model, squad_files, corpus_file, tmp_path):
    output = tmp_path / "save"
    data = ["--model", tiny_model, "--train_data", squad_files["train"], "--output_directory", output]
    common = [*CPU, *WINDOWS, *QUIET]
    steps = [
        ("train.py", ["--encoder", "bi", *data, "--pooling", "mean", "--lr", "3e-4", "--max_steps", "3", *common]),
        ("train.py", ["--encoder", "cross", *data, "--group_size", "2", "--max_steps", "2", *common]),
        (
            "rerank.py",
            ["--input_directory", output, "--corpus", corpus_file, "--queries", squad_files["validation"],
             "--top_k_retrieval", "8", "--top_k", "2", *CPU, *DENSE],
        ),
    ]  # fmt: skip
    for script, args in steps:
        result = run_cli(script, *args)
        assert result.returncode == 0, f"{script}: {result.stderr[-2000:]}"
    metrics = json.loads((output / "results" / "metrics.json").read_text(encoding="utf-8"))
    assert list(metrics["stages"]) == ["DPR", "DPR+CE"]
    assert len(read_jsonl(output / "results" / "predictions.jsonl")) == metrics["questions"]
