"""BM25 and the sparse + dense hybrid: the tokenizers on Korean and English text, fusion of hand-made ranked lists,
the BM25 index (search, save/load, stale and broken files), and rerank.py with --retriever hybrid and bm25 end to end
on the tiny models of ``conftest.py`` (saved untrained, as train.py saves them: the checks are about the wiring).
"""

from __future__ import annotations

import contextlib
import io
import json
import shutil
import sys
from pathlib import Path

import numpy as np
import pytest

import rerank
from errors import UserError, run_cli
from retrieval.bm25 import BM25Index, bm25_fingerprint, top_k
from retrieval.bm25_tokenizers import (
    CharNgramTokenizer,
    KiwiTokenizer,
    ModelTokenizer,
    WhitespaceTokenizer,
    char_ngrams,
    make_tokenizer,
)
from retrieval.fusion import fuse, fuse_all
from retrieval.ranking import Ranking

pytestmark = pytest.mark.usefixtures("single_thread")

CPU = ["--precision", "fp32", "--device", "cpu"]
TOP_K_RETRIEVAL, TOP_K = 5, 3


def run_rerank(*args) -> str:
    """``rerank.main`` in-process; returns what it printed to stdout."""
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        assert rerank.main([str(arg) for arg in args]) == 0
    return printed.getvalue()


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


# ---------------------------------------------------------------------------------------------
# 1. Tokenizers


def test_char_bigrams_stay_within_words():
    assert char_ngrams("뒤마의 소설", 2) == ["뒤마", "마의", "소설"]
    assert CharNgramTokenizer(2)(["뒤마의 «소설», 1844년!"]) == [["뒤마", "마의", "소설", "18", "84", "44", "4년"]]
    assert char_ngrams("한 소설가", 3) == ["한", "소설가"]  # a word shorter than n is kept whole
    assert char_ngrams("Dumas' Novel", 2) == ["du", "um", "ma", "as", "no", "ov", "ve", "el"]
    assert make_tokenizer("char-ngram", 3)(["삼총사는"]) == [["삼총사", "총사는"]]


def test_whitespace_words_are_lowercased_without_punctuation():
    tokens = WhitespaceTokenizer()(["삼총사는 «뒤마»의 소설이다. Dumas' NOVEL, ＡＢＣ-1844!", "नमस्ते दुनिया"])
    assert tokens == [["삼총사는", "뒤마", "의", "소설이다", "dumas", "novel", "abc", "1844"], ["नमस्ते", "दुनिया"]]


def test_model_tokenizer_gives_the_tokenizers_own_tokens(tiny_model):
    from transformers import AutoTokenizer

    tokenizer = ModelTokenizer(tiny_model)
    # "what" is a word of the tiny vocabulary; "thaw" is not and splits into letters; Hangul is [UNK], left out.
    assert tokenizer(["What thaw ?", "what 뒤마"]) == [["what", "t", "##h", "##a", "##w", "?"], ["what"]]
    assert tokenizer(["What thaw ?"])[0] == AutoTokenizer.from_pretrained(tiny_model).tokenize("What thaw ?")
    assert make_tokenizer("model", model_directory=tiny_model).describe() == tokenizer.describe()


def test_kiwi_keeps_content_morphemes():
    pytest.importorskip("kiwipiepy")
    [tokens] = KiwiTokenizer()(["뒤마의 소설 삼총사는 1844년에 출간되었다. Dumas wrote it."])
    assert {"뒤마", "소설", "삼총사", "1844", "출간", "dumas", "wrote"} <= set(tokens)
    assert not {"의", "는", "에", "었", "다", "."} & set(tokens)  # particles, endings, punctuation


def test_kiwi_missing_is_one_line_naming_the_install(monkeypatch, tmp_path, capsys):
    monkeypatch.setitem(sys.modules, "kiwipiepy", None)  # import kiwipiepy raises ImportError
    with pytest.raises(UserError, match=r"pip install kiwipiepy"):
        make_tokenizer("kiwi")
    args = ["--input_directory", tmp_path, "--retriever", "bm25", "--bm25_tokenizer", "kiwi", "--stages", "retrieve"]
    assert run_cli(rerank.main, [str(arg) for arg in args]) == 2
    assert "pip install kiwipiepy" in capsys.readouterr().err


