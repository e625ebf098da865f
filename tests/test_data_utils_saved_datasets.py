"""QA from a directory saved by datasets' save_to_disk: the split argument, DIR:SPLIT, and missing splits."""

from __future__ import annotations

from pathlib import Path

import pytest
from data_utils_helpers import ROWS, TRAIN_ROWS, expected_summary, load_error, summary, write_format

from data_utils import load_qa


def save_dataset_dict(path: Path, splits: dict[str, list[dict]]) -> Path:
    import datasets

    datasets.DatasetDict({name: datasets.Dataset.from_list(rows) for name, rows in splits.items()}).save_to_disk(
        str(path)
    )
    return path


@pytest.fixture(scope="module")
def dataset_dir(tmp_path_factory) -> Path:
    return save_dataset_dict(tmp_path_factory.mktemp("ds") / "train_dataset", {"train": TRAIN_ROWS, "validation": ROWS})


def test_saved_dataset_dict_with_split_argument(dataset_dir):
    data = load_qa(dataset_dir, split="validation")
    assert summary(data) == expected_summary(ROWS)


def test_saved_dataset_dict_with_dir_colon_split(dataset_dir):
    assert summary(load_qa(f"{dataset_dir}:validation")) == expected_summary(ROWS)
    assert summary(load_qa(f"{dataset_dir}:train")) == expected_summary(TRAIN_ROWS)


def test_saved_dataset_gives_the_same_gold_ids_as_squad_json(dataset_dir, tmp_path):
    from_disk = load_qa(dataset_dir, split="validation")
    from_json = load_qa(write_format("squad", tmp_path))
    assert [q.gold_ids for q in from_disk.questions] == [q.gold_ids for q in from_json.questions]


def test_directory_without_saved_dataset(tmp_path):
    directory = tmp_path / "not_a_dataset"
    directory.mkdir()
    (directory / "notes.txt").write_text("hello")
    message = load_error(load_qa, directory)
    assert "not_a_dataset" in message and "save_to_disk" in message


def test_dataset_dict_without_the_named_split(dataset_dir):
    message = load_error(load_qa, dataset_dir, split="test")
    assert dataset_dir.name in message and "'test'" in message and "validation" in message and "train" in message
    message = load_error(load_qa, f"{dataset_dir}:test")
    assert "'test'" in message and "validation" in message


def test_dataset_dict_without_any_split_named(dataset_dir):
    message = load_error(load_qa, dataset_dir)
    assert dataset_dir.name in message and "validation" in message and ":SPLIT" in message
