"""The model card (``README.md``) written into every saved encoder directory, as sentence-transformers and the
Hugging Face Hub expect one: what the model is, what it was trained from and on, its final validation metrics,
every setting of the run, and code that loads it with ``transformers`` and ``sentence-transformers``.

Rendered from the same record as ``train_config.json``, so the two never disagree; rewritten on every save.
"""

from __future__ import annotations

import importlib.metadata
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

ROLES = {
    "encoder": "the shared question and passage encoder",
    "question_encoder": "the question encoder",
    "passage_encoder": "the passage encoder",
    "cross_encoder": "the cross-encoder reranker",
    "bi_encoder": "the question and passage encoders",
}


def project_version() -> str:
    try:
        return importlib.metadata.version("dpr-rerank")
    except importlib.metadata.PackageNotFoundError:
        return "unknown"


def front_matter(config: Mapping[str, Any]) -> str:
    bi = config.get("encoder") == "bi"
    lines = [
        "---",
        f"base_model: {json.dumps(str(config.get('base_model', 'unknown')))}",
        f"library_name: {'sentence-transformers' if bi else 'transformers'}",
        f"pipeline_tag: {'sentence-similarity' if bi else 'text-ranking'}",
        "tags:",
        "- dpr-rerank",
        f"- {'bi-encoder' if bi else 'cross-encoder'}",
        *(["- binary-passage-retrieval"] if config.get("binary") else []),
        "---",
    ]
    return "\n".join(lines)


def bi_encoder_usage(path: str, config: Mapping[str, Any], role: str) -> str:
    pooling = config.get("pooling", "cls")
    pooled = (
        "output.last_hidden_state[:, 0]"
        if pooling == "cls"
        else "(output.last_hidden_state * mask).sum(1) / mask.sum(1)"
    )
    length = config.get("max_query_length" if role == "question_encoder" else "max_passage_length", 512)
    lines = [
        "```python",
        "import torch",
        "from sentence_transformers import SentenceTransformer",
        "from transformers import AutoModel, AutoTokenizer",
        "",
        f"path = {json.dumps(path)}",
        "texts = ['an example text']",
        "vectors = SentenceTransformer(path, device='cpu').encode(texts)  # the pooling is in modules.json",
        "",
        "tokenizer, model = AutoTokenizer.from_pretrained(path), AutoModel.from_pretrained(path).eval()",
        f"inputs = tokenizer(texts, padding=True, truncation=True, max_length={length}, return_tensors='pt')",
        "with torch.no_grad():",
        "    output = model(**inputs)",
        "mask = inputs['attention_mask'].unsqueeze(-1).float()",
        f"same_vectors = {pooled}  # {pooling} pooling",
        "```",
    ]
    return "\n".join(lines)


def cross_encoder_usage(path: str, config: Mapping[str, Any]) -> str:
    length = config.get("max_length", 512)
    lines = [
        "```python",
        "import torch",
        "from sentence_transformers import CrossEncoder",
        "from transformers import AutoModelForSequenceClassification, AutoTokenizer",
        "",
        f"path = {json.dumps(path)}",
        "pairs = [('a question', 'a passage that may answer it')]",
        f"reranker = CrossEncoder(path, device='cpu', max_length={length})",
        "scores = reranker.predict(pairs, activation_fn=torch.nn.Identity())  # the logit, as rerank.py scores",
        "",
        "tokenizer = AutoTokenizer.from_pretrained(path)",
        "model = AutoModelForSequenceClassification.from_pretrained(path).eval()",
        "questions, passages = zip(*pairs)",
        "inputs = tokenizer(list(questions), list(passages), padding=True, truncation=True,",
        f"                   max_length={length}, return_tensors='pt')",
        "with torch.no_grad():",
        "    same_scores = model(**inputs).logits[:, 0]  # higher: more relevant",
        "```",
    ]
    return "\n".join(lines)


def usage(config: Mapping[str, Any], role: str, path: str) -> str:
    if config.get("encoder") != "bi":
        return cross_encoder_usage(path, config)
    if role != "bi_encoder":
        return bi_encoder_usage(path, config, role)
    names = ["encoder"] if config.get("shared_encoder") else ["question_encoder", "passage_encoder"]
    return "\n\n".join(
        f"{ROLES[name].capitalize()} (`{name}/`):\n\n" + bi_encoder_usage(str(Path(path) / name), config, name)
        for name in names
    )


def render(config: Mapping[str, Any], role: str, path: str) -> str:
    """The card of the model ``role`` (a key of ``ROLES``) saved at ``path`` with ``config``; for the bi-encoder's
    own directory (``role`` "bi_encoder"), the usage of each model directory in it."""
    bi = config.get("encoder") == "bi"
    kind = "bi-encoder (DPR)" if bi else "cross-encoder reranker"
    metrics = config.get("final_metrics") or {}
    metric_rows = [f"| {name.removeprefix('eval_')} | {value:.4f} |" for name, value in metrics.items()]
    facts = [
        ("base model", config.get("base_model", "unknown")),
        ("training data", config.get("train_data", "unknown")),
        ("training data fingerprint", config.get("train_data_fingerprint", "unknown")),
        ("training questions", config.get("train_questions", "unknown")),
        ("training passages", config.get("train_passages", "unknown")),
        ("loss", config.get("loss", "unknown")),
        ("project version", f"dpr-rerank {project_version()}"),
    ]
    sections = [
        front_matter(config),
        "",
        f"# {kind.capitalize()}: {ROLES.get(role, role)}",
        "",
        f"Trained with dpr-rerank `train.py --encoder {config.get('encoder')}` from "
        f"`{config.get('base_model', 'unknown')}`."
        + (
            " Trained for BPR's binary passage codes (`--binary`): a passage's code is the sign of each dimension "
            "of its vector (`vector > 0`), searched with `rerank.py --index binary`."
            if config.get("binary")
            else ""
        )
        + (
            f" Fine-tuned through LoRA adapters (`--lora_r {config['lora_r']}`, alpha {config.get('lora_alpha')}, "
            f"layers {', '.join(config.get('lora_target') or ['peft default'])}), merged into these weights: "
            "an ordinary model of the base architecture, which loads without peft."
            if config.get("lora_r")
            else ""
        ),
        "",
        "## Training",
        "",
        "| | |",
        "|---|---|",
        *(f"| {name} | {value} |" for name, value in facts),
        "",
        "## Final validation metrics",
        "",
        *(["| metric | value |", "|---|---:|", *metric_rows] if metric_rows else ["No validation data was given."]),
        "",
        "## How to load it",
        "",
        usage(config, role, path),
        "",
        "## Every setting of the run (`train_config.json`)",
        "",
        "```json",
        json.dumps({k: v for k, v in config.items() if k != "final_metrics"}, indent=2, sort_keys=True),
        "```",
        "",
    ]
    return "\n".join(sections)


def write_model_card(directory: Path, config: Mapping[str, Any], role: str, final_path: Path) -> None:
    """``directory/README.md`` for the model that will live at ``final_path`` (``directory`` may be staging)."""
    (directory / "README.md").write_text(render(config, role, str(final_path)), encoding="utf-8")
