"""Hold out a share of the demo's training articles: the questions train.py tunes rerank.py's weights on.

The demo reports on ``demo/validation.json``; weights tuned on those same questions would flatter its table,
so they are tuned on training articles that the encoders never train on instead.

    python demo/hold_out.py OUTPUT_DIRECTORY   # writes train.json and tuning.json there
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

DEMO = Path(__file__).resolve().parent
sys.path.insert(0, str(DEMO.parent / "bench"))

from qa_split import split_articles  # noqa: E402

SHARE, SEED = 0.15, 7


def main(output: Path) -> None:
    articles = json.loads((DEMO / "train.json").read_text(encoding="utf-8"))["data"]
    train, held_out = split_articles(articles, SHARE, SEED)
    output.mkdir(parents=True, exist_ok=True)
    for name, part in (("train.json", train), ("tuning.json", held_out)):
        (output / name).write_text(json.dumps({"data": part}, ensure_ascii=False), encoding="utf-8")
    questions = [sum(len(p["qas"]) for a in part for p in a["paragraphs"]) for part in (train, held_out)]
    print(f"demo: {questions[0]} training questions, {questions[1]} held out for the tuned weights, in {output}")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
