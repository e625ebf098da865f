"""Saving and loading both encoders, and loading their directories with transformers and sentence-transformers."""

from __future__ import annotations

import contextlib
import io
import json

import numpy as np
import pytest
import torch
from transformers import AutoTokenizer

from encoders.bi_encoder import BiEncoder
from encoders.cross_encoder import CrossEncoder
from encoders.settings import BiEncoderSettings, EncoderSettings
from errors import UserError
from runtime import Runtime

pytestmark = pytest.mark.usefixtures("single_thread")

QUESTIONS = ["what naba and subole ?", "where is the bunobe", "x", "the a of in on is was and to for with by at"]
PASSAGES = [
    "the naba was in the subole and it was from that",
    "bunobe of and is luhi for it at from zoku a for vojava",
    "y",
    "a passage " * 20,
]
SETTINGS = {"lr": 0.001, "note": "test"}
LENGTHS_32 = {"max_query_length": 32, "max_passage_length": 32}  # every text cut at 32 tokens
PAIRS_48 = EncoderSettings(max_query_length=16, max_passage_length=32)  # every pair cut at 48 tokens


def bi_settings(**changes) -> BiEncoderSettings:
    return BiEncoderSettings(**{**LENGTHS_32, **changes})


def perturb(model: torch.nn.Module, seed: int, scale: float = 0.05) -> None:
    """Move every weight a little, so that two copies of the same pretrained model differ."""
    generator = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for parameter in model.parameters():
            parameter.add_(torch.randn(parameter.shape, generator=generator) * scale)


@pytest.mark.parametrize("pooling", ["mean", "cls"])
def test_bi_encoder_with_separate_encoders_round_trips(tiny_model, tmp_path, pooling):
    encoder = BiEncoder.build(str(tiny_model), bi_settings(pooling=pooling))
    perturb(encoder.passage_model, seed=1)
    questions = encoder.encode(QUESTIONS, "question")
    passages = encoder.encode(PASSAGES, "passage")
    assert not np.allclose(encoder.encode(PASSAGES, "question"), passages)  # the two encoders differ

    encoder.save(tmp_path / "bi", SETTINGS)
    loaded = BiEncoder.load(tmp_path / "bi")

    assert not loaded.shared and loaded.pooling == pooling
    names = sorted(p.name for p in (tmp_path / "bi").iterdir())
    assert names == ["README.md", "passage_encoder", "question_encoder", "train_config.json"]
    np.testing.assert_array_equal(loaded.encode(QUESTIONS, "question"), questions)
    np.testing.assert_array_equal(loaded.encode(PASSAGES, "passage"), passages)
    config = json.loads((tmp_path / "bi" / "train_config.json").read_text(encoding="utf-8"))
    recorded = {**LENGTHS_32, "stride": 128, "pooling": pooling, "shared_encoder": False, "binary": False}
    assert config == {**SETTINGS, **recorded, "encoder": "bi"}
    assert loaded.settings == bi_settings(pooling=pooling)


def test_bi_encoder_with_a_shared_encoder_round_trips(tiny_model, tmp_path):
    encoder = BiEncoder.build(str(tiny_model), bi_settings(shared_encoder=True, pooling="mean"))
    perturb(encoder.question_model, seed=2)
    assert encoder.passage_encoder is encoder.question_model
    vectors = encoder.encode(PASSAGES, "passage")
    np.testing.assert_array_equal(encoder.encode(PASSAGES, "question"), vectors)

    encoder.save(tmp_path / "bi", SETTINGS)
    loaded = BiEncoder.load(tmp_path / "bi")

    assert loaded.shared and loaded.pooling == "mean"
    assert sorted(p.name for p in (tmp_path / "bi").iterdir()) == ["README.md", "encoder", "train_config.json"]
    np.testing.assert_array_equal(loaded.encode(PASSAGES, "passage"), vectors)
    np.testing.assert_array_equal(loaded.encode(QUESTIONS, "question"), encoder.encode(QUESTIONS, "question"))


