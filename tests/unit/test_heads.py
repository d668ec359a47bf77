"""Regression and multi-label heads explained as what they mean: a raw value, a sigmoid per label.

References are independent: Captum's LayerIntegratedGradients on the same output function, the
model's own forward pass, and the closed form of IG on a model linear in its bag of words.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
import torch

import wordlight
from tests.conftest import TEXTS, WORDS, LinearBag, pad_baseline, tiny_bert_head, tiny_hf
from wordlight import (
    GradientXInput,
    Information,
    InputError,
    IntegratedGradients,
    LayerIntegratedGradients,
    ModelError,
    TorchClassifier,
    WhitespaceTokenizer,
    load_model,
)
from wordlight.evaluation import evaluate_faithfulness
from wordlight.models.decoding import head_of
from wordlight.results import Explanation
from wordlight.viz.html import render_html
from wordlight.viz.terminal import header

captum_attr = pytest.importorskip("captum.attr")


@pytest.fixture(scope="module")
def regression():
    return tiny_bert_head("regression", 1, seed=5)


@pytest.fixture(scope="module")
def multi_label():
    return tiny_bert_head("multi_label_classification", 3, seed=6)


def _captum_ig(model, tok, text, target, output_fn, n_steps=17):
    ids, mask, baseline, special = pad_baseline(tok, text)

    def forward(input_ids, attention_mask):
        return output_fn(model(input_ids=input_ids, attention_mask=attention_mask).logits)

    lig = captum_attr.LayerIntegratedGradients(forward, model.get_input_embeddings())
    attr = lig.attribute(
        ids, baselines=baseline, target=target, additional_forward_args=(mask,),
        n_steps=n_steps, method="gausslegendre",
    )  # fmt: skip
    return attr.sum(-1)[0][~special].detach().numpy()


def _raw(model, tok, text):
    enc = tok(text, return_tensors="pt")
    with torch.no_grad():
        return model(**enc).logits[0].numpy()


# --- 1. the head is read from the model --------------------------------------------------
class _Config:
    def __init__(self, **kw):
        self.__dict__.update(kw)


@pytest.mark.parametrize(
    ("config", "head"),
    [
        (dict(problem_type="regression", num_labels=1), "regression"),
        (dict(problem_type=None, num_labels=1), "regression"),  # as Hugging Face reads it
        (dict(problem_type="multi_label_classification", num_labels=3), "multi_label"),
        (dict(problem_type="single_label_classification", num_labels=3), "classification"),
        (dict(problem_type=None, num_labels=2), "classification"),
        (dict(problem_type=None, num_labels=2, wordlight_head="ordinal"), "ordinal"),
    ],
)
def test_head_is_read_from_the_config(config, head):
    assert head_of(_Config(**config)) == head


def test_a_regression_config_with_several_outputs_is_one_clear_error():
    with pytest.raises(ModelError, match="regression model has one output"):
        head_of(_Config(problem_type="regression", num_labels=3))


def test_adapters_expose_the_head(regression, multi_label):
    assert load_model(*regression).head == "regression"
    assert load_model(*multi_label).head == "multi_label"
    assert load_model(*tiny_hf("bert")).head == "classification"


def _linear_regression():
    vocab = {"[pad]": 0, "[unk]": 1, "[cls]": 2, "[mask]": 3}
    vocab.update({w: i + 4 for i, w in enumerate(WORDS)})
    module = LinearBag(vocab=len(vocab), classes=1, seed=3)
    tok = WhitespaceTokenizer(vocab, unk_id=1)
    clf = TorchClassifier(
        forward=module.forward_embeddings, embedding=module.embedding, tokenize=tok,
        labels=["score"], pad_id=0, mask_id=3, prefix_ids=[2], module=module, head="regression",
    )  # fmt: skip
    return clf, module, tok


def test_torch_classifier_declares_its_head():
    clf, _, _ = _linear_regression()
    assert clf.head == "regression"
    module = LinearBag(vocab=8, classes=2)
    common = dict(forward=module.forward_embeddings, embedding=module.embedding, tokenize=str)
    with pytest.raises(ModelError, match="one output"):
        TorchClassifier(**common, labels=["a", "b"], head="regression")
    with pytest.raises(ModelError, match="unknown head 'softmax'"):
        TorchClassifier(**common, labels=["a", "b"], head="softmax")  # type: ignore[arg-type]


# --- 2. IG equals Captum on the output function the head means; completeness ------------
def test_regression_ig_explains_the_raw_value_as_captum(regression):
    model, tok = regression
    clf = load_model(model, tok)
    exps = IntegratedGradients(n_steps=17, rule="gausslegendre").explain(clf, TEXTS)
    for text, e in zip(TEXTS, exps, strict=True):
        assert e.head == "regression" and e.target == 0
        value = _raw(model, tok, text)[0]
        assert e.value == pytest.approx(value, abs=1e-5)  # the value, not softmax(1 logit) = 1
        ref = _captum_ig(model, tok, text, 0, lambda z: z)
        np.testing.assert_allclose(e.scores, ref, atol=1e-5, rtol=0)
        assert np.abs(e.scores).max() > 1e-4  # not the all-zero softmax-of-one-logit answer


def test_multi_label_ig_explains_each_labels_sigmoid_as_captum(multi_label):
    model, tok = multi_label
    clf = load_model(model, tok)
    exps = IntegratedGradients(n_steps=17, rule="gausslegendre").explain(clf, TEXTS, target="all")
    assert len(exps) == 3 * len(TEXTS)
    for i, e in enumerate(exps):
        text, label = TEXTS[i // 3], i % 3
        assert e.target == label and e.head == "multi_label"
        sig = 1 / (1 + np.exp(-_raw(model, tok, text).astype(np.float64)))
        np.testing.assert_allclose(e.probabilities, sig, atol=1e-6)  # not a softmax
        ref = _captum_ig(model, tok, text, label, torch.sigmoid)
        np.testing.assert_allclose(e.scores, ref, atol=1e-5, rtol=0)


def test_multi_label_logit_output_explains_the_logit(multi_label):
    model, tok = multi_label
    (e,) = IntegratedGradients(n_steps=17, output="logit").explain(
        load_model(model, tok), TEXTS[2], target=1
    )
    np.testing.assert_allclose(
        e.scores, _captum_ig(model, tok, TEXTS[2], 1, lambda z: z), atol=1e-5
    )


@pytest.mark.parametrize("which", ["regression", "multi_label"])
def test_completeness_holds_on_what_the_head_means(which, regression, multi_label):
    model, tok = regression if which == "regression" else multi_label
    clf = load_model(model, tok)
    squash = (lambda z: z) if which == "regression" else (lambda z: 1 / (1 + np.exp(-z)))
    exps = IntegratedGradients(n_steps=64).explain(clf, TEXTS, target="all")
    for e in exps:
        enc = tok(e.text, return_tensors="pt")
        ids = enc["input_ids"]
        base = torch.where(ids[0] < 5, ids[0], torch.tensor(tok.pad_token_id)).unsqueeze(0)
        with torch.no_grad():
            f_x0 = model(input_ids=base, attention_mask=enc["attention_mask"]).logits[0]
        gap = squash(_raw(model, tok, e.text)[e.target]) - squash(float(f_x0[e.target]))
        assert e.total == pytest.approx(gap, abs=1e-4)


def test_no_minus_sum_shortcut_for_sigmoids(multi_label):
    """Sigmoid probabilities do not sum to one: 'all' must equal each label done alone."""
    clf = load_model(*multi_label)
    together = GradientXInput().explain(clf, TEXTS[2], target="all")
    for label in range(3):
        (alone,) = GradientXInput().explain(clf, TEXTS[2], target=label)
        np.testing.assert_allclose(together[label].scores, alone.scores, atol=1e-7)
    assert not np.allclose(together[2].scores, -(together[0].scores + together[1].scores))


def test_linear_regression_bag_gives_the_closed_form():
    clf, module, tok = _linear_regression()
    text = "the movie was good but the plot was boring"
    (e,) = IntegratedGradients(n_steps=8).explain(clf, text)
    ids, _ = tok(text)
    emb = module.embedding.weight.detach().numpy().astype(np.float64)
    w = module.head.weight.detach().numpy()[0].astype(np.float64)
    expected = (emb[ids] - emb[0]) @ w  # (x - x')·w with the pad baseline
    np.testing.assert_allclose(e.scores, expected, atol=1e-5)
    value = emb[[2, *ids]].sum(0) @ w + module.head.bias.item()
    assert e.value == pytest.approx(value, abs=1e-4)
    assert e.completeness_delta == pytest.approx(0.0, abs=1e-5)


# --- 3. results record the head; views print what it means -----------------------------
def test_the_head_and_the_predicted_label_set_are_saved(multi_label):
    clf = load_model(*multi_label)
    (e,) = GradientXInput().explain(clf, TEXTS[0], label_threshold=0.3)
    on = tuple(n for n, p in zip(e.labels, e.probabilities, strict=True) if p > 0.3)
    assert e.predicted_labels == on
    back = Explanation.from_dict(e.to_dict())
    assert back.head == "multi_label" and back.label_threshold == 0.3
    assert back.predicted_labels == on
    assert e.with_label_threshold(1.0).predicted_labels == ()
    old = {k: v for k, v in e.to_dict().items() if k not in ("head", "label_threshold")}
    assert Explanation.from_dict(old).head == "classification"  # older files
    with pytest.raises(InputError, match="label_threshold"):
        GradientXInput().explain(clf, TEXTS[0], label_threshold=1.5)
    with pytest.raises(InputError, match="label_threshold"):
        GradientXInput().explain(clf, TEXTS[0], label_threshold="high")  # type: ignore[arg-type]


def test_views_print_a_value_for_regression_and_labels_for_multi_label(regression, multi_label):
    (r,) = GradientXInput().explain(load_model(*regression), TEXTS[1])
    line = header(r)
    assert f"value: {r.value:.2f}" in line and "predicted:" not in line
    assert f"value: {r.value:.2f}" in render_html([r])
    (m,) = GradientXInput().explain(load_model(*multi_label), TEXTS[1])
    line = header(m)
    for name, p in zip(m.labels, m.probabilities, strict=True):
        assert f"{name} {p:.2f}" in line
        assert f"{name} {p:.2f}" in render_html([m])
    assert "predicted: " + (", ".join(m.predicted_labels) or "none") in line


# --- 4. metrics, layer methods and the information method on every head -----------------
def test_faithfulness_measures_the_value_and_says_which_metric_has_no_meaning(regression):
    model, tok = regression
    clf = load_model(model, tok)
    (e,) = IntegratedGradients(n_steps=16).explain(clf, TEXTS[2])
    values = evaluate_faithfulness(clf, [e], ["comprehensiveness"])
    # top 20% of tokens (ceil) removed: the value's drop, computed by the model itself
    top = np.argsort(-e.scores, kind="stable")[: int(np.ceil(0.2 * len(e.scores) - 1e-9))]
    ids = tok(TEXTS[2], add_special_tokens=False)["input_ids"]
    kept = [t for i, t in enumerate(ids) if i not in set(top.tolist())]
    with torch.no_grad():
        rest = model(input_ids=torch.tensor([[2, *kept, 3]])).logits[0, 0].item()
    assert "comprehensiveness" in values
    assert values["comprehensiveness"][0] == pytest.approx(e.value - rest, abs=1e-5)
    assert "ferret_aopc_comprehensiveness" not in evaluate_faithfulness(clf, [e])
    with pytest.raises(InputError, match="no meaning for a regression model"):
        evaluate_faithfulness(clf, [e], ["ferret_aopc_sufficiency"])
    wrong = replace(e, head="classification")
    with pytest.raises(InputError, match="regression head"):
        evaluate_faithfulness(clf, [wrong], ["comprehensiveness"])


@pytest.mark.parametrize("which", ["regression", "multi_label"])
def test_layer_ig_and_information_work_on_every_head(which, regression, multi_label):
    model, tok = regression if which == "regression" else multi_label
    clf = load_model(model, tok)
    (le,) = LayerIntegratedGradients(n_steps=64, layers=(1, 2)).explain(clf, TEXTS[0], target=0)
    assert le.head == which
    raw = _raw(model, tok, TEXTS[0])[0]
    f_x = raw if which == "regression" else 1 / (1 + np.exp(-raw))
    assert float(le.probabilities[0]) == pytest.approx(f_x, abs=1e-5)
    assert np.abs(le.completeness_delta).max() < 1e-3  # completeness per layer, on f
    assert le.explanation(1).head == which
    info_method = Information(layer=1, regularization="self", max_iterations=20)
    with pytest.warns(UserWarning, match="did not converge"):
        (info,) = info_method.explain(clf, TEXTS[0])
    assert info.head == which and np.isfinite(info.scores).all()


# --- 5. a model trained by `--loss mse` explained end to end ---------------------------
def test_wordlight_train_loss_mse_then_wordlight_explain_on_drug_ratings(tmp_path: Path, capsys):
    """The CLI route on a drugs-like CSV (review, rating class, its score 0/1/2 as ``drugs``
    has them): train, explain, JSON."""
    import csv
    import json

    from wordlight.cli.main import main
    from wordlight.training import predict_logits

    rng = np.random.default_rng(0)
    levels = (("awful", "useless"), ("okay", "fine"), ("great", "superb"))
    path = tmp_path / "drugs.csv"
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["review", "rating", "score"])
        for _ in range(300):
            level = int(rng.integers(3))
            filler = rng.choice(("the", "pill", "was", "very", "it"), size=int(rng.integers(1, 4)))
            words = [*filler, levels[level][0]]
            writer.writerow([" ".join(words), ("negative", "neutral", "positive")[level], level])
    out = tmp_path / "model"
    data = ["--data", "file", "--path", str(path), "--text-col", "review"]
    data += ["--label-col", "rating", "--score-col", "score"]
    small = ["--vocab-size", "100", "--hidden-size", "32", "--intermediate-size", "64"]
    small += ["--num-layers", "1", "--epochs", "4", "--max-length", "12", "--quiet"]
    small += ["--loss", "mse", "--early-stopping-metric", "mae", "--learning-rate", "1e-2"]
    small += ["--dropout", "0", "--batch-size", "16"]
    assert main(["train", *data, "--out", str(out), *small]) == 0
    capsys.readouterr()
    text = "the pill was great"
    args = ["explain", text, "--model", str(out), "--steps", "32", "--format", "json"]
    assert main(args) == 0
    printed = json.loads(capsys.readouterr().out)
    (e,) = (
        [Explanation.from_dict(d) for d in printed]
        if isinstance(printed, list)
        else [Explanation.from_dict(printed)]
    )
    assert e.head == "regression"
    clf = wordlight.load_model(str(out))
    model = clf.model  # the adapter's Hugging Face model
    value = predict_logits(model, clf.tokenizer, [text], 64, 12)[0, 0]
    assert e.value == pytest.approx(float(value), abs=1e-4)
    low = predict_logits(model, clf.tokenizer, ["the pill was awful"], 64, 12)[0, 0]
    assert e.value - float(low) > 1.0  # it learned the ratings (0 and 2): "great" vs "awful"
    gap = e.value - _baseline_value(clf, text)
    assert abs(gap) > 0.1  # the value moves away from the all-[PAD] baseline's
    assert e.total + e.completeness_delta == pytest.approx(gap, abs=1e-5)
    assert abs(e.completeness_delta) < 0.01 * abs(gap)
    assert e.top_words(1)[0][0] == "great"


def _baseline_value(clf, text: str) -> float:
    """The model's value on the pad baseline: every content token replaced by [PAD]."""
    (enc,) = clf.encode([text])
    ids = torch.tensor([[*clf.prefix_ids, *[clf.pad_id] * len(enc.ids), *clf.suffix_ids]])
    with torch.no_grad():
        return float(clf.model(input_ids=ids, attention_mask=torch.ones_like(ids)).logits[0, 0])
