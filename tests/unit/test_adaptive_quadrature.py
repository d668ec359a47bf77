"""Locally adaptive Simpson panels: exactness, exact panel errors, point reuse, where the points
go, and a per-token error estimate that bounds the true error of integrands known in closed
form."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
import torch

from wordlight import IntegratedGradients
from wordlight.errors import InputError
from wordlight.methods import _adaptive_quadrature
from wordlight.methods._adaptive_quadrature import (
    initial_panels,
    initial_points,
    integrate_adaptive,
)
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


def _bumps(seed: int, n_tokens: int = 6):
    """Per-token integrands like an IG path's, with closed-form antiderivatives: a logistic step's
    derivative (a softmax saturating; width 1/4 .. 1/40, random place and sign), paired with one
    of opposite sign near the same place so that the two cancel in the sum, plus a slow cosine.
    Returns (integrand, antiderivative), each (..., n_tokens) at points (...)."""
    rng = np.random.default_rng(seed)
    height = rng.choice([-1, 1], n_tokens) * rng.uniform(0.2, 1.0, n_tokens)
    k, c = rng.uniform(4, 40, n_tokens), rng.uniform(0, 1, n_tokens)
    c[1::2] = c[0::2] + rng.uniform(-0.05, 0.05, n_tokens // 2)
    b, w, phase = (
        rng.uniform(0, 0.1, n_tokens),
        rng.uniform(2, 12, n_tokens),
        rng.uniform(0, 6.3, n_tokens),
    )

    def antiderivative(a: np.ndarray) -> np.ndarray:
        a = a[..., None]
        return height / (1 + np.exp(-k * (a - c))) + b * np.sin(w * a + phase) / w

    def integrand(a: np.ndarray) -> np.ndarray:
        s = 1 / (1 + np.exp(-k * (a[..., None] - c)))
        return height * k * s * (1 - s) + b * np.cos(w * a[..., None] + phase)

    return integrand, antiderivative


def _closed_form_cases(seeds=range(40), tolerances=(0.01,)):
    """(estimate, true error, scale, tolerance) of ``integrate_adaptive`` on every case: the
    largest estimated and true token error, and max(|f(1) - f(0)|, max_i |integral_i|)."""
    out = []
    for seed in seeds:
        g, big_g = _bumps(seed)

        def evaluate(rows, alphas, g=g, big_g=big_g):
            a = alphas.numpy()
            values = torch.from_numpy(g(a))[:, :, None, :]  # (windows, points, K = 1, T)
            return values, torch.from_numpy(big_g(a).sum(-1))[:, :, None]  # f = their sum

        exact = big_g(np.array(1.0)) - big_g(np.array(0.0))
        scale = max(abs(exact.sum()), np.abs(exact).max())
        for tol in tolerances:
            run = integrate_adaptive(
                evaluate, 1, tolerance=tol, atol=1e-9, min_points=5, max_points=513
            )
            true = np.abs(run.values[0, 0].numpy() - exact).max()
            out.append((float(run.token_error[0, 0]), true, scale, tol))
    return out


def test_token_estimate_bounds_the_true_error_of_closed_form_integrands():
    """The reported largest token error is at least the true one on all 50 cases, and every
    token is within tolerance of the exact integral (opposite bumps that cancel in the sum
    included: the completeness test alone passes with tokens far off)."""
    cases = _closed_form_cases() + _closed_form_cases(range(10), tolerances=(0.002,))
    for estimate, true, scale, tol in cases:
        assert true <= estimate, (true / scale, estimate / scale)
        assert true <= tol * scale


def test_the_closed_form_cases_catch_an_optimistic_estimate(monkeypatch):
    """The test above has teeth: Richardson's |S2 - S1| / 15 per half, without the floor of the
    exact panel error, leaves some token beyond its estimate on the same cases."""
    monkeypatch.setattr(_adaptive_quadrature, "_SHARE", 15.0)
    monkeypatch.setattr(_adaptive_quadrature, "_SUM_FLOOR", 0.0)
    cases = _closed_form_cases()
    assert sum(true > estimate for estimate, true, _, _ in cases) >= 3
