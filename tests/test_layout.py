"""The layout the README's "Where things live" promises: data flows one way, nothing imports upward, and every
extension seam (loss, inference backend, window pooling, retriever) feeds the CLI's choices from its registry."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import rerank
import train

ROOT = Path(__file__).resolve().parents[1]

# The foundations import only these project modules (directly, or inside a function) ...
ONLY = {"errors": set(), "fingerprints": set(), "metrics": set(), "file_utils": {"errors"}, "data_utils": {"errors"}}
ONLY["runtime"] = {"errors"}
ONLY["stage_weights"] = {"errors"}
ONLY["mapped_corpus"] = {"errors", "data_utils", "file_utils"}
# ... and the other parts never import these.
FORBIDDEN = {
    "encoders": {"retrieval", "training", "pipeline", "reranking", "evaluation", "outputs", "train", "rerank"},
    "retrieval": {"training", "pipeline", "reranking", "evaluation", "outputs", "train", "rerank"},
    "training": {"pipeline", "reranking", "outputs", "train", "rerank"},
    "reranking": {"training", "pipeline", "evaluation", "outputs", "train", "rerank"},
    "pipeline": {"training", "evaluation", "outputs", "train", "rerank"},
    # train.py reaches the stages only through weight_tuning, which runs rerank.py's Pipeline on the validation
    # questions so that the tuned weights fit the first stage rerank.py will use.
    "train": {"rerank", "pipeline", "reranking"},
    "weight_tuning": {"training", "outputs", "train", "rerank"},
    "rerank": {"train", "training"},
}


def project_modules() -> set[str]:
    return {path.stem for path in ROOT.glob("*.py")} | {path.parent.name for path in ROOT.glob("*/__init__.py")}


def imported_project_modules(path: Path, project: set[str]) -> set[str]:
    """Top-level project modules and packages that ``path`` imports anywhere in its code."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names & project


def part_files(part: str) -> list[Path]:
    directory = ROOT / part
    return sorted(directory.glob("*.py")) if directory.is_dir() else [ROOT / f"{part}.py"]


@pytest.mark.parametrize("part", sorted(ONLY) + sorted(FORBIDDEN))
def test_nothing_imports_upward(part):
    project = project_modules()
    forbidden = project - ONLY[part] if part in ONLY else FORBIDDEN[part]
    for path in part_files(part):
        wrong = imported_project_modules(path, project) & (forbidden - {part})
        assert not wrong, f"{path.relative_to(ROOT)} imports {sorted(wrong)}"


def test_the_layering_check_sees_imports_inside_functions(tmp_path):
    module = tmp_path / "module.py"
    module.write_text("def late():\n    from pipeline import Pipeline\n    import training.run\n", encoding="utf-8")
    assert imported_project_modules(module, project_modules()) == {"pipeline", "training"}


def choices_of(parser, flag: str) -> list[str]:
    return next(action.choices for action in parser._actions if flag in action.option_strings)


def test_a_loss_added_to_its_registry_is_a_train_choice(monkeypatch):
    from encoders import losses

    monkeypatch.setitem(losses.CROSS_ENCODER_LOSSES, "margin", losses.pointwise_bce_loss)
    parser = train.build_parser()
    assert "margin" in choices_of(parser, "--loss")
    args = parser.parse_args(["--encoder", "cross", "--loss", "margin"])
    assert train.model_arguments(args).loss == "margin"


@pytest.mark.parametrize(
    ("module", "registry", "flag"),
    [
        ("encoders.backends", "BACKENDS", "--backend"),
        ("reranking", "WINDOW_POOLINGS", "--window_pooling"),
        ("retrieval.dense", "DENSE_INDEXES", "--index"),
    ],
)
def test_rerank_choices_come_from_the_registries(monkeypatch, module, registry, flag):
    import importlib

    entries = getattr(importlib.import_module(module), registry)
    monkeypatch.setitem(entries, "added", next(iter(entries.values())))
    choices = [choice for choice in choices_of(rerank.build_parser(), flag) if choice != "auto"]  # auto: chosen
    assert choices == list(entries) and "added" in choices


def test_every_top_level_module_is_installed_by_pyproject():
    """A module missing from py-modules imports from the checkout but not from an install (or a script run by path)."""
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]
    modules = {path.stem for path in ROOT.glob("*.py")}
    assert modules == set(project["py-modules"])
    assert {path.parent.name for path in ROOT.glob("*/__init__.py")} - {"tests", "bench"} == set(project["packages"])
