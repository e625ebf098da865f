"""Fixtures: a tiny BERT (random weights, 2 layers, hidden 64) with a WordPiece vocabulary built from
synthetic text, saved to a temp dir and loaded through ``from_pretrained`` like any user model; and
small synthetic QA data sets whose questions share rare words with their passages, so that a few
dozen training steps are enough to learn to rank."""

from __future__ import annotations

import contextlib
import json
import os
import random
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

FILLER = "the a of in on is was and to for with by at from that this it as an be".split()


def make_word(rng: random.Random) -> str:
    return "".join(rng.choice("bcdfghjklmnprstvz") + rng.choice("aeiou") for _ in range(rng.randint(2, 3)))


def synthetic_squad(seed: int, articles: int, paragraphs: int, questions: int, long_every: int = 0) -> dict:
    """SQuAD-style data: each paragraph mentions a few key words; its questions repeat two of them."""
    rng = random.Random(seed)
    data = []
    for a in range(articles):
        paragraphs_out = []
        for p in range(paragraphs):
            keys = [make_word(rng) for _ in range(4)]
            filler = [rng.choice(FILLER) for _ in range(rng.randint(12, 20))]
            if long_every and (a * paragraphs + p) % long_every == 0:
                filler += [rng.choice(FILLER + [make_word(rng)]) for _ in range(150)]
            words = filler[:]
            for key in keys:
                words.insert(rng.randrange(len(words) + 1), key)
            context = " ".join(words)
            qas = []
            for q in range(questions):
                asked = rng.sample(keys, 2)
                answer = next(key for key in keys if key not in asked)
                qas.append(
                    {
                        "id": f"s{seed}-a{a}-p{p}-q{q}",
                        "question": f"what {asked[0]} and {asked[1]} ?",
                        "answers": [{"text": answer, "answer_start": context.index(answer)}],
                    }
                )
            paragraphs_out.append({"context": context, "qas": qas})
        data.append({"title": f"article {a}", "paragraphs": paragraphs_out})
    return {"version": "synthetic", "data": data}


def squad_texts(squad: dict) -> list[str]:
    texts = []
    for article in squad["data"]:
        for paragraph in article["paragraphs"]:
            texts.append(paragraph["context"])
            texts.extend(qa["question"] for qa in paragraph["qas"])
    return texts


def build_tiny_bert(directory: Path, texts: list[str], seed: int = 0) -> Path:
    """Save a random 2-layer BERT with a WordPiece vocabulary of the words of ``texts`` and their letters.

    Every word of ``texts`` is one token; other words split into letters (``##`` pieces). The vocabulary
    is built, not trained: ``WordPieceTrainer`` breaks ties differently in every process, which would
    give every test session a different model.
    """
    import torch
    from tokenizers import Tokenizer, models, normalizers, pre_tokenizers, processors
    from transformers import BertConfig, BertModel, BertTokenizerFast

    specials = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
    normalizer = normalizers.BertNormalizer(lowercase=True)
    pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    words = {word for text in texts for word, _ in pre_tokenizer.pre_tokenize_str(normalizer.normalize_str(text))}
    letters = sorted({letter for word in words for letter in word})
    vocabulary = list(dict.fromkeys(specials + sorted(words | set(letters)) + [f"##{letter}" for letter in letters]))
    tokenizer = Tokenizer(models.WordPiece({token: i for i, token in enumerate(vocabulary)}, unk_token="[UNK]"))
    tokenizer.normalizer = normalizer
    tokenizer.pre_tokenizer = pre_tokenizer
    cls_id, sep_id = tokenizer.token_to_id("[CLS]"), tokenizer.token_to_id("[SEP]")
    tokenizer.post_processor = processors.TemplateProcessing(
        single="[CLS] $A [SEP]",
        pair="[CLS] $A [SEP] $B:1 [SEP]:1",
        special_tokens=[("[CLS]", cls_id), ("[SEP]", sep_id)],
    )
    fast = BertTokenizerFast(tokenizer_object=tokenizer, model_max_length=512)
    torch.manual_seed(seed)
    config = BertConfig(
        vocab_size=tokenizer.get_vocab_size(),
        hidden_size=64,
        num_hidden_layers=2,
        num_attention_heads=2,
        intermediate_size=128,
        max_position_embeddings=512,
    )
    BertModel(config).save_pretrained(directory)
    fast.save_pretrained(directory)
    return directory


@pytest.fixture(scope="session")
def squad_files(tmp_path_factory) -> dict[str, Path]:
    """Synthetic SQuAD-style train and validation files (some paragraphs long enough to need windows)."""
    directory = tmp_path_factory.mktemp("data")
    files = {}
    for name, seed, articles in (("train", 1, 8), ("validation", 2, 3)):
        path = directory / f"{name}.json"
        path.write_text(json.dumps(synthetic_squad(seed, articles, 4, 3, long_every=7)), encoding="utf-8")
        files[name] = path
    return files


@pytest.fixture(scope="session")
def tiny_model(tmp_path_factory, squad_files) -> Path:
    texts = []
    for path in squad_files.values():
        texts += squad_texts(json.loads(path.read_text(encoding="utf-8")))
    return build_tiny_bert(tmp_path_factory.mktemp("tiny-bert"), texts)


@pytest.fixture(scope="session")
def tokenizer(tiny_model):
    """The tiny model's tokenizer, loaded as users load one."""
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(tiny_model)


@contextlib.contextmanager
def torch_threads(count: int):
    """Run torch on ``count`` threads inside the block (one thread is far faster on a busy 2-core machine)."""
    import torch

    previous = torch.get_num_threads()
    torch.set_num_threads(count)
    try:
        yield
    finally:
        torch.set_num_threads(previous)


@pytest.fixture(scope="module")
def single_thread():
    """Torch on one thread for a whole test module (training fixtures request it first)."""
    with torch_threads(1):
        yield


UNTRAINED_SETTINGS = {"max_query_length": 16, "max_passage_length": 64, "stride": 16}


@pytest.fixture(scope="session")
def saved(tmp_path_factory, tiny_model) -> Path:
    """An input directory for rerank.py: an untrained bi-encoder and cross-encoder, saved as train.py saves them
    (tests that use it check the wiring, not the quality). Copy it before changing anything in it."""
    import io

    import torch

    from encoders.bi_encoder import BiEncoder
    from encoders.cross_encoder import CrossEncoder
    from encoders.settings import BiEncoderSettings, EncoderSettings

    directory = tmp_path_factory.mktemp("saved")
    with contextlib.redirect_stderr(io.StringIO()):
        torch.manual_seed(0)
        bi_settings = BiEncoderSettings(**UNTRAINED_SETTINGS, pooling="mean")
        BiEncoder.build(str(tiny_model), bi_settings).save(directory / "bi_encoder", {})
        CrossEncoder.build(str(tiny_model), EncoderSettings(**UNTRAINED_SETTINGS)).save(directory / "cross_encoder", {})
    return directory


@pytest.fixture(scope="session")
def corpus_file(tmp_path_factory, squad_files) -> Path:
    """JSONL corpus of the validation passages (some long enough for several windows)."""
    rows = []
    for article in json.loads(squad_files["validation"].read_text(encoding="utf-8"))["data"]:
        for number, paragraph in enumerate(article["paragraphs"]):
            rows.append({"id": f"{article['title']}-{number}", "title": article["title"], "text": paragraph["context"]})
    path = tmp_path_factory.mktemp("corpus") / "corpus.jsonl"
    path.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    return path
