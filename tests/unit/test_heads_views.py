"""The layer views (report, terminal table, heatmap title) word a regression model's answer as a
value and a multi-label model's as each label's sigmoid, as the single-explanation views do.

References: the model's own forward pass (its raw output, its sigmoids), computed here."""

from __future__ import annotations

import re

import numpy as np
import pytest
import torch

from tests.conftest import TEXTS, tiny_bert_head
from wordlight import LayerIntegratedGradients, load_model
from wordlight.viz import layer_heatmap, render_layer_report, render_layer_table
from wordlight.viz.html import render_html
from wordlight.viz.terminal import header

TEXT = TEXTS[3]  # "awful"

# words of a class distribution that must not describe a value or independent sigmoids
PROBABILITY = re.compile(r"probabilit|p = |\(\d\.\d\d\)|%")


def _raw(model, tok, text: str) -> np.ndarray:
    with torch.no_grad():
        return model(**tok(text, return_tensors="pt")).logits[0].double().numpy()


@pytest.fixture(scope="module")
def regression():
    model, tok = tiny_bert_head("regression", 1, seed=5)
    (le,) = LayerIntegratedGradients(n_steps=4, layers=(0, 2)).explain(load_model(model, tok), TEXT)
    return le, float(_raw(model, tok, TEXT)[0])


@pytest.fixture(scope="module")
def multi_label():
    model, tok = tiny_bert_head("multi_label_classification", 3, seed=6)
    clf = load_model(model, tok)
    (le,) = LayerIntegratedGradients(n_steps=4, layers=(0, 2)).explain(clf, TEXT, target=2)
    return le, 1 / (1 + np.exp(-_raw(model, tok, TEXT)))


def test_regression_layer_views_print_the_value_and_no_probability(regression):
    le, value = regression
    assert le.value == pytest.approx(value, abs=1e-5)
    shown = f"value: {value:.2f}"
    page = render_layer_report([le])
    facts = re.search(r"method layer_integrated_gradients[^<]*", page)
    assert facts is not None and shown in facts.group(0)
    assert not PROBABILITY.search(facts.group(0))
    assert "Green: raising the value; red: lowering the value" in page and "target" not in page
    table = render_layer_table(le)
    head_lines = "\n".join(table.splitlines()[:2])
    assert shown in head_lines and "-> the value" in head_lines
    assert not PROBABILITY.search(head_lines) and "label_0" not in head_lines
    title = layer_heatmap(le).axes[0].get_title()
    assert shown in title and "→ the value" in title and not PROBABILITY.search(title)


def test_multi_label_layer_views_print_each_labels_sigmoid(multi_label):
    le, sig = multi_label
    np.testing.assert_allclose(le.probabilities, sig, atol=1e-6)
    on = [f"label_{i}" for i, p in enumerate(sig) if p > 0.5]
    each = ", ".join(f"label_{i} {p:.2f}" for i, p in enumerate(sig))
    expected = [f"labels: {each}", f"predicted: {', '.join(on)}", "target: label_2"]
    page = render_layer_report([le])
    assert " · ".join(expected) in page and "p = " not in page
    assert " | ".join(expected) in render_layer_table(le)
    assert " · ".join(expected) in layer_heatmap(le).axes[0].get_title()
    # the one-layer view of the same result is worded by the same helper
    assert " | ".join(expected) in header(le.explanation(2))


def test_single_and_layer_views_word_the_answer_alike(regression, multi_label):
    for le, _ in (regression, multi_label):
        e = le.explanation(le.layers[0])
        line = header(e).split(" | method:")[0]
        assert line in render_layer_table(le)
        assert line.replace(" | ", " · ") in render_layer_report([le])
    le, value = regression
    assert f"value: {value:.2f}" in render_html([le.explanation(0)])


def test_a_classifier_keeps_its_predicted_class_and_probability(tiny_bert):
    model, tok = tiny_bert
    (le,) = LayerIntegratedGradients(n_steps=4, layers=(1,)).explain(load_model(model, tok), TEXT)
    probs = np.exp(_raw(model, tok, TEXT))
    probs /= probs.sum()
    best = int(np.argmax(probs))
    name = model.config.id2label[best]
    assert f"predicted: {name} ({probs[best]:.2f})" in render_layer_table(le)
    assert f"predicted: {name} ({probs[best]:.2f})" in render_layer_report([le])


def test_the_terminal_says_which_words_raise_and_lower_a_regression_value(regression):
    from wordlight.viz.terminal import render_terminal

    le, _ = regression
    e = le.explanation(le.layers[-1])
    text = render_terminal([e], color=False)
    assert "+ raises the value" in text
    scores = e.word_scores
    if (scores > 0).any():
        assert "raising the value:" in text
    if (scores < 0).any():
        assert "lowering the value:" in text
    assert "towards" not in text and "against" not in text and e.target_label not in text


def test_the_coloured_legends_say_raising_and_lowering_the_value(regression):
    from wordlight.viz.html import render_html
    from wordlight.viz.terminal import render_terminal

    le, _ = regression
    e = le.explanation(le.layers[-1])
    coloured = render_terminal([e], color=True)
    page = render_html([e])
    for out in (coloured, page):
        assert "lowering the value" in out and "raising the value" in out
        assert "the target" not in out
