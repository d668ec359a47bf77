"""The burn-in rules of the information method's Newton iteration: the MSER truncation cuts off a
trend exactly, never keeps less than the half rule, and on the README toy (a linear Φ with a
closed-form optimum) reaches the optimum in fewer steps from the same noise."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from wordlight.interpreter import calculate_regularization
from wordlight.methods._stationarity import _Stationarity
from wordlight.methods.information_core import FitSettings, fit_sigmas, seeded_noise

W = torch.tensor([10.0, 20.0, 5.0, -20.0, -10.0])


def _feed(stats: _Stationarity, windows: list[float], jitter: list[float]) -> None:
    """One iterate per step: window j holds windows[j] ± jitter[j] (mean exactly windows[j])."""
    t = 0
    for level, wiggle in zip(windows, jitter, strict=True):
        for k in range(stats.w):
            t += 1
            stats.update(torch.tensor([[level + wiggle * (-1) ** k]]), t)


def test_mser_drops_the_approach_and_keeps_the_rest():
    """Windows 0-3 still approach the optimum (levels 4, 2, 1, 0.5), windows 4-19 sit at it
    (alternating 0 and 0.01): the smallest standard error of the remaining mean is after window
    3, so the estimate is the mean of windows 4-19 exactly; the half rule keeps only 10-19."""
    levels = [4.0, 2.0, 1.0, 0.5] + [0.0, 0.01] * 8
    u = torch.zeros(1, 1)
    perturb = torch.ones(1, 1, dtype=torch.bool)
    for rule, first in (("mser", 4), ("half", 10)):
        stats = _Stationarity(u, perturb, tolerance=0.02, tau=1.0, burn_in=rule)
        _feed(stats, levels, [1e-3] * len(levels))
        assert stats.estimate().item() == pytest.approx(np.mean(levels[first:]), abs=1e-7)


def test_mser_never_keeps_fewer_windows_than_the_half_rule():
    """A slow drift to the very end: every truncation up to half is worse than none would be,
    yet the rule cuts at most half (the estimate of the half rule is the worst case)."""
    levels = [float(j) for j in range(12)]
    perturb = torch.ones(1, 1, dtype=torch.bool)
    stats = _Stationarity(torch.zeros(1, 1), perturb, tolerance=0.02, tau=1.0, burn_in="mser")
    _feed(stats, levels, [0.0] * len(levels))
    assert stats.estimate().item() == pytest.approx(np.mean(levels[6:]))


def _toy(seed: int) -> tuple[torch.Tensor, torch.Tensor, np.ndarray]:
    """The README example (x = randn(5, 256)/100, Φ = W @ x) and its closed-form optimum
    σ_i = sqrt(rate/2S) / (|W_i|·sqrt(mean 1/r²)) of the published loss (rate 0.1, S = 5)."""
    torch.manual_seed(seed)
    x = torch.randn(5, 256) / 100
    r = calculate_regularization([torch.randn(5, 256) / 100 for _ in range(100)], lambda v: W @ v)
    star = math.sqrt(0.1 / 10) / (W.double().abs().numpy() * np.sqrt(np.mean(1 / r**2)))
    return x, torch.as_tensor(r), star


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_mser_meets_the_closed_form_in_no_more_steps_than_half(seed):
    x, r, star = _toy(seed)
    perturb = torch.ones(1, 5, dtype=torch.bool)

    def phi(xs: torch.Tensor, rows: torch.Tensor) -> torch.Tensor:
        return torch.einsum("s,rsk->rk", W, xs)

    fits = {}
    for rule in ("half", "mser"):
        settings = FitSettings(rate=0.1, scale=1.0, tolerance=0.01, burn_in=rule)
        noise = seeded_noise([seed], perturb, 256)  # the same stream: the same iterates
        fits[rule] = fit_sigmas(phi, x[None], perturb, settings, noise, regularization=r[None])
    mser, half = fits["mser"], fits["half"]
    assert bool(mser.converged[0]) and bool(half.converged[0])
    np.testing.assert_allclose(mser.sigma[0].numpy(), star, rtol=0.03)
    assert int(mser.iterations[0]) <= int(half.iterations[0])
