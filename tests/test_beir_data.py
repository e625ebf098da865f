"""BEIR data sets (``corpus.jsonl``, ``queries.jsonl``, ``qrels/<split>.tsv``): read as they are, corpus ids and
graded judgements kept, and run through train -> rerank -> TREC run -> metrics; every bad file is one line."""

from __future__ import annotations

import contextlib
import io
import json
from pathlib import Path

import pytest
from conftest import synthetic_squad
from data_utils_helpers import load_error

import rerank
import train
from data_utils import load_corpus, load_qa, load_queries
from metrics import graded_metrics


def write_lines(path: Path, lines: list[str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")


def beir_directory(directory: Path) -> Path:
    """A BEIR data set from synthetic SQuAD-style data: train and test queries over one corpus, a passage that
    repeats another's text under its own id, and qrels with a grade 0 (judged, not relevant) and a grade 2."""
    corpus, queries, qrels = [], [], {"train": [], "test": []}
    for split, seed in (("train", 1), ("test", 2)):
        for a, article in enumerate(synthetic_squad(seed, 3, 3, 2)["data"]):
            for p, paragraph in enumerate(article["paragraphs"]):
                doc = f"{split}-doc-{a}-{p}"
                corpus.append({"_id": doc, "title": article["title"], "text": paragraph["context"]})
                for qa in paragraph["qas"]:
                    queries.append({"_id": qa["id"], "text": qa["question"]})
                    qrels[split].append(f"{qa['id']}\t{doc}\t{2 if p == 0 else 1}")
    corpus.append({"_id": "copy-of-test-doc-0-0", "title": "", "text": corpus[9]["text"]})
    qrels["test"].append(f"{queries[-1]['_id']}\ttrain-doc-0-0\t0")
    qrels["test"].append("s2-a0-p0-q1\ttest-doc-1-1\t1")  # two relevant passages of two grades: nDCG weighs them
    write_lines(directory / "corpus.jsonl", [json.dumps(row) for row in corpus])
    write_lines(directory / "queries.jsonl", [json.dumps(row) for row in queries])
    for split, lines in qrels.items():
        write_lines(directory / "qrels" / f"{split}.tsv", ["query-id\tcorpus-id\tscore", *lines])
    return directory


@pytest.fixture(scope="module")
def beir(tmp_path_factory) -> Path:
    return beir_directory(tmp_path_factory.mktemp("beir") / "synthetic")


def test_the_corpus_keeps_its_ids(beir):
    corpus = load_corpus(beir)
    assert corpus.ids[0] == "train-doc-0-0" and len(corpus) == 18  # the copied text is deduplicated...
    assert corpus["copy-of-test-doc-0-0"].id == "test-doc-0-0"  # ...and its id still finds it


def test_queries_are_the_split_s_judged_questions_with_graded_gold(beir):
    test = load_queries(beir)
    assert len(test.questions) == 18 and not len(test.corpus)  # test split by default; golds are corpus ids
    first = test.questions[0]
    assert first.gold_ids == ("test-doc-0-0",) and dict(first.relevance) == {"test-doc-0-0": 2}
    last = test.questions[-1]
    assert dict(last.relevance) == {"test-doc-2-2": 1, "train-doc-0-0": 0}  # grade 0 is kept, but no gold
    assert last.gold_ids == ("test-doc-2-2",)
    assert load_queries(f"{beir}:train").questions[0].gold_ids == ("train-doc-0-0",)


def test_training_data_brings_the_corpus_and_its_positives(beir):
    data = load_qa(beir, flag="--train_data")
    assert len(data.questions) == 18 and len(data.corpus) == 18
    assert data.corpus[data.questions[0].gold_ids[0]].text.startswith(load_corpus(beir)["train-doc-0-0"].text[:20])


def test_bad_beir_files_are_one_line(beir, tmp_path):
    broken = beir_directory(tmp_path / "broken")
    message = load_error(load_queries, f"{broken}:validation")
    assert "no qrels split 'validation' (found: test, train)" in message and ":SPLIT" in message
    (broken / "qrels" / "test.tsv").write_text("q1\tdoc\t1\n", encoding="utf-8")
    assert "header row 'query-id<TAB>corpus-id<TAB>score'" in load_error(load_queries, broken)
    (broken / "qrels" / "test.tsv").write_text("query-id\tcorpus-id\tscore\nq1\tdoc\thigh\n", encoding="utf-8")
    assert "line 2: score must be an integer grade, found 'high'" in load_error(load_queries, broken)
    (broken / "qrels" / "test.tsv").write_text("query-id\tcorpus-id\tscore\nnobody\tdoc\t1\n", encoding="utf-8")
    assert "query-id 'nobody' is not in queries.jsonl" in load_error(load_queries, broken)
    (broken / "qrels" / "train.tsv").write_text("query-id\tcorpus-id\tscore\ns1-a0-p0-q0\tnope\t1\n", encoding="utf-8")
    assert "no judged passage id is an id of corpus.jsonl (first: 'nope')" in load_error(
        load_qa, broken, flag="--train_data"
    )
    queries = (broken / "queries.jsonl").read_text(encoding="utf-8")
    (broken / "queries.jsonl").write_text(queries[: len(queries) // 2], encoding="utf-8")  # cut mid-line
    assert "queries.jsonl: invalid JSON at line" in load_error(load_queries, broken)
    (broken / "queries.jsonl").write_text('{"id": "q1", "text": "what?"}\n', encoding="utf-8")
    assert "line 1: expected an '_id' and a 'text' (BEIR queries)" in load_error(load_queries, broken)


def test_train_rerank_trec_and_metrics_on_a_beir_directory(beir, tiny_model, tmp_path):
    """Done when of issue 17, item 1: the BEIR directory as --train_data, --corpus and --queries; the TREC run
    and the metrics judge by the qrels' corpus ids."""
    flags = ["--model", str(tiny_model), "--train_data", str(beir), "--output_directory", str(tmp_path)]
    flags += ["--max_steps", "2", "--max_query_length", "16", "--max_passage_length", "64", "--stride", "16"]
    flags += ["--device", "cpu", "--precision", "fp32", "--quiet", "--no_weight_tuning", "--save_steps", "100"]
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        assert train.main(["--encoder", "bi", *flags]) == 0
        assert train.main(["--encoder", "cross", *flags, "--group_size", "2"]) == 0
    record = json.loads((tmp_path / "bi_encoder" / "train_config.json").read_text(encoding="utf-8"))
    assert record["train_questions"] == 18 and record["train_passages"] == 18
    output = tmp_path / "results"
    args = ["--input_directory", tmp_path, "--corpus", beir, "--queries", beir, "--top_k_retrieval", "10"]
    args += ["--device", "cpu", "--precision", "fp32", "--output_format", "trec", "--bm25_tokenizer", "whitespace"]
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        assert rerank.main([str(arg) for arg in args]) == 0
    run = (output / "trec_runs" / "rerank.trec").read_text(encoding="utf-8").splitlines()
    assert run[0].split()[0] == "s2-a0-p0-q0" and run[0].split()[2] in load_corpus(beir).ids
    predictions = [json.loads(line) for line in (output / "predictions.jsonl").read_text(encoding="utf-8").splitlines()]
    judged = {question.id: set(question.gold_ids) for question in load_queries(beir).questions}  # from the qrels
    hits = [bool(judged[record["id"]] & set(record["bm25"]["ids"][:5])) for record in predictions]
    metrics = json.loads((output / "metrics.json").read_text(encoding="utf-8"))
    assert metrics["stages"]["BM25"]["top5"] == pytest.approx(sum(hits) / len(hits))
    assert sum(hits) >= len(hits) // 2  # the questions share rare words with their passages: BM25 finds most
    graded = [dict(question.relevance) for question in load_queries(beir).questions]
    for stage, key in (("BM25", "bm25"), ("DPR", "retrieve")):
        expected = graded_metrics([record[key]["ids"] for record in predictions], graded)
        assert {name: metrics["stages"][stage][name] for name in expected} == pytest.approx(expected)


def test_gold_named_by_id_is_the_corpus_s_kept_passage_or_a_miss(beir):
    """A qrels id of a duplicate text finds the passage kept in its place; an id the corpus lacks stays a miss."""
    from data_utils import QAData, Question
    from evaluation import gold_in_corpus

    corpus = load_corpus(beir)
    queries = QAData([Question("q", "what?", ("copy-of-test-doc-0-0", "gone"))], load_queries(beir).corpus)
    with contextlib.redirect_stderr(io.StringIO()) as err:
        assert gold_in_corpus(queries, corpus) == [{"test-doc-0-0", "<not in corpus: gone>"}]
    assert "1 gold passages of the queries are not in the corpus" in err.getvalue()
