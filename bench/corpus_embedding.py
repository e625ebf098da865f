"""Passage embedding throughput on a QA set's paragraphs (``--name``, KorQuAD by default), and whether the
retrieved top 10 agree.

Methods, all with the real all-MiniLM-L6-v2 weights and mean pooling, max length 256:

- project fp32 / bf16: ``BiEncoder.prepare(Runtime(precision=p, batch_size=64)).encode(texts, "passage")``
  (length-sorted batches, dynamic padding, ``inference_mode``, autocast);
- project onnx / openvino: ``rerank.py --backend onnx|openvino``, the same encoder saved, exported once to ONNX
  (``encoders/exported_graphs.py``) and run by ONNX Runtime (fp32) or OpenVINO (fp32, or bf16 where auto is);
- sentence-transformers: ``SentenceTransformer(model).encode(texts, batch_size=64)``, the project's batch size
  (its pipeline ends with a Normalize module, so its vectors have unit length); and the same with its weights cast
  to bf16 where the project shows bf16;
- seed: one passage per forward pass, padded to the maximum length, ``torch.no_grad()``, fp32.

Agreement: ~50 questions whose gold paragraph is among the embedded ones are encoded by each
method (untimed); the top 10 paragraphs by cosine similarity (every method's vectors are
L2-normalized first, as the model is trained for cosine) are compared with project fp32's.

    .venv/bin/python bench/corpus_embedding.py [--name korquad|xquad] [--passages 200] [--questions 50] [--repeats 3]
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

import common
import numpy as np

NAME = "corpus_embedding"
REFERENCE = "sentence-transformers"
AGREEMENT_REFERENCE = "project fp32"


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--name", choices=sorted(common.QA_SETS), default="korquad", help="the QA set")
    parser.add_argument("--passages", type=int, default=200)
    parser.add_argument("--questions", type=int, default=50)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--max_length", type=int, default=256)
    parser.add_argument("--top", type=int, default=10)
    parser.add_argument("--seed", type=int, default=0)
    return parser.parse_args()


def sample(data, passages: int, questions: int, seed: int) -> tuple[list[str], list[str], list[set[int]]]:
    """Random paragraphs, and random questions whose gold paragraph is among them (gold as row numbers)."""
    rng = np.random.default_rng(seed)
    corpus = data.corpus
    chosen = sorted(rng.choice(len(corpus), size=min(passages, len(corpus)), replace=False).tolist())
    row_of = {position: row for row, position in enumerate(chosen)}
    candidates = []
    for question in data.questions:
        positions = (corpus.position(g) for g in question.gold_ids)
        gold = {row_of[p] for p in positions if p in row_of}
        if gold:
            candidates.append((question.text, gold))
    picked = rng.choice(len(candidates), size=min(questions, len(candidates)), replace=False)
    texts = [corpus.passages[p].text for p in chosen]
    return texts, [candidates[i][0] for i in picked], [candidates[i][1] for i in picked]


def normalize(vectors: np.ndarray) -> np.ndarray:
    vectors = np.asarray(vectors, dtype=np.float32)
    return vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)


def top_k(questions: np.ndarray, passages: np.ndarray, k: int) -> np.ndarray:
    scores = normalize(questions) @ normalize(passages).T
    return np.argsort(-scores, axis=1, kind="stable")[:, :k]


def exported_encoders(project, auto: str) -> dict[str, tuple[str, object]]:
    """``common.exported_backends`` on ``project`` saved to a temporary directory."""
    with tempfile.TemporaryDirectory(prefix="bench-bi-") as temp:
        project.save(Path(temp) / "bi_encoder", {"note": "benchmark copy"})
        return common.exported_backends(Path(temp) / "bi_encoder", "bi", auto)


def main() -> None:
    args = parse_args()
    data = common.load_qa_set(args.name)
    path = common.model_path()

    import torch
    import transformers
    from sentence_transformers import SentenceTransformer
    from transformers import AutoModel, AutoTokenizer

    from encoders.bi_encoder import BiEncoder, pool
    from encoders.settings import BiEncoderSettings
    from runtime import Runtime, resolve_precision

    transformers.logging.set_verbosity_error()  # the untruncated length count would warn about long texts
    transformers.utils.logging.disable_progress_bar()
    threads = common.setup_threads()
    info = common.machine()
    auto = resolve_precision("auto", torch.device("cpu"))
    texts, questions, gold = sample(data, args.passages, args.questions, args.seed)

    lengths = {"max_query_length": args.max_length, "max_passage_length": args.max_length}
    settings = BiEncoderSettings(**lengths, pooling="mean", shared_encoder=True)
    project = BiEncoder.build(path, settings)
    project_cast = BiEncoder.build(path, settings).prepare(Runtime(precision=auto, batch_size=64))
    st_model = SentenceTransformer(path, device="cpu")
    st_model.max_seq_length = args.max_length
    st_bf16 = SentenceTransformer(path, device="cpu").to(torch.bfloat16)
    st_bf16.max_seq_length = args.max_length
    exported = exported_encoders(project, auto)
    seed_tokenizer = AutoTokenizer.from_pretrained(path)
    seed_model = AutoModel.from_pretrained(path).eval()

    lengths = [len(ids) for ids in project.tokenizer(texts, truncation=False)["input_ids"]]
    truncated = [min(n, args.max_length) for n in lengths]

    def project_encode(precision: str, items: list[str] = texts, encoder=project):
        """Autocast in ``precision`` over the encoder's weights as they are (``project_cast``'s are cast)."""
        runtime = Runtime(precision=precision, batch_size=64)
        return lambda: encoder.prepare(runtime, cast_weights=False).encode(items, "passage")

    def st_encode(items: list[str] = texts, model=st_model):
        def run() -> np.ndarray:
            vectors = model.encode(items, batch_size=64, show_progress_bar=False, convert_to_tensor=True)
            return vectors.float().cpu().numpy()

        return run

    def seed_encode(items: list[str] = texts):
        def run() -> np.ndarray:
            vectors = []
            with torch.no_grad():
                for text in items:
                    inputs = seed_tokenizer(
                        text, padding="max_length", truncation=True, max_length=args.max_length, return_tensors="pt"
                    )
                    hidden = seed_model(**inputs).last_hidden_state
                    vectors.append(pool(hidden, inputs["attention_mask"], "mean")[0].numpy())
            return np.stack(vectors)

        return run

    specs = {  # name -> (batch size, precision, factory(items) -> callable)
        "project fp32": (64, "fp32", lambda items=texts: project_encode("fp32", items)),
        f"project {auto} autocast": (64, auto, lambda items=texts: project_encode(auto, items)),
        f"project {auto} weights (rerank.py)": (
            64,
            auto,
            lambda items=texts: project_encode(auto, items, project_cast),
        ),
        **{
            name: (64, precision, lambda items=texts, encoder=encoder: lambda: encoder.encode(items, "passage"))
            for name, (precision, encoder) in exported.items()
        },
        REFERENCE: (64, "fp32", st_encode),
        f"{REFERENCE} {auto} weights": (64, auto, lambda items=texts: st_encode(items, st_bf16)),
        "seed (1 passage/pass, padded)": (1, "fp32", seed_encode),
    }
    if auto == "fp32":
        specs.pop(f"project {auto} autocast")
        specs.pop(f"project {auto} weights (rerank.py)")
        specs.pop(f"{REFERENCE} {auto} weights")

    sizes = (
        f"{len(texts)} {args.name} paragraphs (random, seed {args.seed}) of {len(data.corpus)}; "
        f"max length {args.max_length}; mean {np.mean(truncated):.0f} tokens after truncation, "
        f"{np.mean(np.asarray(lengths) > args.max_length):.0%} truncated; {len(questions)} questions for top-"
        f"{args.top} agreement; {args.repeats} interleaved repeats after 1 untimed warm-up round on the same passages; "
        f"torch threads {threads}; precision auto -> {auto}"
    )
    print(f"Sizes: {sizes}")
    results = common.run_interleaved(
        {name: factory() for name, (_, _, factory) in specs.items()},
        args.repeats,
        warmup_rounds=1,
    )

    # Agreement: each method also encodes the questions (untimed); a question is encoded like a passage.
    question_vectors = {name: factory(questions)() for name, (_, _, factory) in specs.items()}
    reference_passages = normalize(results[AGREEMENT_REFERENCE]["value"])
    reference_top = top_k(question_vectors[AGREEMENT_REFERENCE], reference_passages, args.top)
    reference_rate = len(texts) / results[REFERENCE]["median"]
    rows, records = [], {}
    for name, (batch, precision, _) in specs.items():
        entry = results[name]
        vectors = np.asarray(entry["value"], dtype=np.float32)
        top = top_k(question_vectors[name], vectors, args.top)
        overlap = float(np.mean([len(set(a) & set(b)) / args.top for a, b in zip(top, reference_top)]))
        cosine = np.sum(normalize(vectors) * reference_passages, axis=1)
        hits = float(np.mean([bool(set(row.tolist()) & g) for row, g in zip(top, gold)]))
        cells, record = common.timing_cells(entry, len(texts), reference_rate)
        rows.append([name, batch, precision, *cells, f"{overlap:.3f}", f"{cosine.min():.5f}", f"{hits:.2f}"])
        records[name] = {
            "batch_size": batch,
            "precision": precision,
            **record,
            f"top{args.top}_overlap_vs_project_fp32": overlap,
            "min_cosine_vs_project_fp32": float(cosine.min()),
            "mean_cosine_vs_project_fp32": float(cosine.mean()),
            f"gold_in_top{args.top}": hits,
        }

    headers = ["method", "batch", "precision", *common.TIMING_HEADERS, "passages/s", f"vs {REFERENCE}",
               f"top-{args.top} overlap vs fp32", "min cos vs fp32", f"gold in top-{args.top}"]  # fmt: skip
    sizes_json = {
        "passages": len(texts),
        "questions": len(questions),
        "max_length": args.max_length,
        "repeats": args.repeats,
        "seed": args.seed,
        "mean_passage_tokens_truncated": float(np.mean(truncated)),
        "fraction_truncated": float(np.mean(np.asarray(lengths) > args.max_length)),
        "torch_threads": threads,
        "auto_precision": auto,
    }
    print(
        f"\n(top-{args.top} by cosine; 'min cos vs fp32' is the lowest cosine between a paragraph's vector and "
        "project fp32's; 'gold in top-10' is zero-shot retrieval over these paragraphs only)"
    )
    payload = {"sizes": sizes_json, "reference_for_speedup": REFERENCE, "reference_for_agreement": AGREEMENT_REFERENCE}
    common.report(NAME, info, sizes, headers, rows, {**payload, "methods": records})


if __name__ == "__main__":
    main()
