"""Bad input and limits of the perturbation methods: one clear error line, or a warning and a
result that is still right where a right answer exists."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch

from wordlight import InputError, KernelShap, LeaveOneOut, Lime, ModelError, Occlusion, load_model
from wordlight.methods import PerturbationWarning

TEXT = "the movie was not good but the plot has charm"


def methods(n_samples=40):
    return [Lime(n_samples=n_samples), KernelShap(n_samples=n_samples), Occlusion(), LeaveOneOut()]


@pytest.mark.parametrize(
    "method",
    [Lime(output="logit", ridge=0.0, n_samples=20), KernelShap(output="logit"),
     Occlusion(output="logit"), LeaveOneOut(output="logit")],
    ids=lambda m: m.name,
)  # fmt: skip
def test_text_of_one_token_gets_its_removal_effect(linear_model, method):
    clf, module, tok = linear_model
    (word_id,), _ = tok("charm")
    e, w = module.embedding.weight.detach(), module.head.weight.detach()
    expected = ((e[word_id] - e[clf.mask_id]) @ w.T).numpy()  # f(x) - f(masked), per class
    with warnings.catch_warnings():
        warnings.simplefilter("error", PerturbationWarning)  # enough samples: no warning
        exps = method.explain(clf, "charm", target="all")
    np.testing.assert_allclose([x.scores[0] for x in exps], expected, rtol=1e-5)


@pytest.mark.parametrize("method", methods(), ids=lambda m: m.name)
def test_text_of_special_tokens_only_is_one_clear_error(tiny_bert, method):
    clf = load_model(*tiny_bert)
    with pytest.raises(InputError, match="only special tokens") as info:
        method.explain(clf, ["a good film", "[CLS] [SEP] [MASK]"])
    assert "\n" not in str(info.value)


def test_special_tokens_spelled_in_the_text_are_never_removed(tiny_bert):
    clf = load_model(*tiny_bert)
    for method in methods():
        (exp,) = method.explain(clf, "good [SEP] film")
        assert exp.scores[1] == 0.0
        assert np.abs(exp.scores[[0, 2]]).min() > 0.0


@pytest.mark.parametrize(
    ("method", "least"), [(Lime(n_samples=5), 11), (KernelShap(n_samples=4), 10)]
)
def test_budget_below_the_number_of_features_warns(linear_model, method, least):
    clf, _, _ = linear_model
    with pytest.warns(PerturbationWarning, match=f"at least {least}"):
        (exp,) = method.explain(clf, TEXT, target=1)
    assert np.isfinite(exp.scores).all()
    if exp.completeness_delta is not None:  # KernelSHAP keeps efficiency on any budget
        assert abs(exp.completeness_delta) < 1e-5


def test_flat_model_zero_variance_surrogate_warns_and_scores_zero(linear_model):
    clf, module, _ = linear_model
    with torch.no_grad():
        module.head.weight.zero_()  # logits = bias whatever the words: every sample the same
    with pytest.warns(PerturbationWarning, match="every perturbed output is the same"):
        exps = Lime(n_samples=30).explain(clf, TEXT, target="all")
    for method in (KernelShap(n_samples=30), Occlusion(), LeaveOneOut()):
        exps += method.explain(clf, TEXT, target="all")
    for exp in exps:  # a constant function: no word changes anything
        np.testing.assert_array_equal(exp.scores, 0.0)


@pytest.mark.parametrize("method", methods(), ids=lambda m: m.name)
def test_nan_model_outputs_on_perturbed_inputs_raise_a_model_error(linear_model, method):
    clf, module, _ = linear_model
    with torch.no_grad():
        module.embedding.weight[clf.mask_id] = float("nan")  # only perturbed texts hit it
    with pytest.raises(ModelError, match="NaN") as info:
        method.explain(clf, TEXT)
    assert "\n" not in str(info.value)


def test_mask_replacement_on_a_model_without_a_mask_token(linear_model):
    clf, module, tok = linear_model
    no_mask = type(clf)(forward=module.forward_embeddings, embedding=module.embedding,
                        tokenize=tok, labels=["neg", "pos"], pad_id=0)  # fmt: skip
    with pytest.raises(InputError, match="no mask token"):
        LeaveOneOut(replace="mask").explain(no_mask, TEXT)
    (auto,) = LeaveOneOut(replace="auto", output="logit").explain(no_mask, TEXT, target=1)
    (pad,) = LeaveOneOut(replace="pad", output="logit").explain(no_mask, TEXT, target=1)
    np.testing.assert_array_equal(auto.scores, pad.scores)


@pytest.mark.parametrize(
    ("cls", "params", "match"),
    [
        (Lime, {"n_samples": 1}, "n_samples"),
        (Lime, {"kernel_width": 0.0}, "kernel_width"),
        (Lime, {"ridge": -1.0}, "ridge"),
        (KernelShap, {"n_samples": 0}, "n_samples"),
        (KernelShap, {"level": "char"}, "level"),
        (Occlusion, {"window": 0}, "window"),
        (Occlusion, {"stride": 1.5}, "stride"),
        (LeaveOneOut, {"replace": "unk"}, "replace"),
    ],
)
def test_invalid_hyperparameters(cls, params, match):
    with pytest.raises(InputError, match=match):
        cls(**params)
