"""Known answers on a linear model, where every gradient method has a closed form."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from wordlight import GradientXInput, IntegratedGradients, Saliency
from wordlight.methods._quadrature import RULES, nodes

TEXT = "the good movie was not boring and the plot was great"


def _closed_form(module, tok, text, target, baseline_id):
    ids, _ = tok(text)
    emb = module.embedding.weight.detach()
    w = module.head.weight.detach()[target]
    return ((emb[ids] - emb[baseline_id]) @ w).numpy(), (emb[ids] @ w).numpy(), ids


@pytest.mark.parametrize("rule", RULES)
@pytest.mark.parametrize("baseline", ["pad", "mask"])
def test_ig_on_linear_model_is_delta_x_dot_w(linear_model, rule, baseline):
    clf, module, tok = linear_model
    (exp,) = IntegratedGradients(n_steps=7, rule=rule, baseline=baseline, output="logit").explain(
        clf, TEXT, target=1
    )
    expected, _, _ = _closed_form(module, tok, TEXT, 1, 0 if baseline == "pad" else 3)
    np.testing.assert_allclose(exp.scores, expected, rtol=1e-5, atol=1e-5)
    assert abs(exp.completeness_delta) < 1e-4


def test_ig_zero_baseline_is_x_dot_w(linear_model):
    clf, module, tok = linear_model
    (exp,) = IntegratedGradients(n_steps=3, baseline="zero", output="logit").explain(clf, TEXT, 0)
    _, expected, _ = _closed_form(module, tok, TEXT, 0, 0)
    np.testing.assert_allclose(exp.scores, expected, rtol=1e-5, atol=1e-5)


def test_gradient_x_input_and_saliency_closed_form(linear_model):
    clf, module, tok = linear_model
    (gxi,) = GradientXInput(output="logit").explain(clf, TEXT, target=0)
    _, expected, ids = _closed_form(module, tok, TEXT, 0, 0)
    np.testing.assert_allclose(gxi.scores, expected, rtol=1e-5, atol=1e-5)
    w = module.head.weight.detach()[0]
    (sal,) = Saliency(output="logit").explain(clf, TEXT, target=0)
    np.testing.assert_allclose(sal.scores, np.full(len(ids), float(w.norm())), rtol=1e-5)
    (signed,) = Saliency(output="logit", norm="signed").explain(clf, TEXT, target=0)
    np.testing.assert_allclose(signed.scores, np.full(len(ids), float(w.sum())), rtol=1e-5)


def test_quadrature_rules_integrate_polynomials():
    for rule in RULES:
        a, w = nodes(rule, 64)
        assert sum(w) == pytest.approx(1.0, abs=1e-12)
        assert float(np.dot(w, np.asarray(a) ** 2)) == pytest.approx(1 / 3, abs=1 / 64)
    a, w = nodes("gausslegendre", 5)  # exact for degree <= 9
    assert float(np.dot(w, np.asarray(a) ** 9)) == pytest.approx(0.1, abs=1e-12)


@pytest.mark.parametrize("rule", [None, "clenshaw_curtis", "riemann_trapezoid"])
def test_auto_steps_reach_tolerance_on_a_transformer(tiny_bert, rule):
    from tests.conftest import TEXTS
    from wordlight import load_model

    clf = load_model(*tiny_bert)
    ig = IntegratedGradients(n_steps="auto", rule=rule, tolerance=0.01, min_steps=2)
    for exp in ig.explain(clf, TEXTS):
        gap = exp.scores.sum() - exp.completeness_delta  # = f(x) - f(x')
        assert abs(exp.completeness_delta) <= 0.01 * abs(gap) + 1e-6
        assert exp.n_steps is not None and exp.n_steps >= 2


def test_completeness_with_many_fixed_steps(tiny_bert):
    from tests.conftest import TEXTS
    from wordlight import load_model

    clf = load_model(*tiny_bert)
    exps = IntegratedGradients(n_steps=200).explain(clf, TEXTS)
    probs = np.array([e.probabilities for e in exps])
    for e, p in zip(exps, probs, strict=True):
        assert abs(e.completeness_delta) < 1e-4
        assert e.probabilities[e.target] == pytest.approx(p.max())


def test_all_classes_sum_to_zero_per_token_with_probabilities(tiny_bert):
    """sum_c p_c = 1, so the per-token IG scores over all classes cancel exactly."""
    from tests.conftest import TEXTS
    from wordlight import load_model

    clf = load_model(*tiny_bert)
    exps = IntegratedGradients(n_steps=16).explain(clf, TEXTS[:2], target="all")
    assert [e.target for e in exps] == [0, 1, 2, 0, 1, 2]
    for first in (0, 3):
        total = sum(exps[first + c].scores for c in range(3))
        np.testing.assert_allclose(total, 0.0, atol=1e-6)


@pytest.mark.parametrize("output", ["probability", "logit"])
def test_all_targets_equal_separate_runs(tiny_bert, output):
    from tests.conftest import TEXTS
    from wordlight import load_model

    clf = load_model(*tiny_bert)
    ig = IntegratedGradients(n_steps=12, output=output)
    together = ig.explain(clf, TEXTS[:2], target="all")
    for c in range(3):
        alone = ig.explain(clf, TEXTS[:2], target=c)
        for i in range(2):
            np.testing.assert_allclose(together[3 * i + c].scores, alone[i].scores, atol=1e-6)


def test_no_gradients_leak_into_the_model(tiny_bert):
    from wordlight import load_model

    model, tok = tiny_bert
    IntegratedGradients(n_steps=4).explain(load_model(model, tok), "a good movie")
    assert all(p.grad is None for p in model.parameters())
    assert torch.is_grad_enabled()
