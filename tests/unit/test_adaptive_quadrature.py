"""Locally adaptive Boole panels: exactness, point reuse, and where the points go."""

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


@pytest.mark.parametrize("degree", range(6))
def test_one_panel_is_exact_for_polynomials_up_to_degree_5(degree):
    panels = initial_panels(_values(lambda a: a**degree, initial_points(1)))
    assert float(panels.integral()) == pytest.approx(1 / (degree + 1), abs=1e-14)
    assert panels.panels[0].error() == pytest.approx(0.0, abs=1e-14) or degree > 3


def test_splitting_reuses_every_point_and_stays_exact():
    f = lambda a: math.exp(3 * a)  # noqa: E731
    panels = initial_panels(_values(f, initial_points(2)))
    seen = set(initial_points(2))
    for _ in range(6):
        fresh = panels.next_points()
        assert not seen.intersection(fresh)  # only new points are asked for
        seen.update(fresh)
        panels.refine(_values(f, fresh))
        assert panels.n_points == len(seen)
    edges = [(p.lo, p.hi) for p in panels.panels]
    assert edges[0][0] == 0.0 and edges[-1][1] == 1.0
    assert all(a[1] == b[0] for a, b in itertools.pairwise(edges))  # contiguous cover of [0, 1]
    assert float(panels.integral()) == pytest.approx((math.exp(3) - 1) / 3, rel=1e-8)


def test_points_go_where_the_integrand_bends():
    """A steep logistic step at a = 0.8 (like a saturating softmax): the panels shrink around
    the step and stay wide on the flat part, so 1e-4 accuracy takes fewer points than the
    nested Clenshaw-Curtis grid (the other "auto" rule) needs."""
    k, c = 60.0, 0.8
    f = lambda a: k * math.exp(-k * (a - c)) / (1 + math.exp(-k * (a - c))) ** 2  # noqa: E731
    exact = 1 / (1 + math.exp(-k * (1 - c))) - 1 / (1 + math.exp(k * c))
    panels = initial_panels(_values(f, initial_points(1)))
    while abs(float(panels.integral()) - exact) > 1e-4:
        panels.refine(_values(f, panels.next_points()))
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
    assert exp.n_steps == 5 and exp.params["rule"] == "adaptive_boole"


def test_adaptive_rule_needs_auto_steps():
    with pytest.raises(InputError, match="n_steps='auto'"):
        IntegratedGradients(n_steps=16, rule="adaptive_boole")
