"""What ``train.py --gradient_checkpointing`` saves: peak memory and time of a training step, with and without.

    .venv/bin/python bench/activation_memory.py [--batch_sizes 16,64] [--length 256] [--steps 3]

all-MiniLM-L6-v2 as the bi-encoder (two encoders, in-batch softmax over B questions x B passages) and as the
cross-encoder (B pairs, one logit each), on random token ids of ``--length`` tokens (questions 64), fp32 on the
CPU. Each (model, batch size, checkpointing) runs in its own process: it builds the model and an AdamW optimizer,
takes one warm-up step, resets the peak resident set (``/proc/self/clear_refs``), then times ``--steps`` steps
(forward, loss, backward, optimizer step). "peak above start" is the peak resident set during the timed steps
minus the resident set before them: activations, gradients and the optimizer's transient buffers.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

import common

NAME = "activation_memory"


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--batch_sizes", default="16,64")
    parser.add_argument("--length", type=int, default=256)
    parser.add_argument("--steps", type=int, default=3)
    parser.add_argument("--worker", nargs=3, help=argparse.SUPPRESS)  # model, batch size, checkpointing 0/1
    return parser.parse_args()


def memory() -> dict[str, int]:
    values = {}
    for line in Path("/proc/self/status").read_text(encoding="utf-8").splitlines():
        key, _, rest = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            values[key] = int(rest.split()[0]) * 1024
    return values


def worker(kind: str, batch: int, checkpointing: bool, args: argparse.Namespace) -> dict:
    import torch

    from encoders.bi_encoder import BiEncoder
    from encoders.cross_encoder import CrossEncoder
    from encoders.losses import in_batch_negatives_loss, local_contrastive_loss
    from encoders.settings import BiEncoderSettings, EncoderSettings

    common.setup_threads()
    torch.manual_seed(0)
    path = common.model_path()
    model = BiEncoder.build(path, BiEncoderSettings()) if kind == "bi" else CrossEncoder.build(path, EncoderSettings())
    module = model if kind == "bi" else model.model
    if checkpointing:
        module.activation_checkpointing_enable()
    module.train()
    optimizer = torch.optim.AdamW(module.parameters(), lr=1e-5)
    vocabulary = module.config.vocab_size if kind == "cross" else model.question_model.config.vocab_size

    def inputs(rows: int, length: int) -> dict:
        ids = torch.randint(1000, vocabulary, (rows, length))
        return {"input_ids": ids, "attention_mask": torch.ones_like(ids)}

    def step() -> None:
        if kind == "bi":
            questions, passages = model(inputs(batch, 64), inputs(batch, args.length))
            loss = in_batch_negatives_loss(questions, passages, torch.arange(batch))
        else:
            logits = module(**inputs(batch, args.length)).logits[:, 0]
            loss = local_contrastive_loss(logits.view(-1, 4) if batch % 4 == 0 else logits.view(1, -1))
        loss.backward()
        optimizer.step()
        optimizer.zero_grad(set_to_none=True)

    step()
    Path("/proc/self/clear_refs").write_text("5", encoding="ascii")
    before = memory()
    start = time.perf_counter()
    for _ in range(args.steps):
        step()
    seconds = (time.perf_counter() - start) / args.steps
    return {"peak_above_start": memory()["VmHWM"] - before["VmRSS"], "seconds_per_step": seconds}


def main() -> None:
    args = parse_args()
    if args.worker:
        kind, batch, checkpointing = args.worker
        print(json.dumps(worker(kind, int(batch), checkpointing == "1", args)))
        return
    rows, entries = [], []
    for kind in ("bi", "cross"):
        for batch in (int(value) for value in args.batch_sizes.split(",")):
            measured = {}
            for checkpointing in ("0", "1"):
                command = [sys.executable, __file__, "--worker", kind, str(batch), checkpointing]
                command += ["--length", str(args.length), "--steps", str(args.steps)]
                output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
                measured[checkpointing] = json.loads(output.strip().splitlines()[-1])
                entries.append({"model": kind, "batch": batch, "checkpointing": checkpointing == "1",
                                **measured[checkpointing]})  # fmt: skip
            plain, saved = measured["0"], measured["1"]
            rows.append([
                "bi-encoder" if kind == "bi" else "cross-encoder",
                batch,
                f"{plain['peak_above_start'] / 2**20:,.0f}",
                f"{saved['peak_above_start'] / 2**20:,.0f}",
                common.ratio(plain["peak_above_start"], saved["peak_above_start"]),
                f"{plain['seconds_per_step']:.2f}",
                f"{saved['seconds_per_step']:.2f}",
                common.ratio(saved["seconds_per_step"], plain["seconds_per_step"]),
            ])  # fmt: skip
            print(rows[-1], flush=True)
    headers = ["model", "batch", "peak MiB", "peak MiB, checkpointed", "memory saved", "s/step", "s/step, "
               "checkpointed", "time cost"]  # fmt: skip
    info = common.machine()
    lines = [
        f"all-MiniLM-L6-v2, {args.length}-token passages (questions 64), fp32, {args.steps} timed steps after one "
        "warm-up (bench/activation_memory.py)",
        "",
        common.markdown_table(headers, rows),
        "",
        common.machine_line(info),
    ]
    (common.RESULTS / NAME).mkdir(parents=True, exist_ok=True)
    common.print_and_save(lines, common.RESULTS / NAME / "table.md")
    common.finish(f"{NAME}/results", {"arguments": vars(args), "machine": info, "entries": entries})


if __name__ == "__main__":
    main()
