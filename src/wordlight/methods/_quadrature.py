"""Quadrature rules on [0, 1] for path integrals: points (alphas) and weights that sum to 1."""

from __future__ import annotations

from functools import lru_cache

import numpy as np

RULES = (
    "gausslegendre",
    "riemann_left",
    "riemann_right",
    "riemann_middle",
    "riemann_trapezoid",
)


@lru_cache(maxsize=64)
def nodes(rule: str, n: int) -> tuple[tuple[float, ...], tuple[float, ...]]:
    """``(alphas, weights)`` of an n-point rule; ``sum(weights) == 1`` for every rule."""
    if rule == "gausslegendre":
        x, w = np.polynomial.legendre.leggauss(n)
        return tuple(0.5 * (x + 1.0)), tuple(0.5 * w)
    if rule == "riemann_trapezoid":
        if n < 2:
            raise ValueError("riemann_trapezoid needs n_steps >= 2")
        w = np.full(n, 1.0 / (n - 1))
        w[0] = w[-1] = 0.5 / (n - 1)
        return tuple(np.linspace(0.0, 1.0, n)), tuple(w)
    step = 1.0 / n
    offset = {"riemann_left": 0.0, "riemann_right": 1.0, "riemann_middle": 0.5}[rule]
    alphas = (np.arange(n) + offset) * step
    return tuple(alphas), tuple(np.full(n, step))
