"""The linearised solver of the information method against closed forms: the Hutchinson
estimate of Aᵢ equals the exact Jacobian norm, the linear start is the first-order optimum, and
the corrected rounds reach the optimum of a layer that is not linear."""

from __future__ import annotations

import math

import numpy as np
import torch

from wordlight.methods._information_init import (
    LinearisedSettings,
    fit_linearised,
    jacobian_norms,
    seeded_probes,
)
from wordlight.methods.information_core import FitSettings, _Problem, seeded_noise

K = 256  # embedding size: many dimensions, so the estimates are sharp


def problem(phi, x: torch.Tensor, rate: float = 0.1) -> _Problem:
    perturb = torch.ones(x.shape[:2], dtype=torch.bool)
    s = FitSettings(rate=rate, scale=1.0, normalised=True)
    return _Problem(phi, x, perturb, torch.ones(K), None, s)


def test_hutchinson_matches_the_exact_jacobian_norm() -> None:
    torch.manual_seed(0)
    mix = torch.randn(3, 3)  # a linear layer that mixes positions: A_i = Σ_j mix_ji² · ‖W‖²
    w = torch.randn(K, K) / math.sqrt(K)
    x = torch.randn(2, 3, K)

    def phi(xs, rows):
        return torch.einsum("ji,rik->rjk", mix, xs @ w)

    p = problem(phi, x)
    got = jacobian_norms(p, seeded_probes([1, 2], torch.ones(2, 3), K), n=256, chunk=64)
    exact = (mix.square().sum(0)[:, None] * w.square().sum()).T.expand(2, 3) / K  # a = 1/K
    torch.testing.assert_close(got, exact, rtol=0.03, atol=0)


def test_start_is_the_first_order_optimum_and_rounds_fix_the_nonlinearity() -> None:
    """Φ(x) = x + x² at x = 0: Δ = σz + σ²z², so the loss is Σᵢ σᵢ² + 3σᵢ⁴ − c·log σᵢ and the
    optimum solves 2σ² + 12σ⁴ = c; the linearisation alone gives 2σ² = c (11 % too large)."""
    c = 0.1
    x = torch.zeros(2, 3, K)
    p = problem(lambda xs, rows: xs + xs.square(), x, rate=c)
    noise = seeded_noise([5, 6], p.perturb, K)
    probes = seeded_probes([5, 6], torch.ones(2, 3), K)
    start = fit_linearised(p, noise, probes, 1.0, LinearisedSettings(probes=512, rounds=0))
    np.testing.assert_allclose(start.sigma.numpy(), math.sqrt(c / 2), rtol=0.01)
    optimum = math.sqrt((-2 + math.sqrt(4 + 48 * c)) / 24)
    fit = fit_linearised(
        p, noise, probes, 1.0, LinearisedSettings(probes=512, rounds=4, samples=32)
    )
    np.testing.assert_allclose(fit.sigma.numpy(), optimum, rtol=0.02)  # each word: noise
    assert abs(fit.sigma.mean().item() / optimum - 1) < 0.007  # all six: no bias left
    assert abs(math.sqrt(c / 2) / optimum - 1) > 0.1  # the correction was needed


def test_sigma_is_capped_at_scale() -> None:
    x = torch.zeros(1, 2, K)
    p = problem(lambda xs, rows: 1e-4 * xs, x)  # the layer barely sees the input
    fit = fit_linearised(
        p, seeded_noise([0], p.perturb, K), seeded_probes([0], torch.ones(1, 2), K), 1.0,
        LinearisedSettings(probes=8, rounds=1),
    )  # fmt: skip
    np.testing.assert_allclose(fit.sigma.numpy(), 1.0)
