"""``train.py --encoder cross --teacher DIR [--num_layers N]``: the student learns the teacher's scores of each
group (listwise KL), and can be a shallower copy of its model, saved as an ordinary cross-encoder."""

from __future__ import annotations

import contextlib
import io
import json
import shutil

import pytest
import torch
from sharpened_cross_encoder import sharpen_cross_encoder
from transformers import AutoModelForSequenceClassification

import train
from encoders.cross_encoder import CrossEncoder
from encoders.losses import distillation_loss
from errors import UserError
from training.distillation import evenly_spaced, keep_layers, load_teacher
from training.trainer import cross_encoder_distillation


def test_the_loss_is_the_kl_of_the_teacher_s_group_softmax_to_the_student_s():
    student = torch.tensor([[2.0, 0.5, -1.0], [0.3, 1.0, 0.0]])
    teacher = torch.tensor([[1.0, 1.0, -3.0], [0.0, 2.0, 7.0]])
    valid = torch.tensor([[True, True, True], [True, True, False]])  # the second group has two pairs
    expected = []
    for row in range(2):
        kept = valid[row]
        p = torch.softmax(teacher[row][kept] / 2.0, dim=0)
        q = torch.log_softmax(student[row][kept] / 2.0, dim=0)
        expected.append((p * (p.log() - q)).sum())
    loss = distillation_loss(student, teacher, valid, temperature=2.0)
    assert loss.item() == pytest.approx((sum(expected) / 2 * 4).item(), rel=1e-5)
    assert distillation_loss(teacher, teacher, valid).item() == pytest.approx(0.0, abs=1e-6)
    shifted = distillation_loss(teacher + 5.0, teacher, valid)  # a softmax does not see a constant shift
    assert shifted.item() == pytest.approx(0.0, abs=1e-6)


def test_layers_are_kept_evenly_spaced_first_and_last_included():
    assert evenly_spaced(6, 3) == [0, 2, 5]
    assert evenly_spaced(12, 6) == [0, 2, 4, 7, 9, 11]
    assert evenly_spaced(4, 4) == [0, 1, 2, 3]
    assert evenly_spaced(6, 1) == [5]


def test_a_shallower_student_keeps_the_chosen_layers_and_saves_as_a_plain_model(saved, tmp_path):
    directory = saved / "cross_encoder"
    model = AutoModelForSequenceClassification.from_pretrained(directory)
    original = [dict(layer.state_dict()) for layer in model.bert.encoder.layer]
    assert keep_layers(model, 1, directory) == [1]
    assert model.config.num_hidden_layers == 1 and len(model.bert.encoder.layer) == 1
    kept = model.bert.encoder.layer[0].state_dict()
    assert all(torch.equal(kept[name], original[1][name]) for name in kept)
    model.save_pretrained(tmp_path / "student")
    loaded = AutoModelForSequenceClassification.from_pretrained(tmp_path / "student").eval()
    inputs = {"input_ids": torch.randint(5, 50, (2, 9)), "attention_mask": torch.ones(2, 9, dtype=torch.long)}
    with torch.no_grad():
        assert torch.allclose(loaded(**inputs).logits, model.eval()(**inputs).logits, atol=1e-6)
    with pytest.raises(UserError, match="--num_layers 3: .* has only 2 layers"):
        keep_layers(AutoModelForSequenceClassification.from_pretrained(directory), 3, directory)


def group_batch(tokenizer) -> dict:
    questions = ["what is the naba", "who saw the subole"]
    passages = ["the naba is a river", "a subole", "nothing here", "the subole was seen by all", "rivers"]
    pairs = [(questions[0], passages[0]), (questions[0], passages[1]), (questions[0], passages[2])]
    pairs += [(questions[1], passages[3]), (questions[1], passages[4])]
    encoded = tokenizer([q for q, _ in pairs], [p for _, p in pairs], padding=True, return_tensors="pt")
    valid = torch.tensor([[True, True, True], [True, True, False]])
    return {"pair_inputs": dict(encoded), "positions": torch.tensor([0, 1, 2, 3, 4]), "valid_mask": valid}


