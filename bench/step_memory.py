"""Peak memory and time of one training step: plain, ``--gradient_checkpointing``, ``--lora_r`` and (bi-encoder)
``--grad_cache``.

    .venv/bin/python bench/step_memory.py [--batch_sizes 16,64,256] [--plain_max 64] [--length 256] [--steps 2]
                                          [--modes plain,lora] [--lora_r 16]

all-MiniLM-L6-v2 as the bi-encoder (two encoders, in-batch softmax over B questions x B passages) and as the
cross-encoder (B pairs, one logit each), on random token ids of ``--length`` tokens (questions 64), fp32 on the
CPU. Each (model, batch size, mode) runs in its own process: it builds the model and an AdamW optimizer, takes one
warm-up step, resets the peak resident set (``/proc/self/clear_refs``), then times ``--steps`` steps (forward,
loss, backward, optimizer step). "peak above start" is the peak resident set during the timed steps minus the
resident set before them: activations, gradients and the optimizer's transient buffers; "state" is the resident set
before them minus that before the model was built: weights, the optimizer's moments and what the warm-up step left
allocated (activations the allocator keeps included); "total peak" is the peak during the timed steps minus the
resident set before the model was built: what the step needs in all. GradCache embeds ``--chunk_size`` texts at a
time (``training/grad_cache.py``, as ``train.py --grad_cache`` does). Above ``--plain_max`` questions only
GradCache runs (the plain batch would not fit the machine's memory). LoRA adapts peft's default layers (query and
value) at rank ``--lora_r``, alpha twice that (``training/adapters.py``, as ``train.py --lora_r`` does); its
optimizer holds only the adapters (and the cross-encoder's fresh head).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time

import common

NAME = "step_memory"
MODES = {"bi": ("plain", "checkpointing", "lora", "grad cache"), "cross": ("plain", "checkpointing", "lora")}


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--batch_sizes", default="16,64,256")
    parser.add_argument("--plain_max", type=int, default=64, help="above this batch, only GradCache runs")
    parser.add_argument("--chunk_size", type=int, default=16, help="GradCache: texts per forward pass")
    parser.add_argument("--length", type=int, default=256)
    parser.add_argument("--steps", type=int, default=2)
    parser.add_argument("--modes", default=None, help="comma-separated modes to run (default: all)")
    parser.add_argument("--lora_r", type=int, default=16, help="rank of the LoRA mode")
    parser.add_argument("--worker", nargs=3, help=argparse.SUPPRESS)  # model, batch size, mode
    return parser.parse_args()


def worker(kind: str, batch: int, mode: str, args: argparse.Namespace) -> dict:
    import torch

    from encoders.bi_encoder import BiEncoder
    from encoders.cross_encoder import CrossEncoder
    from encoders.losses import in_batch_negatives_loss, local_contrastive_loss
    from encoders.settings import BiEncoderSettings, EncoderSettings
    from training.adapters import LoraSettings, add_lora
    from training.grad_cache import GradCache
    from training.trainer import BiEncoderLoss

    common.setup_threads()
    empty = common.memory_status()["VmRSS"]
    torch.manual_seed(0)
    path = common.model_path()
    model = BiEncoder.build(path, BiEncoderSettings()) if kind == "bi" else CrossEncoder.build(path, EncoderSettings())
    module = model if kind == "bi" else model.model
    if mode == "checkpointing":
        module.activation_checkpointing_enable()
    if mode == "lora":
        models = [model.question_model, model.passage_encoder] if kind == "bi" else [module]
        add_lora(models, LoraSettings(args.lora_r, 2.0 * args.lora_r))
    module.train()
    optimizer = torch.optim.AdamW([p for p in module.parameters() if p.requires_grad], lr=1e-5)
    vocabulary = module.config.vocab_size if kind == "cross" else model.question_model.config.vocab_size

    def inputs(rows: int, length: int) -> dict:
        ids = torch.randint(1000, vocabulary, (rows, length))
        return {"input_ids": ids, "attention_mask": torch.ones_like(ids)}

    def step() -> None:
        if mode == "grad cache":
            batch_inputs = {"question_inputs": inputs(batch, 64), "passage_inputs": inputs(batch, args.length)}
            batch_inputs.update(targets=torch.arange(batch), ignore_mask=None)
            GradCache(BiEncoderLoss(in_batch_negatives_loss), args.chunk_size).step(
                model, batch_inputs, torch.Tensor.backward
            )
        elif kind == "bi":
            questions, passages = model(inputs(batch, 64), inputs(batch, args.length))
            in_batch_negatives_loss(questions, passages, torch.arange(batch)).backward()
        else:
            logits = module(**inputs(batch, args.length)).logits[:, 0]
            local_contrastive_loss(logits.view(-1, 4) if batch % 4 == 0 else logits.view(1, -1)).backward()
        optimizer.step()
        optimizer.zero_grad(set_to_none=True)

    step()
    common.reset_peak()
    before = common.memory_status()
    start = time.perf_counter()
    for _ in range(args.steps):
        step()
    seconds = (time.perf_counter() - start) / args.steps
    peak = common.memory_status()["VmHWM"]
    return {
        "state": before["VmRSS"] - empty,
        "peak_above_start": peak - before["VmRSS"],
        "total_peak": peak - empty,
        "seconds_per_step": seconds,
    }


def main() -> None:
    args = parse_args()
    if args.worker:
        kind, batch, mode = args.worker
        print(json.dumps(worker(kind, int(batch), mode, args)))
        return
    rows, entries = [], []
    details = {"grad cache": f" (chunks of {args.chunk_size})", "lora": f" (r={args.lora_r})"}
    for kind, modes in MODES.items():
        for batch in (int(value) for value in args.batch_sizes.split(",")):
            plain = None
            for mode in modes:
                if mode != "grad cache" and batch > args.plain_max or args.modes and mode not in args.modes.split(","):
                    continue
                command = [sys.executable, __file__, "--worker", kind, str(batch), mode, "--length", str(args.length)]
                command += ["--steps", str(args.steps), "--chunk_size", str(args.chunk_size)]
                command += ["--lora_r", str(args.lora_r)]
                output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
                measured = json.loads(output.strip().splitlines()[-1])
                entries.append({"model": kind, "batch": batch, "mode": mode, **measured})
                plain = plain or (measured if mode == "plain" else None)
                rows.append([
                    "bi-encoder" if kind == "bi" else "cross-encoder",
                    batch,
                    mode + details.get(mode, ""),
                    f"{measured['state'] / 2**20:,.0f}",
                    f"{measured['peak_above_start'] / 2**20:,.0f}",
                    common.ratio(measured["peak_above_start"], plain["peak_above_start"]) if plain else "-",
                    f"{measured['seconds_per_step']:.2f}",
                    common.ratio(measured["seconds_per_step"], plain["seconds_per_step"]) if plain else "-",
                    f"{measured['total_peak'] / 2**20:,.0f}",
                    common.ratio(measured["total_peak"], plain["total_peak"]) if plain else "-",
                ])  # fmt: skip
                print(rows[-1], flush=True)
    headers = ["model", "batch", "mode", "state MiB", "peak MiB above start", "memory vs plain", "s / step"]
    headers += ["time vs plain", "total peak MiB", "total vs plain"]
    caption = (
        f"all-MiniLM-L6-v2, {args.length}-token passages (questions 64), fp32, {args.steps} timed steps after one "
        f"warm-up; plain above {args.plain_max} questions not run (bench/step_memory.py)"
    )
    table = common.markdown_table(headers, rows, left=3)
    common.save_report(NAME, caption, table, common.machine(), {"arguments": vars(args), "entries": entries})


if __name__ == "__main__":
    main()
