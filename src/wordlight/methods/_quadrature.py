"""Quadrature rules on [0, 1] for path integrals: points (alphas) and weights that sum to 1.

Nested rules (Clenshaw-Curtis, trapezoid) keep every point when the number of intervals
doubles: the n-point grid is every other point of the (2n - 1)-point grid, so an adaptive
integration reuses all gradients it has already computed.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Literal, get_args

import numpy as np

# the fixed-grid rules; a method's ``rule`` field is annotated with this, RULES reads it
Rule = Literal[
    "gausslegendre",
    "clenshaw_curtis",
    "riemann_left",
    "riemann_right",
    "riemann_middle",
    "riemann_trapezoid",
]
RULES: tuple[str, ...] = get_args(Rule)


NESTED = ("clenshaw_curtis", "riemann_trapezoid")
Adaptive = Literal["adaptive_simpson"]
ADAPTIVE: str = get_args(Adaptive)[
    0
]  # n_steps="auto" only: locally adaptive panels (_adaptive_quadrature)


def refine(rule: str, n: int) -> int:
    """The next, larger number of points of an adaptive run: 2n - 1 (nested) or 2n."""
    return 2 * n - 1 if rule in NESTED else 2 * n


@lru_cache(maxsize=64)
def nodes(rule: str, n: int) -> tuple[tuple[float, ...], tuple[float, ...]]:
    """``(alphas, weights)`` of an n-point rule; ``sum(weights) == 1`` for every rule."""
    if rule == "gausslegendre":
        x, w = np.polynomial.legendre.leggauss(n)
        return tuple(0.5 * (x + 1.0)), tuple(0.5 * w)
    if rule == "clenshaw_curtis":
        return _clenshaw_curtis(n)
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


def _clenshaw_curtis(n: int) -> tuple[tuple[float, ...], tuple[float, ...]]:
    """n = N + 1 points a_k = (1 - cos(k pi / N)) / 2 and their weights on [0, 1]."""
    if n < 2:
        raise ValueError("clenshaw_curtis needs n_steps >= 2")
    big_n = n - 1
    k = np.arange(n)
    theta = k * np.pi / big_n
    w = np.ones(n)
    for j in range(1, big_n // 2 + 1):
        b = 1.0 if 2 * j == big_n else 2.0
        w -= b * np.cos(2 * j * theta) / (4 * j * j - 1)
    c = np.where((k == 0) | (k == big_n), 1.0, 2.0)
    w = c * w / big_n
    return tuple((1 - np.cos(theta)) / 2), tuple(w / 2)
