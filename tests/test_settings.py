"""Encoder settings: saved with each encoder and loaded with it, the one home of their defaults, checked on load."""

from __future__ import annotations

import json

import pytest

import rerank
import train
from encoders.settings import BiEncoderSettings, EncoderSettings
from errors import UserError
from pipeline import PipelineSettings
from stage_weights import FALLBACK, FUSION_KEY, RERANK_KEY


def parser_defaults(parser) -> dict:
    return {action.dest: action.default for action in parser._actions}


def test_train_flags_take_their_defaults_from_the_settings():
    defaults = parser_defaults(train.build_parser())
    for name, value in BiEncoderSettings().to_config().items():
        if name != "shared_encoder":  # a store_true flag: False unless given
            assert defaults[name] == value, name


def test_rerank_flags_take_their_defaults_from_the_pipeline_settings():
    defaults = parser_defaults(rerank.build_parser())
    settings = PipelineSettings()
    for name in ("retriever", "top_k_retrieval", "top_k", "rerank_depth", "fusion", "window_pooling"):
        assert defaults[name] == getattr(settings, name), name
    # The weights default to auto, whose fallback (no tuned weight saved) is the settings' default.
    assert defaults["fusion_weight"] == defaults["rerank_weight"] == "auto"
    assert settings.fusion_weight == FALLBACK[FUSION_KEY] and settings.rerank_weight("hybrid") == FALLBACK[RERANK_KEY]


def test_parsed_flags_become_the_settings_a_saved_encoder_records():
    args = train.build_parser().parse_args(
        ["--encoder", "bi", "--max_query_length", "20", "--max_passage_length", "100", "--stride", "10"]
        + ["--pooling", "mean", "--shared_encoder"]
    )
    model = train.model_arguments(args)
    assert model.settings == BiEncoderSettings(20, 100, 10, pooling="mean", shared_encoder=True)
    assert model.loss == "in-batch"
    cross = train.model_arguments(train.build_parser().parse_args(["--encoder", "cross", "--stride", "10"]))
    assert cross.settings == EncoderSettings(stride=10) and cross.loss == "lce"


def test_settings_round_trip_through_a_config_and_ignore_the_run_record():
    settings = BiEncoderSettings(max_query_length=20, max_passage_length=100, stride=10, pooling="mean")
    config = json.loads(json.dumps({"lr": 0.1, "encoder": "bi", **settings.to_config()}))
    assert BiEncoderSettings.from_config(config) == settings
    assert EncoderSettings.from_config({"stride": 7}) == EncoderSettings(stride=7)  # the rest: defaults


@pytest.mark.parametrize(
    ("config", "words"),
    [
        ({"max_passage_length": "384"}, ["max_passage_length", "int", "'384'"]),
        ({"stride": True}, ["stride", "int", "True"]),
        ({"max_query_length": 0}, ["max_query_length", "positive"]),
        ({"pooling": "max"}, ["pooling", "cls, mean", "'max'"]),
    ],
)
def test_a_damaged_config_is_a_user_error_naming_the_field(config, words):
    with pytest.raises(UserError) as raised:
        BiEncoderSettings.from_config(config, "dir/train_config.json")
    for word in ["dir/train_config.json", *words]:
        assert word in str(raised.value)


def test_window_tokens_leave_room_for_the_special_tokens(tokenizer_of_tiny_model):
    settings = EncoderSettings(max_query_length=16, max_passage_length=64)
    assert settings.window_tokens(tokenizer_of_tiny_model, pair=False) == 62  # [CLS] passage [SEP]
    assert settings.window_tokens(tokenizer_of_tiny_model, pair=True) == 61  # [CLS] question [SEP] passage [SEP]
    assert settings.max_pair_length == 80


@pytest.fixture(scope="module")
def tokenizer_of_tiny_model(tiny_model):
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(tiny_model)