def test_the_student_is_pulled_towards_the_teacher_and_the_teacher_stays_frozen(saved, tmp_path):
    shutil.copytree(saved / "cross_encoder", tmp_path / "teacher")
    sharpen_cross_encoder(tmp_path / "teacher")  # scores that differ between pairs, as a trained teacher's do
    teacher_encoder = CrossEncoder.load(tmp_path / "teacher")
    teacher = load_teacher(str(tmp_path / "teacher"), teacher_encoder, torch.device("cpu"), False)
    assert not any(parameter.requires_grad for parameter in teacher.parameters()) and not teacher.training
    batch = group_batch(teacher_encoder.tokenizer)
    loss = cross_encoder_distillation(teacher, temperature=1.0)
    assert loss(teacher, batch).item() == pytest.approx(0.0, abs=1e-6)  # a student that is the teacher
    torch.manual_seed(1)
    student = AutoModelForSequenceClassification.from_pretrained(saved / "cross_encoder", num_labels=1).eval()
    before = loss(student, batch)
    before.backward()
    assert before.item() > 1e-4
    # One gradient step sized so that its first-order decrease is a tenth of the loss: a fixed learning rate
    # overshot or barely moved depending on the tiny model's random start.
    gradients = [parameter.grad for parameter in student.parameters() if parameter.grad is not None]
    step = 0.1 * before.item() / sum(float((gradient**2).sum()) for gradient in gradients)
    torch.optim.SGD(student.parameters(), lr=step).step()
    assert loss(student, batch).item() < before.item()
    assert all(parameter.grad is None for parameter in teacher.parameters())


def test_a_teacher_with_another_vocabulary_is_one_line(saved, tmp_path):
    other = tmp_path / "other"
    shutil.copytree(saved / "cross_encoder", other)
    tokenizer = json.loads((other / "tokenizer.json").read_text(encoding="utf-8"))
    vocabulary = tokenizer["model"]["vocab"]
    first, second = list(vocabulary)[10:12]
    vocabulary[first], vocabulary[second] = vocabulary[second], vocabulary[first]  # same size, other ids
    (other / "tokenizer.json").write_text(json.dumps(tokenizer), encoding="utf-8")
    student = CrossEncoder.load(saved / "cross_encoder")
    with pytest.raises(UserError, match=r"--teacher .*other: its vocabulary differs from --model's"):
        load_teacher(str(other), student, torch.device("cpu"), False)


def test_train_distils_a_one_layer_student(saved, squad_files, tmp_path, single_thread):
    argv = ["--encoder", "cross", "--model", saved / "cross_encoder", "--teacher", saved / "cross_encoder",
            "--num_layers", "1", "--train_data", squad_files["train"], "--max_steps", "2", "--train_batch_size", "2",
            "--group_size", "3", "--max_query_length", "16", "--max_passage_length", "64", "--stride", "16",
            "--precision", "fp32", "--device", "cpu", "--quiet", "--logging_steps", "1", "--no_weight_tuning",
            "--output_directory", tmp_path]  # fmt: skip
    output = io.StringIO()
    with contextlib.redirect_stdout(output), contextlib.redirect_stderr(io.StringIO()):
        assert train.main([str(arg) for arg in argv]) == 0
    assert "keeps layers 1 of the 2" in output.getvalue()
    saved_student = tmp_path / "cross_encoder"
    config = json.loads((saved_student / "train_config.json").read_text(encoding="utf-8"))
    assert config["loss"] == "distillation" and config["num_layers"] == 1
    assert AutoModelForSequenceClassification.from_pretrained(saved_student).config.num_hidden_layers == 1
    log = [json.loads(line) for line in (saved_student / "log.jsonl").read_text(encoding="utf-8").splitlines()]
    losses = [record["loss"] for record in log if "loss" in record]
    # The KL to the untrained teacher's near-uniform group softmax; the labels' LCE would be ln(group size) >= 0.69
    assert losses and all(0 <= value < 0.01 for value in losses)
