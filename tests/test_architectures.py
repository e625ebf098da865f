"""Both encoders work, unchanged, on architectures other than BERT: RoBERTa (no token type ids) and ELECTRA."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pytest
import torch
from transformers import AutoTokenizer, ElectraConfig, ElectraModel, RobertaConfig, RobertaModel

import train
from encoders.bi_encoder import BiEncoder
from encoders.cross_encoder import CrossEncoder
from encoders.settings import BiEncoderSettings, EncoderSettings

pytestmark = pytest.mark.usefixtures("single_thread")

SMALL = {"hidden_size": 32, "num_hidden_layers": 1, "num_attention_heads": 2, "intermediate_size": 64}


def save_variant(kind: str, tiny_model, directory):
    """A random tiny RoBERTa or ELECTRA sharing the tiny BERT's vocabulary, saved like a Hub model."""
    tokenizer = AutoTokenizer.from_pretrained(tiny_model)
    torch.manual_seed(0)
    if kind == "roberta":
        config = RobertaConfig(
            vocab_size=len(tokenizer), max_position_embeddings=514, type_vocab_size=1, pad_token_id=0, **SMALL
        )
        RobertaModel(config).save_pretrained(directory)
    else:
        ElectraModel(ElectraConfig(vocab_size=len(tokenizer), embedding_size=32, **SMALL)).save_pretrained(directory)
    tokenizer.save_pretrained(directory)
    if kind == "roberta":  # as RoBERTa's own tokenizer: no token type ids
        path = directory / "tokenizer_config.json"
        config = json.loads(path.read_text(encoding="utf-8"))
        path.write_text(json.dumps({**config, "model_input_names": ["input_ids", "attention_mask"]}), encoding="utf-8")
    return directory


@pytest.fixture(scope="module", params=["roberta", "electra"])
def variant(request, tiny_model, tmp_path_factory):
    directory = save_variant(request.param, tiny_model, tmp_path_factory.mktemp(request.param))
    yield request.param, directory
    shutil.rmtree(directory, ignore_errors=True)


def test_the_cross_encoder_builds_scores_and_round_trips(variant, tmp_path):
    kind, directory = variant
    encoder = CrossEncoder.build(str(directory), EncoderSettings(max_query_length=8, max_passage_length=24))
    assert encoder.model.config.model_type == kind and encoder.model.config.num_labels == 1
    if kind == "roberta":
        assert "token_type_ids" not in encoder.tokenizer("a question", "a passage")
    questions, passages = ["what naba ?", "where bunobe"], ["the naba was here", "bunobe of and is"]
    scores = encoder.score(questions, passages)
    encoder.save(tmp_path / "cross", {"note": "test"})
    reloaded = CrossEncoder.load(tmp_path / "cross")
    np.testing.assert_allclose(reloaded.score(questions, passages), scores, rtol=1e-5, atol=1e-6)


def test_the_bi_encoder_encodes_questions_and_passages(variant):
    _, directory = variant
    encoder = BiEncoder.build(str(directory), BiEncoderSettings(max_passage_length=32, pooling="mean"))
    vectors = encoder.encode(["what naba ?", "the naba was here and there"], "passage")
    assert vectors.shape == (2, SMALL["hidden_size"]) and np.isfinite(vectors).all()


def test_train_cli_trains_a_cross_encoder_from_the_variant(variant, squad_files, tmp_path):
    kind, directory = variant
    output = tmp_path / "out"
    flags = ["--encoder", "cross", "--model", str(directory), "--train_data", str(squad_files["train"])]
    flags += ["--output_directory", str(output), "--max_steps", "3", "--group_size", "4", "--quiet"]
    flags += ["--max_query_length", "16", "--max_passage_length", "48", "--stride", "8"]
    assert train.main(flags + ["--precision", "fp32", "--device", "cpu"]) == 0
    config = json.loads((output / "cross_encoder" / "config.json").read_text(encoding="utf-8"))
    assert config["model_type"] == kind
    assert CrossEncoder.load(output / "cross_encoder").model.config.num_labels == 1
