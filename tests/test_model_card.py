"""The model card in every saved encoder directory: what the model is, trained from what and on what, its final
validation metrics and settings, and load code that runs: the card's own snippet is executed here."""

from __future__ import annotations

import contextlib
import io
import json
import re
import shutil
from pathlib import Path

import numpy as np
import pytest

import train
from encoders.bi_encoder import BiEncoder
from encoders.cross_encoder import CrossEncoder
from encoders.model_card import project_version


def card(directory: Path) -> str:
    return (directory / "README.md").read_text(encoding="utf-8")


def snippet(text: str) -> str:
    return re.findall(r"```python\n(.*?)```", text, flags=re.S)[0]


@pytest.fixture(scope="module")
def bi_directory(single_thread, tmp_path_factory, tiny_model, squad_files) -> Path:
    output = tmp_path_factory.mktemp("card-bi")
    argv = ["--encoder", "bi", "--model", tiny_model, "--train_data", squad_files["train"], "--validation_data",
            squad_files["validation"], "--max_steps", "2", "--train_batch_size", "4", "--max_query_length", "16",
            "--max_passage_length", "64", "--stride", "16", "--pooling", "mean", "--precision", "fp32", "--device",
            "cpu", "--quiet", "--no_weight_tuning", "--output_directory", output]  # fmt: skip
    with contextlib.redirect_stdout(io.StringIO()):
        assert train.main([str(arg) for arg in argv]) == 0
    return output / "bi_encoder"


def test_every_model_directory_has_a_card_that_says_what_it_is(bi_directory, tiny_model):
    config = json.loads((bi_directory / "train_config.json").read_text(encoding="utf-8"))
    for directory, role in ((bi_directory, "question and passage encoders"),
                            (bi_directory / "question_encoder", "question encoder"),
                            (bi_directory / "passage_encoder", "passage encoder")):  # fmt: skip
        text = card(directory)
        assert text.startswith("---\n") and f'base_model: "{tiny_model}"' in text
        title = next(line for line in text.splitlines() if line.startswith("# "))
        assert title.endswith(role)
        assert config["train_data_fingerprint"] in text and f"dpr-rerank {project_version()}" in text
        assert f"| training questions | {config['train_questions']} |" in text
        assert f"| top5 | {config['final_metrics']['eval_top5']:.4f} |" in text
        assert json.loads(re.findall(r"```json\n(.*?)```", text, flags=re.S)[0])["lr"] == config["lr"]


def test_the_card_s_load_code_runs_and_gives_the_project_s_vectors(bi_directory):
    namespace: dict = {}
    exec(snippet(card(bi_directory / "passage_encoder")), namespace)
    expected = BiEncoder.load(bi_directory).encode(["an example text"], "passage")
    np.testing.assert_allclose(namespace["same_vectors"].numpy(), expected, rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(namespace["vectors"], expected, rtol=1e-4, atol=1e-5)


def test_a_cross_encoder_card_s_load_code_runs(saved, tmp_path):
    directory = tmp_path / "cross_encoder"
    shutil.copytree(saved / "cross_encoder", directory)
    CrossEncoder.load(directory).save(directory, {"base_model": "tiny", "final_metrics": {"eval_top1": 0.5}})
    text = card(directory)
    assert "cross-encoder reranker" in text and "| top1 | 0.5000 |" in text
    namespace: dict = {}
    exec(snippet(text), namespace)
    expected = CrossEncoder.load(directory).score(["a question"], ["a passage that may answer it"])
    np.testing.assert_allclose(namespace["same_scores"].numpy(), expected, rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(namespace["scores"], expected, rtol=1e-4, atol=1e-5)
