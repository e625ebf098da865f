"""Safety: no pickle or remote code anywhere in the project, and ids or titles in the data never choose where
files are written."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from reliability_helpers import CPU, ROOT, read_jsonl, run_rerank

pytestmark = pytest.mark.usefixtures("single_thread")


# ---------------------------------------------------------------------------------------------
# 6. Safety: no pickle anywhere, and data never chooses where files are written


UNSAFE = ("torch.load(", "pickle.load", "pickle.dump", "torch.save(", "trust_remote_code=True")


def test_no_pickle_and_no_remote_code_in_the_project():
    sources = []
    for directory, subdirectories, files in os.walk(ROOT):  # the project's code: not tests/, .venv/ or .git/
        subdirectories[:] = [name for name in subdirectories if name != "tests" and not name.startswith(".")]
        sources += [Path(directory) / name for name in files if name.endswith(".py")]
    assert len(sources) > 20 and ROOT / "rerank.py" in sources
    found = [
        f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
        for path in sources
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if any(pattern in line for pattern in UNSAFE)
    ]
    assert found == []


def test_ids_and_titles_that_look_like_paths_stay_inside_the_outputs(saved, tmp_path):
    work = tmp_path / "a" / "b" / "work"
    shutil.copytree(saved, work / "input")
    evil = [
        "../../evil",
        "../../../evil-dir/evil",
        "/tmp/evil-absolute-" + tmp_path.name,
        "..\\..\\evil",
        "a/../../evil",
    ]
    passages = [
        {"id": passage_id, "title": f"../../{number}/title/evil", "text": f"the naba number {number} was here"}
        for number, passage_id in enumerate([*evil, "plain"])
    ]
    corpus = work / "corpus.jsonl"
    corpus.write_text("".join(json.dumps(row) + "\n" for row in passages), encoding="utf-8")
    queries = work / "queries.jsonl"
    questions = [
        {"id": question_id, "question": f"where was naba {number}?"} for number, question_id in enumerate(evil)
    ]
    queries.write_text("".join(json.dumps(row) + "\n" for row in questions), encoding="utf-8")
    before = {path for path in tmp_path.rglob("*")}

    output = work / "out"
    run_rerank(
        "--input_directory", work / "input", "--corpus", corpus, "--queries", queries, "--top_k_retrieval", "6",
        "--top_k", "3", "--output_directory", output, "--output_format", "csv", *CPU,
    )  # fmt: skip

    created = {path for path in tmp_path.rglob("*")} - before
    outside = [path for path in created if output not in path.parents and work / "input" / "index" not in path.parents]
    assert sorted(map(str, outside)) == sorted(map(str, [output, work / "input" / "index"]))
    assert not Path(f"/tmp/evil-absolute-{tmp_path.name}").exists()
    assert {path.name for path in output.iterdir()} == {"predictions.jsonl", "predictions.csv", "reader_dataset"}
    records = read_jsonl(output / "predictions.jsonl")
    assert [record["id"] for record in records] == evil
    titles = {passage["id"]: passage["title"] for passage in passages}
    for record in records:
        assert record["rerank"]["titles"] == [titles[pid] for pid in record["rerank"]["ids"]]
