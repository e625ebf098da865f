"""Encoder settings: saved with each encoder and loaded with it, the one home of their defaults, checked on load."""

from __future__ import annotations

import json

import pytest

import rerank
import train
from encoders.settings import BiEncoderSettings, EncoderSettings
from errors import UserError
from pipeline import AUTO_RERANK_DEPTH, AUTO_RERANK_WINDOWS, PipelineSettings
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
    for name in ("retriever", "top_k_retrieval", "top_k", "fusion", "window_pooling"):
        assert defaults[name] == getattr(settings, name), name
    assert defaults["rerank_depth"] == defaults["rerank_windows"] == "auto"  # chosen by device, below
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


@pytest.mark.parametrize("device", ["cpu", "cuda"])
def test_auto_rerank_depth_and_windows_follow_the_device_within_the_run_s_depths(device, capsys):
    parse = rerank.build_parser().parse_args
    settings = rerank.pipeline_settings(parse([]), device)
    assert settings.rerank_depth == AUTO_RERANK_DEPTH[device]
    assert settings.rerank_windows == AUTO_RERANK_WINDOWS[device]
    assert f"the top {AUTO_RERANK_DEPTH[device]} of each first-stage list" in capsys.readouterr().out
    assert rerank.pipeline_settings(parse(["--top_k_retrieval", "8", "--top_k", "3"]), device).rerank_depth == 8
    assert rerank.pipeline_settings(parse(["--top_k", "150"]), device).rerank_depth == max(
        150, AUTO_RERANK_DEPTH[device]
    )
    every = rerank.pipeline_settings(parse(["--rerank_depth", "all", "--rerank_windows", "all"]), device)
    assert (every.rerank_depth, every.rerank_windows) == (None, None)
    given = rerank.pipeline_settings(parse(["--rerank_depth", "7", "--rerank_windows", "3"]), device)
    assert (given.rerank_depth, given.rerank_windows) == (7, 3)
    bm25 = rerank.pipeline_settings(parse(["--retriever", "bm25", "--rerank_windows", "2"]), device)
    assert bm25.rerank_windows is None  # no window vectors without the bi-encoder: every window, with a note
    assert "--retriever bm25 does not load" in capsys.readouterr().out


def test_weights_are_tuned_at_the_depth_and_windows_rerank_py_uses_on_that_device():
    from weight_tuning import tuning_depths

    assert tuning_depths("auto", "cpu", 500) == (AUTO_RERANK_DEPTH["cpu"], AUTO_RERANK_WINDOWS["cpu"])
    assert tuning_depths("auto", "cuda", 500) == (AUTO_RERANK_DEPTH["cuda"], AUTO_RERANK_WINDOWS["cuda"])
    assert tuning_depths("auto", "cuda", 30) == (30, AUTO_RERANK_WINDOWS["cuda"])
    assert tuning_depths(None, "cpu", 30) == (30, AUTO_RERANK_WINDOWS["cpu"])  # all
    assert tuning_depths(12, "cpu", 500) == (12, AUTO_RERANK_WINDOWS["cpu"])


def test_train_py_tunes_at_rerank_py_s_auto_depth_and_windows_of_its_device(monkeypatch, tmp_path):
    """train.py hands the tuner the depth and windows ``tuning_depths`` resolves for the training device."""
    import weight_tuning
    from runtime import Runtime

    captured = {}

    class RecordingTuner:
        def __init__(self, *args):
            captured["args"] = args

    monkeypatch.setattr(weight_tuning, "WeightTuner", RecordingTuner)
    monkeypatch.setattr(weight_tuning, "tune_after_training", lambda *_: [])
    args = train.build_parser().parse_args(
        ["--encoder", "cross", "--output_directory", str(tmp_path), "--bm25_tokenizer", "whitespace"]
    )
    train.tune_weights(args, Runtime(), None, None)
    depth, windows = weight_tuning.tuning_depths("auto", "cpu", args.tuning_top_k_retrieval)
    assert captured["args"][6:] == (depth, False, windows) == (AUTO_RERANK_DEPTH["cpu"], False, 1)
