"""Device and precision decisions for CUDA, tested on any machine through the facts they are made from: a GPU's
compute capability, the number of GPUs, the visible-devices variable and a launcher's variables."""

from __future__ import annotations

import pytest
import torch

import runtime
from errors import UserError


@pytest.mark.parametrize(
    ("capability", "name", "auto"),
    [((7, 0), "Tesla V100", "fp16"), ((7, 5), "Tesla T4", "fp16"), ((8, 0), "A100", "bf16"), ((9, 0), "H100", "bf16")],
)
def test_auto_precision_is_bf16_only_where_the_gpu_has_it_natively(capability, name, auto):
    assert runtime.cuda_precision("auto", capability, name) == auto
    assert runtime.cuda_precision("fp32", capability, name) == "fp32"
    assert runtime.cuda_precision("fp16", capability, name) == "fp16"


def test_the_chosen_gpu_decides_not_what_torch_counts_as_bf16(monkeypatch):
    """``is_bf16_supported()`` is True on a V100 (emulated bf16); the capability of the chosen device decides."""
    asked = []
    capabilities = [(8, 0), (7, 0)]
    monkeypatch.setattr(torch.cuda, "is_bf16_supported", lambda *args, **kwargs: True)
    monkeypatch.setattr(torch.cuda, "get_device_capability", lambda index: asked.append(index) or capabilities[index])
    monkeypatch.setattr(torch.cuda, "get_device_name", lambda index: ["A100", "Tesla V100"][index])
    monkeypatch.setattr(torch.cuda, "current_device", lambda: 0)
    assert runtime.resolve_precision("auto", torch.device("cuda:1")) == "fp16"
    assert runtime.resolve_precision("auto", torch.device("cuda")) == "bf16"
    assert asked == [1, 0]


@pytest.mark.parametrize(
    ("flag", "environ", "visible", "device"),
    [
        ("cuda:1", {}, "1", "cuda:0"),
        ("cuda:1", {"CUDA_VISIBLE_DEVICES": "3,5"}, "5", "cuda:0"),
        ("cuda", {"CUDA_VISIBLE_DEVICES": "2, 3"}, "2", "cuda"),
        ("auto", {}, "0", "auto"),
        ("cpu", {}, None, "cpu"),
        ("cuda:1", {"LOCAL_RANK": "1", "WORLD_SIZE": "2"}, None, "cuda:1"),  # torchrun gives each rank its GPU
        ("cuda:4", {"CUDA_VISIBLE_DEVICES": "0,1"}, None, "cuda:4"),  # out of range: resolve_device says so
    ],
)
def test_a_single_process_run_sees_exactly_one_gpu(flag, environ, visible, device):
    """One visible GPU: the Trainer trains on the one --device names and never wraps the model in DataParallel."""
    assert runtime.single_gpu_visibility(flag, environ) == (visible, device)
    environ = dict(environ)
    assert runtime.pin_single_gpu(flag, environ) == device
    assert environ.get("CUDA_VISIBLE_DEVICES") == (visible or environ.get("CUDA_VISIBLE_DEVICES"))
    if visible is not None:
        assert len(environ["CUDA_VISIBLE_DEVICES"].split(",")) == 1


def test_a_gpu_index_past_the_last_gpu_is_one_line(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "device_count", lambda: 1)
    with pytest.raises(UserError, match=r"--device cuda:7: this machine has 1 CUDA device \(cuda:0 to cuda:0\)"):
        runtime.resolve_device("cuda:7")
    assert runtime.resolve_device("cuda:0") == torch.device("cuda:0")


def test_under_torchrun_each_rank_takes_its_own_gpu(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "device_count", lambda: 8)
    launched = {"LOCAL_RANK": "3", "WORLD_SIZE": "8"}
    assert runtime.resolve_device("auto", launched) == torch.device("cuda:3")
    assert runtime.resolve_device("cuda", launched) == torch.device("cuda:3")
    assert runtime.resolve_device("cpu", launched) == torch.device("cpu")
    assert runtime.resolve_device("auto", {}) == torch.device("cuda")  # one process: the first GPU
    with pytest.raises(UserError, match=r"--device cuda:1: under torchrun each rank uses cuda:LOCAL_RANK"):
        runtime.resolve_device("cuda:1", launched)


def test_under_torchrun_without_gpus_auto_is_the_cpu(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    assert runtime.resolve_device("auto", {"LOCAL_RANK": "1", "WORLD_SIZE": "2"}) == torch.device("cpu")
