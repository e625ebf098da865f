"""rerank.py's topk.png: top-k accuracy against k, one line per stage, written beside metrics.json."""

from __future__ import annotations

from outputs import topk_figure


def test_one_line_per_stage_through_its_top_k_values():
    stages = {
        "BM25": {"top1": 0.5, "top5": 0.75, "top20": 0.9, "mrr@10": 0.6, "answer_top5": 0.8},
        "hybrid+CE": {"top1": 0.7, "top5": 0.85, "top20": 0.95, "ndcg@10": 0.8},
    }
    lines = topk_figure(stages).axes[0].get_lines()
    assert [line.get_label() for line in lines] == ["BM25", "hybrid+CE"]
    assert [list(line.get_xdata()) for line in lines] == [[1, 5, 20]] * 2  # top-k only, not answer_top5 or MRR
    assert [list(line.get_ydata()) for line in lines] == [[0.5, 0.75, 0.9], [0.7, 0.85, 0.95]]
