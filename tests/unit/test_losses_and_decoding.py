"""Known answers of the losses and of the one decoding rule, and the adapter using that rule."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from wordlight.models.decoding import (
    class_probabilities,
    head_of,
    log_class_probabilities,
    ordinal_probabilities,
    predict,
)
from wordlight.training.losses import (
    cross_entropy_loss,
    mse_loss,
    ordinal_loss,
    ordinal_targets,
)


def _softplus(x: float) -> float:
    return math.log1p(math.exp(x))


def test_ordinal_targets_are_cumulative_indicators() -> None:
    targets = ordinal_targets(torch.tensor([0, 1, 2, 3]), n_classes=4)
    expected = [[0, 0, 0], [1, 0, 0], [1, 1, 0], [1, 1, 1]]  # t_k = 1[k <= y], k = 1..3
    assert targets.tolist() == expected


def test_ordinal_loss_closed_form() -> None:
    # BCE(sigmoid(z), 1) = softplus(-z), BCE(sigmoid(z), 0) = softplus(z); summed over thresholds.
    logits = torch.tensor([[0.0, 0.0], [2.0, -1.0], [0.5, 3.0]])
    labels = torch.tensor([1, 2, 0])
    per_example = [
        _softplus(-0.0) + _softplus(0.0),  # y=1: t = (1, 0) -> 2 log 2
        _softplus(-2.0) + _softplus(1.0),  # y=2: t = (1, 1)
        _softplus(0.5) + _softplus(3.0),  # y=0: t = (0, 0)
    ]
    assert per_example[0] == pytest.approx(2 * math.log(2))
    got = ordinal_loss(logits, labels).item()
    assert got == pytest.approx(sum(per_example) / 3, rel=1e-6)
    weights = torch.tensor([1.0, 2.0, 4.0])  # per class: y=0 -> 1, y=1 -> 2, y=2 -> 4
    w = [2.0, 4.0, 1.0]
    weighted = sum(wi * li for wi, li in zip(w, per_example, strict=True)) / sum(w)
    assert ordinal_loss(logits, labels, weights).item() == pytest.approx(weighted, rel=1e-6)


def test_cross_entropy_and_mse_closed_form() -> None:
    logits = torch.tensor([[1.0, 0.0, -1.0], [0.0, 0.0, 0.0]])
    labels = torch.tensor([0, 2])
    lse = math.log(math.e + 1 + math.exp(-1))
    expected = ((lse - 1.0) + math.log(3)) / 2
    assert cross_entropy_loss(logits, labels).item() == pytest.approx(expected, rel=1e-6)
    weights = torch.tensor([3.0, 1.0, 1.0])
    weighted = (3 * (lse - 1.0) + math.log(3)) / 4
    assert cross_entropy_loss(logits, labels, weights).item() == pytest.approx(weighted, rel=1e-6)
    out = torch.tensor([[1.0], [-2.0]])
    assert mse_loss(out, torch.tensor([0.0, 2.0])).item() == pytest.approx((1 + 16) / 2)


def test_ordinal_decoding_known_answer() -> None:
    # sigmoid(log 3) = 0.75 = P(y >= 1), sigmoid(-log 3) = 0.25 = P(y >= 2)
    logits = torch.tensor([[math.log(3), -math.log(3)]])
    probs = ordinal_probabilities(logits)
    np.testing.assert_allclose(probs.numpy(), [[0.25, 0.5, 0.25]], atol=1e-6)
    assert predict(logits, "ordinal").tolist() == [1]
    # Crossing thresholds (P(y>=2) > P(y>=1)) are clipped to a running minimum: never negative.
    crossing = torch.tensor([[0.0, 2.0]])
    np.testing.assert_allclose(ordinal_probabilities(crossing).numpy(), [[0.5, 0.0, 0.5]])
    assert predict(crossing, "ordinal").tolist() == [0]  # ties go to the lower class


def test_decoding_of_other_heads_and_log_probabilities() -> None:
    logits = torch.tensor([[0.3, -1.2, 2.0]])
    np.testing.assert_allclose(
        class_probabilities(logits, "classification"), torch.softmax(logits, -1)
    )
    assert predict(logits, "classification").tolist() == [2]
    assert predict(torch.tensor([[1.5], [-0.5]]), "regression").tolist() == [1.5, -0.5]
    ordinal = torch.tensor([[1.0, -0.5, -2.0]])
    back = torch.softmax(log_class_probabilities(ordinal, "ordinal"), -1)
    np.testing.assert_allclose(back, ordinal_probabilities(ordinal), atol=1e-6)


def test_adapter_explains_decoded_ordinal_probabilities(tmp_path) -> None:  # type: ignore[no-untyped-def]
    transformers = pytest.importorskip("transformers")
    import wordlight

    words = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "a", "bad", "good", "plot"]
    tokenizer = transformers.BertTokenizerFast(vocab={w: i for i, w in enumerate(words)})
    assert tokenizer.unk_token_id not in tokenizer("a bad plot")["input_ids"]
    torch.manual_seed(0)
    names = ["low", "mid", "high"]
    config = transformers.BertConfig(
        vocab_size=len(words), hidden_size=16, num_hidden_layers=2, num_attention_heads=2,
        intermediate_size=32, max_position_embeddings=64, num_labels=2,
        id2label={0: ">= mid", 1: ">= high"}, label2id={">= mid": 0, ">= high": 1},
    )  # fmt: skip
    config.update({"wordlight_head": "ordinal", "wordlight_labels": names})
    model = transformers.BertForSequenceClassification(config).eval()
    model.save_pretrained(tmp_path)
    tokenizer.save_pretrained(tmp_path)
    classifier = wordlight.load_model(str(tmp_path))
    assert head_of(classifier.model.config) == "ordinal"  # type: ignore[attr-defined]
    assert classifier.labels == tuple(names)
    text = "a bad plot"
    batch = tokenizer([text], return_tensors="pt")
    with torch.no_grad():
        raw = model(**batch).logits
        ids = batch["input_ids"]
        adapted = classifier.logits(classifier.embed(ids), batch["attention_mask"])
    expected = ordinal_probabilities(raw)
    np.testing.assert_allclose(torch.softmax(adapted, -1), expected, atol=1e-5)
    (explanation,) = wordlight.explain(classifier, text, "gradient_x_input")
    np.testing.assert_allclose(explanation.probabilities, expected[0].numpy(), atol=1e-5)
    assert explanation.target == int(predict(raw, "ordinal")[0])
