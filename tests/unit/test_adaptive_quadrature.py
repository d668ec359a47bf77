"""Locally adaptive Simpson panels: exactness, exact panel errors, point reuse, and where the
points go."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
import torch

from wordlight import IntegratedGradients
from wordlight.errors import InputError
from wordlight.methods._adaptive_quadrature import initial_panels, initial_points
from wordlight.methods._quadrature import nodes


def _values(f, alphas):
    return torch.tensor([f(a) for a in alphas], dtype=torch.float64).view(-1, 1, 1)


def _outputs(big_f, alphas):
    """The model output at the points: an antiderivative of the integrand, (n, 1)."""
    return torch.tensor([big_f(a) for a in alphas], dtype=torch.float64).view(-1, 1)


def _panels(f, big_f, n_panels):
    points = initial_points(n_panels)
    return initial_panels(_values(f, points), _outputs(big_f, points))


def _refine(panels, f, big_f):
    fresh = panels.next_points()
    panels.refine(_values(f, fresh), _outputs(big_f, fresh))
    return fresh


@pytest.mark.parametrize("degree", range(6))
def test_one_panel_is_simpson_and_its_error_is_the_exact_one(degree):
    """Simpson's rule is exact up to degree 3; beyond, the panel's error is exactly
    Simpson's value minus the change of the antiderivative (closed form: 1/6 (0 + 4/2^d + 1))."""
    panels = _panels(lambda a: a**degree, lambda a: a ** (degree + 1) / (degree + 1), 1)
    simpson = (4 / 2**degree + 1) / 6 if degree else 1.0
    assert float(panels.integral()) == pytest.approx(simpson, abs=1e-14)
    assert panels.panels[0].error() == pytest.approx(abs(simpson - 1 / (degree + 1)), abs=1e-14)
    assert (panels.panels[0].error() < 1e-14) == (degree <= 3)


def test_panel_errors_add_up_to_the_completeness_delta():
    f, big_f = (lambda a: math.cos(5 * a)), (lambda a: math.sin(5 * a) / 5)
    panels = _panels(f, big_f, 2)
    for _ in range(3):
        _refine(panels, f, big_f)
    signed = [
        float(p.integral().sum() - (p.outputs[2] - p.outputs[0]).sum()) for p in panels.panels
    ]
    delta = float(panels.integral().sum() - panels.gap.sum())
    assert sum(abs(e) for e in signed) == pytest.approx(sum(p.error() for p in panels.panels))
    assert sum(signed) == pytest.approx(delta, abs=1e-15)
    assert float(panels.gap.sum()) == pytest.approx(big_f(1.0) - big_f(0.0), abs=1e-15)


def test_splitting_reuses_every_point_and_stays_exact():
    f, big_f = (lambda a: math.exp(3 * a)), (lambda a: math.exp(3 * a) / 3)
    panels = _panels(f, big_f, 2)
    seen = set(initial_points(2))
    for _ in range(12):
        fresh = _refine(panels, f, big_f)
        assert not seen.intersection(fresh)  # only new points are asked for
        seen.update(fresh)
        assert panels.n_points == len(seen)
    edges = [(p.lo, p.hi) for p in panels.panels]
    assert edges[0][0] == 0.0 and edges[-1][1] == 1.0
    assert all(a[1] == b[0] for a, b in itertools.pairwise(edges))  # contiguous cover of [0, 1]
    for p in panels.panels:  # each panel holds the integrand and f at its own three points
        mid = (p.lo + p.hi) / 2
        assert p.values.flatten().tolist() == pytest.approx([f(p.lo), f(mid), f(p.hi)])
        assert p.outputs.flatten().tolist() == pytest.approx([big_f(p.lo), big_f(mid), big_f(p.hi)])
    assert float(panels.integral()) == pytest.approx((math.exp(3) - 1) / 3, rel=1e-6)


def test_points_go_where_the_integrand_bends():
    """A steep logistic step at a = 0.8 (like a saturating softmax): the panels shrink around
    the step and stay wide on the flat part, so 1e-4 accuracy takes fewer points than the
    nested Clenshaw-Curtis grid (the other "auto" rule) needs."""
    k, c = 60.0, 0.8
    big_f = lambda a: 1 / (1 + math.exp(-k * (a - c)))  # noqa: E731
    f = lambda a: k * big_f(a) * (1 - big_f(a))  # noqa: E731
    exact = big_f(1.0) - big_f(0.0)
    panels = _panels(f, big_f, 1)
    while abs(float(panels.integral()) - exact) > 1e-4:
        _refine(panels, f, big_f)
    narrowest = min(panels.panels, key=lambda p: p.hi - p.lo)
    assert narrowest.lo - 0.1 < c < narrowest.hi + 0.1
    assert max(p.hi - p.lo for p in panels.panels if p.hi <= 0.5) >= 8 * (
        narrowest.hi - narrowest.lo
    )
    n = 5
    while True:
        alphas, weights = nodes("clenshaw_curtis", n)
        if abs(sum(w * f(a) for a, w in zip(alphas, weights, strict=True)) - exact) <= 1e-4:
            break
        n = 2 * n - 1
    assert panels.n_points < n


def test_adaptive_rule_is_exact_on_a_linear_model_with_five_points(linear_model):
    clf, module, tok = linear_model
    text = "the good movie was not boring"
    (exp,) = IntegratedGradients(n_steps="auto", output="logit").explain(clf, text, target=1)
    ids, _ = tok(text)
    emb, w = module.embedding.weight.detach(), module.head.weight.detach()[1]
    np.testing.assert_allclose(exp.scores, ((emb[ids] - emb[0]) @ w).numpy(), rtol=1e-5, atol=1e-5)
    assert exp.n_steps == 5 and exp.params["rule"] == "adaptive_simpson"


def test_adaptive_rule_needs_auto_steps():
    with pytest.raises(InputError, match="n_steps='auto'"):
        IntegratedGradients(n_steps=16, rule="adaptive_simpson")