# ---------------------------------------------------------------------------------------------
# 2. Fusion of two ranked lists

# BM25 returns a, b, c with scores 10, 6, 2; the dense list b, d, a with 0.9, 0.5, 0.1.
# min-max: BM25 a=1, b=0.5, c=0 (d missing: 0); dense b=1, d=0.5, a=0 (c missing: 0).
# z-score: both lists are symmetric around their middle: +-sqrt(1.5) = 1.2247 (missing: -1.2247).
# RRF: a = 1/61 + 1/63, b = 1/62 + 1/61, c = 1/63, d = 1/62.
BM25 = Ranking(["a", "b", "c"], [10.0, 6.0, 2.0])
DENSE = Ranking(["b", "d", "a"], [0.9, 0.5, 0.1])
Z = 1.5**0.5
FUSED = {
    ("minmax", 0.5): (["b", "a", "d", "c"], [0.75, 0.5, 0.25, 0.0]),
    ("minmax", 0.8): (["a", "b", "d", "c"], [0.8, 0.6, 0.1, 0.0]),
    ("zscore", 0.5): (["b", "a", "d", "c"], [Z / 2, 0.0, -Z / 2, -Z]),
    ("zscore", 0.8): (["a", "b", "d", "c"], [0.6 * Z, 0.2 * Z, -0.8 * Z, -Z]),
    ("rrf", 0.5): (["b", "a", "d", "c"], [1 / 62 + 1 / 61, 1 / 61 + 1 / 63, 1 / 62, 1 / 63]),
    ("rrf", 0.8): (
        ["a", "b", "c", "d"],
        [2 * (0.8 / 61 + 0.2 / 63), 2 * (0.8 / 62 + 0.2 / 61), 2 * 0.8 / 63, 2 * 0.2 / 62],
    ),
}


@pytest.mark.parametrize(("method", "weight"), list(FUSED))
def test_fusion_of_hand_made_lists(method, weight):
    ids, scores = FUSED[method, weight]
    fused = fuse(BM25, DENSE, method, weight)
    assert fused.ids == ids
    np.testing.assert_allclose(fused.scores, scores, atol=1e-12)


def test_fusion_weight_one_or_zero_keeps_one_lists_order():
    assert fuse(BM25, DENSE, "minmax", 1.0).ids[:3] == BM25.ids
    assert fuse(BM25, DENSE, "zscore", 0.0).ids[:3] == DENSE.ids
    assert fuse(BM25, DENSE, "rrf", 1.0).ids[:3] == BM25.ids


def test_fusion_edge_cases():
    # All scores equal: no spread, every passage normalizes to 0; ties keep first-appearance order.
    flat = Ranking(["x", "y"], [3.0, 3.0])
    assert fuse(flat, Ranking(["y", "z"], [2.0, 1.0]), "minmax") == Ranking(["y", "x", "z"], [0.5, 0.0, 0.0])
    assert fuse(flat, flat, "zscore") == Ranking(["x", "y"], [0.0, 0.0])
    # One list empty: the other's order.
    assert fuse(Ranking([], []), DENSE, "minmax").ids == DENSE.ids
    # Question by question.
    assert [r.ids for r in fuse_all([BM25, DENSE], [DENSE, BM25], "rrf")] == [["b", "a", "d", "c"]] * 2
    with pytest.raises(ValueError, match="unknown fusion method"):
        fuse(BM25, DENSE, "sum")


# ---------------------------------------------------------------------------------------------
# 3. The BM25 index

KOREAN = [
    "서울은 대한민국의 수도이며 가장 큰 도시이다.",
    "부산은 대한민국의 항구 도시이다.",
    "뒤마의 소설 삼총사는 프랑스에서 출간되었다.",
    "위고의 소설 레미제라블도 프랑스에서 출간되었다.",
]
ENGLISH = [
    "the cat sat on the mat in the house",
    "the dog sat on the log by the house",
    "a quokka smiled at the camera on the island",
    "the cat and the dog sat in the house",
]


