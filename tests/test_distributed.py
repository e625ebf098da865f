"""Cross-device negatives in two processes (gloo on the CPU): the loss and the gradients on every rank equal one
process's on the concatenated batch, and a passage that is gold on another rank is no negative."""

from __future__ import annotations

import json

import distributed_helpers
import pytest
import torch

pytestmark = pytest.mark.distributed


def run_two_ranks(tmp_path, grad_cache_chunk: int = 0, masked_by_id: bool = True) -> list[dict]:
    distributed_helpers.run_ranks(distributed_helpers.rank_main, 2, str(tmp_path), grad_cache_chunk, masked_by_id)
    return [json.loads((tmp_path / f"rank{rank}.json").read_text(encoding="utf-8")) for rank in range(2)]


def assert_same_gradients(result: dict, reference: dict) -> None:
    for name, gradient in reference["gradients"].items():
        torch.testing.assert_close(torch.tensor(result["gradients"][name]), torch.tensor(gradient), atol=1e-5, rtol=0)


@pytest.mark.parametrize("grad_cache_chunk", [0, 2], ids=["plain", "grad-cache"])
def test_two_ranks_equal_one_process_on_the_whole_batch(tmp_path, grad_cache_chunk):
    reference = distributed_helpers.one_process()
    for result in run_two_ranks(tmp_path, grad_cache_chunk):
        assert result["loss"] == pytest.approx(reference["loss"], abs=1e-5)
        assert_same_gradients(result, reference)


def test_a_gold_passage_of_another_rank_is_no_negative(tmp_path):
    reference = distributed_helpers.one_process()
    unmasked = run_two_ranks(tmp_path, masked_by_id=False)
    assert all(result["loss"] > reference["loss"] + 1e-3 for result in unmasked)


def test_a_signal_on_one_rank_stops_every_rank_after_the_same_step(tmp_path):
    distributed_helpers.run_ranks(distributed_helpers.interrupt_main, 2, str(tmp_path))
    decided = [json.loads((tmp_path / f"rank{rank}.json").read_text(encoding="utf-8")) for rank in range(2)]
    assert decided == [{"save": True, "stop": True}] * 2


def test_local_loss_differs_from_the_whole_batch():
    """The reference is not trivially every rank's own loss: the whole batch adds negatives."""
    from encoders.losses import in_batch_negatives_loss
    from training.trainer import BiEncoderLoss

    model, loss = distributed_helpers.TinyBiEncoder(), BiEncoderLoss(in_batch_negatives_loss)
    local = loss(model, distributed_helpers.local_batch(distributed_helpers.BATCHES[0])).item()
    assert local != pytest.approx(distributed_helpers.one_process()["loss"], abs=1e-3)


@pytest.mark.parametrize(
    ("flag", "environ", "expected", "warned"),
    [
        (None, {}, False, False),
        (None, {"LOCAL_RANK": "0", "WORLD_SIZE": "2"}, True, False),
        (False, {"LOCAL_RANK": "0", "WORLD_SIZE": "2"}, False, False),
        (True, {}, False, True),  # asked for without a launcher: a warning and a no-op
    ],
)
def test_cross_device_negatives_default_on_under_torchrun_only(monkeypatch, capsys, flag, environ, expected, warned):
    from train import cross_device_negatives

    for name in ("LOCAL_RANK", "WORLD_SIZE"):
        monkeypatch.delenv(name, raising=False)
    for name, value in environ.items():
        monkeypatch.setenv(name, value)
    assert cross_device_negatives(flag) is expected
    message = capsys.readouterr().err
    assert ("--negatives_cross_device does nothing without a distributed launch" in message) is warned


def test_every_rank_waits_for_rank_zero_before_leaving_the_group(tmp_path):
    """Mutations: no barrier in ``leave_process_group`` (rank 1 leaves before rank 0's save) or no
    ``destroy_process_group`` (a rank exits with its gloo group alive and can abort in its destructor)."""
    distributed_helpers.run_ranks(distributed_helpers.leave_main, 2, str(tmp_path))
    seen = [json.loads((tmp_path / f"rank{rank}.json").read_text(encoding="utf-8")) for rank in range(2)]
    assert seen == [{"saved_seen": True, "group_left": True}] * 2
