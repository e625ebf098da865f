"""How close the reranker comes to what this CPU can do: matmul throughput per precision, the model's FLOPs per
pair, and the fraction of the matmul bound that ``CrossEncoder.score`` reaches.

1. Matmul GFLOP/s of the CPU in fp32 and bf16 on the shapes a BERT layer multiplies at the benchmark's
   sizes (tokens x hidden by hidden x 3*hidden for Q/K/V, hidden x intermediate and back for the FFN).
2. FLOPs per (question, passage) pair from the model config and the pairs' real token count L:
   per layer ``2*L*(4*h*h + 2*h*i) + 4*L*L*h`` (projections, feed-forward, attention scores and mixing),
   times the number of layers; embeddings, softmax and layer norms are left out (small).
3. The project's reranker (the same pairs and scoring call as ``rerank_throughput.py``, bf16 with the
   weights cast as ``rerank.py`` does) in every precision it offers: pairs/s, achieved GFLOP/s, and that
   as a share of the same precision's matmul throughput (the bound: a model can hardly run faster than
   its matmuls alone).

    .venv/bin/python bench/machine_limit.py [--repeats 5]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import common
import numpy as np
from rerank_throughput import sample_pairs

NAME = "machine_limit"


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--questions", type=int, default=8)
    parser.add_argument("--candidates", type=int, default=16)
    parser.add_argument("--max_length", type=int, default=256)
    parser.add_argument("--batch_size", type=int, default=64)
    return parser.parse_args()


def matmul_gflops(shapes: list[tuple[int, int, int]], dtype, repeats: int) -> dict[str, float]:
    """GFLOP/s of ``a @ b`` per (m, k, n) shape, the median of ``repeats`` timings after a warm-up."""
    import torch

    results = {}
    for m, k, n in shapes:
        a, b = torch.randn(m, k, dtype=dtype), torch.randn(k, n, dtype=dtype)
        calls = max(1, int(2e10 / (2 * m * k * n)))  # about 20 GFLOP per timing
        with torch.inference_mode():
            a @ b
            times = []
            for _ in range(repeats):
                start = time.perf_counter()
                for _ in range(calls):
                    a @ b
                times.append((time.perf_counter() - start) / calls)
        results[f"{m}x{k}x{n}"] = 2 * m * k * n / float(np.median(times)) / 1e9
    return results


def flops_per_pair(config, length: float) -> float:
    h, i, layers = config.hidden_size, config.intermediate_size, config.num_hidden_layers
    return layers * (2 * length * (4 * h * h + 2 * h * i) + 4 * length * length * h)


def main() -> None:
    args = parse_args()
    data = common.load_korquad()
    path = common.model_path()

    import torch
    import transformers

    from encoders.cross_encoder import CrossEncoder
    from runtime import Runtime, cpu_has_bf16

    transformers.logging.set_verbosity_error()
    threads = common.setup_threads()
    info = common.machine()
    questions, passages = sample_pairs(data, args.questions, args.candidates, 0)
    with tempfile.TemporaryDirectory(prefix="bench-limit-") as temp:
        torch.manual_seed(0)
        pair_length = common.pair_settings(args.max_length)
        CrossEncoder.build(path, pair_length).save(Path(temp) / "ce", {"base_model": path})
        # what rerank.py runs in each precision: bf16 on this CPU means weights cast by ``prepare``
        encoders = {
            name: CrossEncoder.load(Path(temp) / "ce").prepare(Runtime(torch.device("cpu"), name, args.batch_size))
            for name in ("fp32", "bf16")
        }
    encoder = encoders["fp32"]
    config = encoder.model.config
    lengths = [len(ids) for ids in encoder.tokenizer(questions, passages, truncation=True,
                                                     max_length=args.max_length)["input_ids"]]  # fmt: skip
    length = float(np.mean(lengths))
    tokens = args.batch_size * int(round(length))
    h, i = config.hidden_size, config.intermediate_size
    shapes = [(tokens, h, 3 * h), (tokens, h, i), (tokens, i, h)]
    precisions = {"fp32": torch.float32, **({"bf16": torch.bfloat16} if cpu_has_bf16() else {})}

    flops = flops_per_pair(config, length)
    rows, records = [], {}
    for name, dtype in precisions.items():
        per_shape = matmul_gflops(shapes, dtype, args.repeats)
        bound = float(np.mean(list(per_shape.values())))
        timed = common.run_interleaved(
            {name: lambda p=name: encoders[p].score(questions, passages)},
            args.repeats,
        )
        rate = len(questions) / timed[name]["median"]
        achieved = rate * flops / 1e9
        records[name] = {"matmul_gflops": per_shape, "bound_gflops": bound, "pairs_per_s": rate,
                         "achieved_gflops": achieved, "fraction_of_bound": achieved / bound}  # fmt: skip
        rows.append([name, " / ".join(f"{v:.0f}" for v in per_shape.values()), f"{bound:.0f}", f"{rate:.1f}",
                     f"{achieved:.0f}", f"{achieved / bound:.0%}", f"{bound * 1e9 / flops:.1f}"])  # fmt: skip
    headers = ["precision", "matmul GFLOP/s (QKV / FFN up / FFN down)", "bound GFLOP/s", "rerank pairs/s",
               "achieved GFLOP/s", "share of bound", "pairs/s at the bound"]  # fmt: skip
    print()
    print(common.machine_line(info))
    print(f"Sizes: {len(questions)} KorQuAD pairs, mean {length:.0f} tokens (max {args.max_length}), batch "
          f"{args.batch_size}, {flops / 1e9:.2f} GFLOP per pair ({config.num_hidden_layers} layers, hidden {h}, "
          f"intermediate {i}); matmul shapes for {tokens} tokens; torch threads {threads}")  # fmt: skip
    print()
    print(common.markdown_table(headers, rows))
    common.finish(NAME, {"benchmark": NAME, "machine": info, "gflop_per_pair": flops / 1e9, "mean_tokens": length,
                         "precisions": records})  # fmt: skip


if __name__ == "__main__":
    main()