@pytest.mark.parametrize("tokenizer", ["char-ngram", "whitespace"])
def test_bm25_ranks_the_passage_sharing_a_rare_word_first(tokenizer):
    index = BM25Index.build(ENGLISH, tokenizer)
    scores, positions = index.search_positions(["where did the quokka smile?", "the house of the dog"], 4)
    assert positions[0, 0] == 2 and scores[0, 0] > scores[0, 1]
    assert positions[1, 0] == 1
    assert (np.diff(scores, axis=1) <= 0).all()


def test_korean_bigrams_match_words_whitespace_splitting_misses():
    question = "삼총사를 쓴 작가는?"  # "삼총사" with another particle than the passage's "삼총사는"
    _, positions = BM25Index.build(KOREAN, "char-ngram").search_positions([question], 2)
    assert positions[0, 0] == 2
    scores, positions = BM25Index.build(KOREAN, "whitespace").search_positions([question], 4)
    assert (scores == 0).all() and positions[0].tolist() == [0, 1, 2, 3]  # no shared word; ties by position


def test_bm25_index_round_trips_and_refuses_stale_or_broken_files(tmp_path):
    tokenizer = CharNgramTokenizer(2)
    index = BM25Index.build(
        KOREAN, passage_ids=["p0", "p1", "p2", "p3"], corpus_fingerprint="corpus-1", tokenizer=tokenizer
    )
    assert index.fingerprint == bm25_fingerprint("corpus-1", tokenizer)
    queries = ["뒤마의 소설", "대한민국의 항구", "없는 단어"]
    expected = index.search_positions(queries, 3)
    directory = tmp_path / "bm25"
    index.save(directory)
    assert (directory / "meta.json").is_file() and not list(tmp_path.glob(".bm25.*"))

    loaded = BM25Index.load(directory, index.fingerprint)  # the tokenizer is made again from meta.json
    assert loaded is not None and loaded.passage_ids == ["p0", "p1", "p2", "p3"]
    for got, want in zip(loaded.search_positions(queries, 3), expected):
        np.testing.assert_array_equal(got, want)

    stale = [
        bm25_fingerprint("corpus-2", tokenizer),
        bm25_fingerprint("corpus-1", CharNgramTokenizer(3)),
        bm25_fingerprint("corpus-1", WhitespaceTokenizer()),
        bm25_fingerprint("corpus-1", tokenizer, {"k1": 1.2}),
    ]
    assert all(BM25Index.load(directory, fingerprint) is None for fingerprint in stale)
    assert BM25Index.load(tmp_path / "missing", index.fingerprint) is None

    for damage in ("data.csc.index.npy", "vocab.index.json", "passage_ids.json"):
        broken = tmp_path / f"broken-{damage}"
        shutil.copytree(directory, broken)
        path = broken / damage
        path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
        assert BM25Index.load(broken, index.fingerprint) is None, damage


# ---------------------------------------------------------------------------------------------
# 4. rerank.py with --retriever hybrid and bm25


