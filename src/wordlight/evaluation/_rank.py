"""Rank correlations (Kendall tau-b, Spearman rho) with ties, NaN when undefined."""

from __future__ import annotations

import numpy as np


def kendall_tau_b(x: np.ndarray, y: np.ndarray, y_tol: float = 0.0) -> float:
    """Kendall's tau-b; NaN for fewer than two values or a constant side. Values of ``y`` within
    ``y_tol`` of each other count as tied (model outputs equal up to float rounding)."""
    x, y = np.asarray(x, float), np.asarray(y, float)
    if len(x) < 2:
        return float("nan")
    dx = np.sign(x[:, None] - x[None, :])
    diff = y[:, None] - y[None, :]
    dy = np.where(np.abs(diff) <= y_tol, 0.0, np.sign(diff))
    upper = np.triu_indices(len(x), 1)
    s, tx, ty = (dx * dy)[upper].sum(), (dx != 0)[upper].sum(), (dy != 0)[upper].sum()
    if tx == 0 or ty == 0:
        return float("nan")
    return float(s / np.sqrt(float(tx) * float(ty)))


def average_ranks(x: np.ndarray) -> np.ndarray:
    """Ranks 1..n, ties given their mean rank."""
    x = np.asarray(x, float)
    order = np.argsort(x, kind="stable")
    ranks = np.empty(len(x))
    sorted_x = x[order]
    i = 0
    while i < len(x):
        j = i
        while j + 1 < len(x) and sorted_x[j + 1] == sorted_x[i]:
            j += 1
        ranks[order[i : j + 1]] = (i + j) / 2.0 + 1.0
        i = j + 1
    return ranks


def spearman(x: np.ndarray, y: np.ndarray) -> float:
    """Spearman's rho (Pearson correlation of average ranks); NaN when undefined."""
    if len(x) < 2:
        return float("nan")
    rx, ry = average_ranks(x), average_ranks(y)
    rx, ry = rx - rx.mean(), ry - ry.mean()
    denom = np.sqrt((rx**2).sum() * (ry**2).sum())
    return float((rx * ry).sum() / denom) if denom > 0 else float("nan")
