"""Cross-encoder reranking throughput on (question, paragraph) pairs of a QA set, and whether the rankings agree.

Methods, all on the same pairs, the same weights, the same batch size (64) and the same truncation (pairs cut at
``--max_length`` tokens, the question to a quarter of them): the cross-encoder ``bench/qa_benchmark.py`` trains from
all-MiniLM-L6-v2 on the set (``--name``, KorQuAD by default; trained first when missing), so that score
differences are measured against a real score spread (a fresh head's spread is below the quantization error):

- project fp32 / bf16: ``CrossEncoder.score`` (length-sorted batches of 64, dynamic padding,
  ``inference_mode``); ``--precision auto`` resolves to bf16 on a CPU with AVX-512 BF16/AMX, which
  ``rerank.py`` runs with the weights cast to bf16 (``CrossEncoder.prepare``); bf16 autocast over
  fp32 weights (what validation during training uses) is shown beside it;
- project onnx / openvino: ``rerank.py --backend onnx|openvino``, the model exported once to ONNX
  (``encoders/exported_graphs.py``) and run by ONNX Runtime (fp32) or OpenVINO (fp32, or bf16 where auto is bf16)
  in the project's batches;
- ONNX Runtime int8 dynamic, per tensor and per channel: probes of ``onnxruntime.quantization.quantize_dynamic``
  over that export (int8 weights, activations quantized per batch), not offered by ``rerank.py`` unless they keep
  the ranking;
- project int8 dynamic: a probe of ``torch.ao.quantization.quantize_dynamic`` on every linear layer
  (int8 weights, activations quantized per batch; VNNI on this CPU), not offered by ``rerank.py``;
- sentence-transformers: ``CrossEncoder(dir, max_length=256).predict(pairs, batch_size=64)`` with an
  identity activation, so it returns raw logits like the others, its questions cut as the project cuts them; and
  the same with its weights cast to bf16 where the project shows bf16;
- seed: one pair per forward pass, padded to the maximum length, ``torch.no_grad()``, fp32.

Agreement is measured against project fp32: Spearman correlation of all scores and the mean overlap
of each question's top 5 candidates.

    .venv/bin/python bench/rerank_throughput.py [--name korquad|xquad] [--questions 8] [--candidates 16] [--repeats 5]
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

import common
import numpy as np

NAME = "rerank_throughput"
REFERENCE = "sentence-transformers"  # speed-ups are against this one
AGREEMENT_REFERENCE = "project fp32"


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--name", choices=sorted(common.QA_SETS), default="korquad", help="the QA set")
    parser.add_argument("--questions", type=int, default=8)
    parser.add_argument("--candidates", type=int, default=16, help="per question: the gold paragraph + random ones")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--max_length", type=int, default=256)
    parser.add_argument("--top", type=int, default=5, help="top-k whose overlap is reported")
    parser.add_argument("--seed", type=int, default=0)
    return parser.parse_args()


def sample_pairs(data, questions: int, candidates: int, seed: int) -> tuple[list[str], list[str]]:
    """``questions`` random questions x (gold paragraph + ``candidates - 1`` random other paragraphs)."""
    rng = np.random.default_rng(seed)
    corpus = data.corpus
    answerable = [q for q in data.questions if q.gold_ids]
    query_texts, passage_texts = [], []
    for index in rng.choice(len(answerable), size=questions, replace=False):
        question = answerable[index]
        gold = {corpus.position(g) for g in question.gold_ids}
        others = [int(j) for j in rng.permutation(len(corpus)) if int(j) not in gold][: candidates - 1]
        for position in [min(gold), *others]:
            query_texts.append(question.text)
            passage_texts.append(corpus.passages[position].text)
    return query_texts, passage_texts


def top_overlap(scores: np.ndarray, reference: np.ndarray, group: int, top: int) -> float:
    """Mean over questions of |top-k by ``scores`` & top-k by ``reference``| / k."""
    overlaps = []
    for start in range(0, len(scores), group):
        mine = set(np.argsort(-scores[start : start + group], kind="stable")[:top].tolist())
        theirs = set(np.argsort(-reference[start : start + group], kind="stable")[:top].tolist())
        overlaps.append(len(mine & theirs) / top)
    return float(np.mean(overlaps))


def exported_scorers(directory: Path, auto: str) -> dict[str, tuple[str, object]]:
    """name -> (precision, scorer): ``rerank.py --backend onnx`` and ``openvino`` on the cross-encoder in
    ``directory`` (``common.exported_backends``), and int8 probes over its ONNX export."""
    from encoders import exported_graphs, onnx_backend
    from encoders.cross_encoder import CrossEncoder
    from runtime import Runtime

    scorers = common.exported_backends(directory, "cross", auto)
    graph = directory / exported_graphs.EXPORT_DIRECTORY / "cross.onnx"
    if not graph.is_file():
        return scorers
    from onnxruntime.quantization import QuantType, quantize_dynamic

    for per_channel in (False, True):
        kind = "channel" if per_channel else "tensor"
        target = graph.with_name(f"int8-{kind}.onnx")
        quantize_dynamic(str(graph), str(target), weight_type=QuantType.QInt8, per_channel=per_channel)
        run = onnx_backend.open_session(target, Runtime(batch_size=64))
        scorers[f"ONNX Runtime int8 dynamic per {kind} (probe)"] = (
            "int8",
            exported_graphs.ExportedCrossEncoder(CrossEncoder.load(directory), run),
        )
    return scorers


def main() -> None:
    args = parse_args()
    data = common.load_qa_set(args.name)
    path = common.model_path()

    import torch
    import transformers
    from scipy.stats import spearmanr
    from sentence_transformers import CrossEncoder as STCrossEncoder
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    from encoders.cross_encoder import CrossEncoder
    from runtime import Runtime, resolve_precision

    transformers.logging.set_verbosity_error()  # "newly initialized classifier weights" is intended here
    transformers.utils.logging.disable_progress_bar()
    threads = common.setup_threads()
    info = common.machine()
    auto = resolve_precision("auto", torch.device("cpu"))
    questions, passages = sample_pairs(data, args.questions, args.candidates, args.seed)
    pairs = len(questions)

    with tempfile.TemporaryDirectory(prefix="bench-cross-") as temp:
        directory = Path(temp) / "cross_encoder"
        trained = CrossEncoder.load(common.trained_encoders(args.name) / "cross_encoder")
        trained.settings = common.pair_settings(args.max_length)  # the benchmark's lengths, not the training's
        note = f"benchmark copy of the trained {args.name} cross-encoder"
        trained.save(directory, {"base_model": path, "note": note})

        project = CrossEncoder.load(directory)
        # Every method gets the questions cut to the pair's question budget, as rerank.py cuts them (reranking.py):
        # CrossEncoder.score itself only truncates the pair longest-first.
        questions = project.truncate_questions(questions)
        project_cast = CrossEncoder.load(directory).prepare(Runtime(precision=auto))  # what rerank.py runs
        project_int8 = CrossEncoder.load(directory)  # a probe: not offered by the CLIs unless it pays
        project_int8.model = torch.ao.quantization.quantize_dynamic(project_int8.model, {torch.nn.Linear}, torch.qint8)
        st_model = STCrossEncoder(str(directory), max_length=args.max_length, device="cpu")
        st_bf16 = STCrossEncoder(str(directory), max_length=args.max_length, device="cpu").to(torch.bfloat16)
        seed_tokenizer = AutoTokenizer.from_pretrained(str(directory))
        seed_model = AutoModelForSequenceClassification.from_pretrained(str(directory)).eval()
        exported = exported_scorers(directory, auto)  # they hold their graphs in memory once made

    lengths = [len(ids) for ids in project.tokenizer(questions, passages, truncation=False)["input_ids"]]
    truncated = [min(n, args.max_length) for n in lengths]

    def project_score(precision: str, encoder=project):
        """Autocast in ``precision`` over the encoder's weights as they are (``project_cast``'s are cast)."""
        runtime = Runtime(precision=precision, batch_size=64)
        return lambda: encoder.prepare(runtime, cast_weights=False).score(questions, passages)

    def score_with(scorer):
        return lambda: lambda: scorer.score(questions, passages)

    def st_predict(model=st_model):
        return lambda: model.predict(
            list(zip(questions, passages)), batch_size=64, activation_fn=torch.nn.Identity(), show_progress_bar=False
        )

    def seed_score():
        def run() -> np.ndarray:
            scores = np.empty(pairs, dtype=np.float32)
            with torch.no_grad():
                for i in range(pairs):
                    inputs = seed_tokenizer(
                        questions[i],
                        passages[i],
                        padding="max_length",
                        truncation=True,
                        max_length=args.max_length,
                        return_tensors="pt",
                    )
                    scores[i] = seed_model(**inputs).logits[0, 0].item()
            return scores

        return run

    specs = {  # name -> (batch size, precision, factory)
        "project fp32": (64, "fp32", lambda: project_score("fp32")),
        f"project {auto} autocast": (64, auto, lambda: project_score(auto)),
        f"project {auto} weights (rerank.py)": (64, auto, lambda: project_score(auto, project_cast)),
        "project int8 dynamic (probe)": (64, "int8", lambda: project_score("fp32", project_int8)),
        **{name: (64, precision, score_with(scorer)) for name, (precision, scorer) in exported.items()},
        REFERENCE: (64, "fp32", st_predict),
        f"{REFERENCE} {auto} weights": (64, auto, lambda: st_predict(st_bf16)),
        "seed (1 pair/pass, padded)": (1, "fp32", seed_score),
    }
    if auto == "fp32":  # a CPU without native bf16: auto is fp32, and bf16 would fall back to it
        specs.pop(f"project {auto} autocast")
        specs.pop(f"project {auto} weights (rerank.py)")
        specs.pop(f"{REFERENCE} {auto} weights")

    sizes = (
        f"{args.questions} questions x {args.candidates} candidates (gold + random, seed {args.seed}) = {pairs} pairs; "
        f"max length {args.max_length}; pair length mean {np.mean(truncated):.0f} tokens after truncation, "
        f"{np.mean(np.asarray(lengths) > args.max_length):.0%} of pairs truncated; "
        f"{args.repeats} interleaved repeats after 1 untimed warm-up round on the same pairs; torch threads {threads}; "
        f"precision auto -> {auto}"
    )
    print(f"Sizes: {sizes}")
    results = common.run_interleaved(
        {name: factory() for name, (_, _, factory) in specs.items()},
        args.repeats,
        warmup_rounds=1,
    )

    reference_scores = np.asarray(results[AGREEMENT_REFERENCE]["value"], dtype=np.float64)
    reference_rate = pairs / results[REFERENCE]["median"]
    rows, records = [], {}
    for name, (batch, precision, _) in specs.items():
        entry = results[name]
        scores = np.asarray(entry["value"], dtype=np.float64)
        spearman = float(spearmanr(scores, reference_scores).statistic)
        overlap = top_overlap(scores, reference_scores, args.candidates, args.top)
        max_diff = float(np.max(np.abs(scores - reference_scores)))
        cells, record = common.timing_cells(entry, pairs, reference_rate)
        rows.append([name, batch, precision, *cells, f"{spearman:.4f}", f"{overlap:.3f}", f"{max_diff:.2e}"])
        records[name] = {
            "batch_size": batch,
            "precision": precision,
            **record,
            "spearman_vs_project_fp32": spearman,
            f"top{args.top}_overlap_vs_project_fp32": overlap,
            "max_abs_score_diff_vs_project_fp32": max_diff,
        }

    headers = ["method", "batch", "precision", *common.TIMING_HEADERS, "pairs/s", f"vs {REFERENCE}",
               "Spearman vs fp32", f"top-{args.top} overlap", "max abs Δscore"]  # fmt: skip
    spread = float(np.std(reference_scores))
    print(f"\n(score spread of project fp32: std {spread:.3g}, the trained cross-encoder's)")
    sizes_json = {
        "questions": args.questions,
        "candidates": args.candidates,
        "pairs": pairs,
        "max_length": args.max_length,
        "repeats": args.repeats,
        "seed": args.seed,
        "mean_pair_tokens_truncated": float(np.mean(truncated)),
        "fraction_truncated": float(np.mean(np.asarray(lengths) > args.max_length)),
        "torch_threads": threads,
        "auto_precision": auto,
    }
    payload = {"sizes": sizes_json, "reference_for_speedup": REFERENCE, "reference_for_agreement": AGREEMENT_REFERENCE}
    common.report(NAME, info, sizes, headers, rows, {**payload, "reference_score_std": spread, "methods": records})


if __name__ == "__main__":
    main()