def test_hybrid_run_evaluates_every_stage_and_reuses_the_bm25_index(saved, corpus_file, squad_files, tmp_path, capsys):
    directory = tmp_path / "input"
    shutil.copytree(saved, directory)
    output = tmp_path / "out"
    args = [
        "--input_directory", directory, "--corpus", corpus_file, "--queries", squad_files["validation"],
        "--retriever", "hybrid", "--top_k_retrieval", TOP_K_RETRIEVAL, "--top_k", TOP_K,
        "--output_directory", output, *CPU,
    ]  # fmt: skip
    stdout = run_rerank(*args)
    assert "index (bm25): built" in stdout and "index: built" in stdout
    metrics = json.loads((output / "metrics.json").read_text(encoding="utf-8"))
    rows = ["BM25", "DPR", "hybrid", "DPR+CE", "BM25+CE", "BM25 & DPR+CE", "hybrid+CE"]
    assert list(metrics["stages"]) == rows
    assert all(f"| {name} |" in stdout for name in rows)
    # Questions repeat two rare words of their passage: BM25 finds it; the untrained bi-encoder does not.
    assert metrics["stages"]["BM25"]["top1"] >= 0.9
    assert metrics["stages"]["BM25"]["top1"] > metrics["stages"]["DPR"]["top1"]
    assert set(metrics["seconds"]) >= {"bm25_index", "bm25", "index", "retrieve", "fusion", "rerank"}

    records = read_jsonl(output / "predictions.jsonl")
    for record in records:
        reranked = ("retrieve+rerank", "bm25+rerank", "ensemble", "rerank")
        assert set(record) == {"id", "question", "gold_ids", "bm25", "retrieve", "hybrid", *reranked}
        bm25, dense, fused = (record[stage]["ids"] for stage in ("bm25", "retrieve", "hybrid"))
        assert len(bm25) == len(dense) == TOP_K_RETRIEVAL
        assert sorted(fused) == sorted(set(bm25) | set(dense))  # the union, each passage once
        assert record["hybrid"]["scores"] == sorted(record["hybrid"]["scores"], reverse=True)
        assert all(len(record[stage]["ids"]) == TOP_K for stage in reranked)
        assert set(record["rerank"]["ids"]) <= set(fused)
        # One cross-encoder pass over the union: each passage has one score in every reranked list.
        scores = {
            pid: s
            for stage in ("retrieve+rerank", "bm25+rerank", "rerank")
            for pid, s in zip(record[stage]["ids"], record[stage]["scores"])
        }
        for stage, candidates in (("retrieve+rerank", dense), ("bm25+rerank", bm25)):
            assert set(record[stage]["ids"]) <= set(candidates)
            assert record[stage]["scores"] == [scores[pid] for pid in record[stage]["ids"]]
            assert record[stage]["scores"] == sorted(record[stage]["scores"], reverse=True)
            in_union_order = [pid for pid in record["rerank"]["ids"] if pid in candidates]
            assert record[stage]["ids"][: len(in_union_order)] == in_union_order

    # A second run reuses both indexes; another n-gram size makes the BM25 index stale.
    stdout = run_rerank(*args, "--stages", "retrieve", "--fusion", "rrf")
    assert "index (bm25): reused the saved index" in stdout and "index: reused" in stdout
    capsys.readouterr()
    stdout = run_rerank(*args, "--stages", "retrieve", "--bm25_ngram", "3")
    assert "index (bm25): built" in stdout and "index: reused" in stdout
    assert "stale" in capsys.readouterr().err
    # The bi-encoder tokenizer's own tokens as BM25 terms: the passages' rare words are words of its vocabulary.
    stdout = run_rerank(*args, "--stages", "retrieve", "--bm25_tokenizer", "model")
    assert "index (bm25): built (12 passages, model terms)" in stdout
    metrics = json.loads((output / "metrics.json").read_text(encoding="utf-8"))
    assert metrics["stages"]["BM25"]["top1"] >= 0.9


def test_rerank_depth_limits_the_cross_encoder_to_each_lists_head(saved, corpus_file, squad_files, tmp_path, capsys):
    shutil.copytree(saved, tmp_path / "input")
    args = [
        "--input_directory", tmp_path / "input", "--corpus", corpus_file, "--queries", squad_files["validation"],
        "--top_k_retrieval", TOP_K_RETRIEVAL, "--top_k", 2, "--output_directory", tmp_path / "out", *CPU,
    ]  # fmt: skip
    run_rerank(*args, "--rerank_depth", 2)
    capsys.readouterr()
    for record in read_jsonl(tmp_path / "out" / "predictions.jsonl"):
        heads = set(record["bm25"]["ids"][:2]) | set(record["retrieve"]["ids"][:2])
        assert set(record["rerank"]["ids"]) <= heads
        assert set(record["retrieve+rerank"]["ids"]) == set(record["retrieve"]["ids"][:2])
    for depth in (1, TOP_K_RETRIEVAL + 1):
        assert run_cli(rerank.main, [str(a) for a in [*args, "--rerank_depth", depth]]) == 2
        error = capsys.readouterr().err.strip()
        assert error.startswith("error: --rerank_depth") and "\n" not in error