def test_encode_pools_over_real_tokens_only(tiny_model):
    """Dynamic padding in length-sorted batches gives each text the vector it gets on its own."""
    encoder = BiEncoder.build(str(tiny_model), bi_settings(pooling="mean")).prepare(Runtime(batch_size=4))
    together = encoder.encode(PASSAGES, "passage")
    alone = np.concatenate([encoder.encode([text], "passage") for text in PASSAGES])
    np.testing.assert_allclose(together, alone, rtol=1e-5, atol=1e-5)


def test_no_texts_give_no_vectors_and_no_scores(tiny_model):
    assert BiEncoder.build(str(tiny_model)).encode([], "question").shape == (0, 64)
    assert CrossEncoder.build(str(tiny_model)).score([], []).shape == (0,)


@pytest.mark.parametrize("pooling", ["mean", "cls"])
def test_saved_question_encoder_loads_in_sentence_transformers(tiny_model, tmp_path, pooling):
    from sentence_transformers import SentenceTransformer

    encoder = BiEncoder.build(str(tiny_model), bi_settings(pooling=pooling))
    perturb(encoder.question_model, seed=3)
    encoder.save(tmp_path / "bi", SETTINGS)

    model = SentenceTransformer(str(tmp_path / "bi" / "question_encoder"), device="cpu")
    theirs = model.encode(QUESTIONS, convert_to_numpy=True, batch_size=2)

    assert model.max_seq_length == 32
    np.testing.assert_allclose(theirs, encoder.encode(QUESTIONS, "question"), rtol=1e-5, atol=1e-5)


@pytest.fixture
def cross_encoder(tiny_model) -> CrossEncoder:
    torch.manual_seed(0)
    encoder = CrossEncoder.build(str(tiny_model), PAIRS_48)
    perturb(encoder.model, seed=4, scale=0.2)  # a random head on a random model scores everything alike
    return encoder


def test_cross_encoder_round_trips(cross_encoder, tmp_path):
    scores = cross_encoder.score(QUESTIONS, PASSAGES)
    assert scores.shape == (len(QUESTIONS),) and np.ptp(scores) > 1e-2

    cross_encoder.save(tmp_path / "cross", SETTINGS)
    loaded = CrossEncoder.load(tmp_path / "cross")

    names = {p.name for p in (tmp_path / "cross").iterdir()}
    assert {"model.safetensors", "config.json", "tokenizer.json", "tokenizer_config.json", "train_config.json"} <= names
    np.testing.assert_array_equal(loaded.score(QUESTIONS, PASSAGES), scores)
    assert loaded.settings == PAIRS_48


def test_saved_cross_encoder_loads_in_transformers_and_sentence_transformers(cross_encoder, tmp_path):
    from sentence_transformers import CrossEncoder as SentenceCrossEncoder
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    pairs_512 = EncoderSettings(max_query_length=64, max_passage_length=448)
    ours = CrossEncoder(cross_encoder.model, cross_encoder.tokenizer, pairs_512).score(QUESTIONS, PASSAGES)
    cross_encoder.save(tmp_path / "cross", SETTINGS)
    directory = str(tmp_path / "cross")

    model = AutoModelForSequenceClassification.from_pretrained(directory).eval()
    tokenizer = AutoTokenizer.from_pretrained(directory)
    with torch.inference_mode():
        logits = model(**tokenizer(QUESTIONS, PASSAGES, padding=True, return_tensors="pt")).logits
    assert logits.shape == (len(QUESTIONS), 1)
    np.testing.assert_allclose(logits[:, 0].numpy(), ours, rtol=1e-5, atol=1e-5)

    reranker = SentenceCrossEncoder(directory, device="cpu")
    pairs = list(zip(QUESTIONS, PASSAGES, strict=True))
    # sentence-transformers applies a sigmoid to a one-logit model by default; the raw logits are ours
    np.testing.assert_allclose(reranker.predict(pairs), 1 / (1 + np.exp(-ours)), rtol=1e-5, atol=1e-6)
    raw = reranker.predict(pairs, activation_fn=torch.nn.Identity())
    np.testing.assert_allclose(raw, ours, rtol=1e-5, atol=1e-5)


