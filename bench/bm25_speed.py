"""BM25 index and query time on the KorQuAD paragraphs: this project (``retrieval.bm25.BM25Index`` on bm25s) vs
``rank_bm25.BM25Okapi``.

Both get the same terms (character bigrams within words, the project's default ``--bm25_tokenizer``),
and both times include tokenizing (the passages for the index, the questions for the queries). Each
query returns the top 100 passages. Reported: passages indexed per second, queries per second, the
ratio against rank_bm25, and what they retrieve (top-1/top-5 accuracy against the gold paragraph and the
overlap of their top 10: bm25s scores with Lucene's idf, rank_bm25 with Okapi's, so they differ a little).

    .venv/bin/python bench/bm25_speed.py [--repeats 3] [--queries 2000]
"""

from __future__ import annotations

import argparse

import common
import numpy as np

NAME = "bm25_speed"
K = 100


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--queries", type=int, default=2000, help="KorQuAD questions timed (rank_bm25 is slow)")
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    data = common.load_korquad()
    from rank_bm25 import BM25Okapi

    from retrieval.bm25 import BM25Index
    from retrieval.bm25_tokenizers import CharNgramTokenizer

    info = common.machine()
    tokenizer = CharNgramTokenizer(2)
    texts = data.corpus.texts
    questions = [q for q in data.questions if q.gold_ids][: args.queries]
    query_texts = [q.text for q in questions]
    golds = [{data.corpus.position(g) for g in q.gold_ids} for q in questions]

    def project_query(index: BM25Index):
        return lambda: index.search_positions(query_texts, K)[1]

    def rank_bm25_query(index: BM25Okapi):
        def run() -> np.ndarray:
            rows = []
            for tokens in tokenizer(query_texts):
                scores = index.get_scores(tokens)
                top = np.argpartition(-scores, K - 1)[:K]
                rows.append(top[np.argsort(-scores[top], kind="stable")])
            return np.asarray(rows)

        return run

    print("index:")
    built = common.run_interleaved(
        {"project (bm25s)": lambda: BM25Index.build(texts, tokenizer=tokenizer),
         "rank_bm25": lambda: BM25Okapi(tokenizer(texts))},
        args.repeats,
    )  # fmt: skip
    print("queries:")
    queried = common.run_interleaved(
        {"project (bm25s)": project_query(built["project (bm25s)"]["value"]),
         "rank_bm25": rank_bm25_query(built["rank_bm25"]["value"])},
        args.repeats,
    )  # fmt: skip

    def accuracy(rankings: np.ndarray, k: int) -> float:
        return float(np.mean([bool(set(row[:k].tolist()) & gold) for row, gold in zip(rankings, golds)]))

    reference = queried["rank_bm25"]["value"]
    rows, records = [], {}
    for name in ("project (bm25s)", "rank_bm25"):
        index_s, query_s = built[name]["median"], queried[name]["median"]
        rankings = queried[name]["value"]
        overlap = float(np.mean([len(set(a[:10]) & set(b[:10])) / 10 for a, b in zip(rankings, reference)]))
        record = {
            "index_s": index_s, "passages_per_s": len(texts) / index_s, "query_s": query_s,
            "queries_per_s": len(query_texts) / query_s, "top1": accuracy(rankings, 1), "top5": accuracy(rankings, 5),
            "top10_overlap_vs_rank_bm25": overlap,
        }  # fmt: skip
        records[name] = record
        rows.append([name, f"{index_s:.2f}", f"{record['passages_per_s']:.0f}", f"{query_s:.2f}",
                     f"{record['queries_per_s']:.0f}", f"{record['top1']:.3f}", f"{record['top5']:.3f}",
                     f"{overlap:.3f}"])  # fmt: skip
    speedup = {
        "index": built["rank_bm25"]["median"] / built["project (bm25s)"]["median"],
        "query": queried["rank_bm25"]["median"] / queried["project (bm25s)"]["median"],
    }
    headers = ["method", "index s", "passages/s", "query s", "queries/s", "top-1", "top-5", "top-10 overlap"]
    print()
    print(common.machine_line(info))
    print(f"Sizes: {len(texts)} KorQuAD paragraphs, {len(query_texts)} questions, top {K}, char bigram terms; "
          f"{args.repeats} interleaved repeats after 1 warm-up")  # fmt: skip
    print()
    print(common.markdown_table(headers, rows))
    print(f"\nproject vs rank_bm25: index {speedup['index']:.1f}x, queries {speedup['query']:.1f}x faster")
    common.finish(NAME, {"benchmark": NAME, "machine": info, "methods": records, "speedup": speedup})


if __name__ == "__main__":
    main()