@pytest.mark.parametrize(
    ("flag", "value", "expected"),
    [
        ("--fusion_weight", "1.5", "a number in [0, 1]"),
        ("--bm25_ngram", "0", "a positive integer"),
        ("--retriever", "sparse", "invalid choice"),
        ("--bm25_tokenizer", "mecab", "invalid choice"),
    ],
)
def test_bad_bm25_or_fusion_flag_is_one_line(flag, value, expected, capsys):
    with pytest.raises(SystemExit) as exit_info:
        rerank.build_parser().parse_args([flag, value])
    assert exit_info.value.code == 2
    error = capsys.readouterr().err.strip()
    assert error.startswith("error:") and flag in error and expected in error and "\n" not in error


def test_bm25_retriever_needs_no_bi_encoder(saved, corpus_file, squad_files, tmp_path, capsys):
    empty = tmp_path / "empty"
    data = ["--corpus", corpus_file, "--queries", squad_files["validation"], "--retriever", "bm25", *CPU]
    run_rerank("--input_directory", empty, *data, "--stages", "retrieve", "--top_k_retrieval", TOP_K_RETRIEVAL)
    assert (empty / "index" / "bm25" / "meta.json").is_file() and not (empty / "index" / "dense").exists()
    metrics = json.loads((empty / "results" / "metrics.json").read_text(encoding="utf-8"))
    assert list(metrics["stages"]) == ["BM25"]
    records = read_jsonl(empty / "results" / "predictions.jsonl")
    assert all(set(record) == {"id", "question", "gold_ids", "bm25"} for record in records)

    # Reranking needs the cross-encoder only.
    assert run_cli(rerank.main, [str(arg) for arg in ["--input_directory", empty, *data]]) == 2
    assert "no cross_encoder/" in capsys.readouterr().err
    cross_only = tmp_path / "cross-only"
    shutil.copytree(saved / "cross_encoder", cross_only / "cross_encoder")
    run_rerank("--input_directory", cross_only, *data, "--top_k_retrieval", TOP_K_RETRIEVAL, "--top_k", TOP_K)
    metrics = json.loads((cross_only / "results" / "metrics.json").read_text(encoding="utf-8"))
    assert list(metrics["stages"]) == ["BM25", "BM25+CE"]
    records = read_jsonl(cross_only / "results" / "predictions.jsonl")
    assert all(set(record["rerank"]["ids"]) <= set(record["bm25"]["ids"]) for record in records)

    # The model tokenizer is the bi-encoder's: without bi_encoder/ there is none.
    assert run_cli(rerank.main, [str(a) for a in ["--input_directory", empty, *data, "--bm25_tokenizer", "model"]]) == 2
    assert "no bi_encoder/" in capsys.readouterr().err


def test_batched_search_scores_as_bm25s_does_query_by_query():
    passages = ENGLISH + KOREAN
    index = BM25Index.build(passages, "char-ngram")
    queries = ["the cat sat", "뒤마의 소설 삼총사", "the the the dog", "nothing known here: zzz", "소설"]
    scores, positions = index.search_positions(queries, len(passages))
    for row, tokens in enumerate(index.tokenizer(queries)):
        ids = index.retriever.get_tokens_ids(tokens)
        expected = index.retriever.get_scores_from_ids(ids) if ids else np.zeros(len(passages))
        np.testing.assert_allclose(scores[row], expected[positions[row]], rtol=1e-5, atol=1e-6)
        assert sorted(positions[row].tolist()) == list(range(len(passages)))


def test_top_k_breaks_ties_by_position_in_every_row():
    scores = np.array(
        [[0.0, 2.0, 1.0, 2.0, 0.0], [0.0, 0.0, 0.0, 0.0, 0.0], [5.0, 4.0, 3.0, 2.0, 1.0]], dtype=np.float32
    )
    assert top_k(scores, 3).tolist() == [[1, 3, 2], [0, 1, 2], [0, 1, 2]]
    assert top_k(scores, 10).shape == (3, 5)
    assert top_k(scores, 0).shape == (3, 0)