def test_loading_the_wrong_kind_of_directory_is_a_user_error(cross_encoder, tiny_model, tmp_path):
    cross_encoder.save(tmp_path / "cross", SETTINGS)
    with pytest.raises(UserError, match="holds a cross-encoder, expected a bi-encoder"):
        BiEncoder.load(tmp_path / "cross")
    with pytest.raises(UserError, match="no train_config.json"):
        CrossEncoder.load(tiny_model)
    with pytest.raises(UserError, match="no such directory"):
        BiEncoder.load(tmp_path / "missing", flag="--input_directory")


def test_bf16_weights_for_inference_score_like_fp32(cross_encoder, tiny_model):
    """``prepare`` for bf16 on a CPU casts the weights; scores stay close and keep their order."""
    questions, passages = QUESTIONS * 4, [PASSAGES[(i + i // 4) % 4] for i in range(16)]
    reference = cross_encoder.score(questions, passages)
    cross_encoder.prepare(Runtime(precision="bf16"))
    assert next(cross_encoder.model.parameters()).dtype == torch.bfloat16
    scores = cross_encoder.score(questions, passages)
    assert scores.dtype == np.float32
    np.testing.assert_allclose(scores, reference, atol=0.05 * np.ptp(reference))
    assert np.corrcoef(np.argsort(np.argsort(scores)), np.argsort(np.argsort(reference)))[0, 1] > 0.9

    settings = BiEncoderSettings(max_passage_length=48, shared_encoder=True, pooling="mean")
    bi_encoder = BiEncoder.build(str(tiny_model), settings)
    perturb(bi_encoder, seed=5, scale=0.2)
    reference = bi_encoder.encode(PASSAGES, "passage")
    bi_encoder.prepare(Runtime(precision="fp32"))  # fp32: left as it is
    assert next(bi_encoder.parameters()).dtype == torch.float32
    bi_encoder.prepare(Runtime(precision="bf16"))
    assert bi_encoder.runtime.precision == "bf16"
    vectors = bi_encoder.encode(PASSAGES, "passage")
    cosine = np.sum(vectors * reference, axis=1) / np.linalg.norm(vectors, axis=1) / np.linalg.norm(reference, axis=1)
    assert vectors.dtype == np.float32 and cosine.min() > 0.99


def test_questions_and_passages_are_cut_at_their_own_lengths(tiny_model):
    """A question is cut at ``max_query_length`` tokens, a passage window at ``max_passage_length``."""
    from encoders.windows import truncate_text

    settings = BiEncoderSettings(max_query_length=6, max_passage_length=32, shared_encoder=True, pooling="mean")
    encoder = BiEncoder.build(str(tiny_model), settings)
    text = PASSAGES[1]  # 13 words, more than 6 tokens with [CLS] and [SEP]
    short = truncate_text(encoder.tokenizer, [text], 6 - 2)
    np.testing.assert_allclose(encoder.encode([text], "question"), encoder.encode(short, "passage"), atol=1e-6)
    assert not np.allclose(encoder.encode([text], "question"), encoder.encode([text], "passage"), atol=1e-3)


def test_a_model_stored_in_fp16_trains_from_fp32_weights(tiny_model, tmp_path):
    """transformers 5 loads the stored dtype by default; fp16 weights cannot be trained with fp16 autocast."""
    from transformers import AutoModel

    half = tmp_path / "half"
    with contextlib.redirect_stderr(io.StringIO()):
        AutoModel.from_pretrained(tiny_model).half().save_pretrained(half)
        AutoTokenizer.from_pretrained(tiny_model).save_pretrained(half)
        bi_encoder, cross_encoder = BiEncoder.build(str(half)), CrossEncoder.build(str(half))
    assert {parameter.dtype for parameter in bi_encoder.parameters()} == {torch.float32}
    assert {parameter.dtype for parameter in cross_encoder.model.parameters()} == {torch.float32}
