"""Removal metrics as (plan, reduce) pairs, so that one batched pass serves all of them.

``plan(item)`` lists keep-masks over the item's units (one model row each); ``reduce(p, probs,
item)`` turns the full text's target probability ``p`` and those rows' probabilities into one
number. See docs/evaluation.md for the definitions and which direction is better.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from wordlight.evaluation._rank import kendall_tau_b
from wordlight.evaluation._removal import Item, top_count

ERASER_BINS = (0.01, 0.05, 0.1, 0.2, 0.5)
LOO_TIE_TOLERANCE = 1e-6
FERRET_THRESHOLDS = tuple(round(0.1 * k, 1) for k in range(1, 11))


@dataclass(frozen=True)
class RemovalMetric:
    name: str
    higher_is_better: bool

    def plan(self, item: Item) -> list[np.ndarray]:
        raise NotImplementedError

    def reduce(self, p: float, probs: np.ndarray, item: Item) -> float:
        raise NotImplementedError


def _top_mask(item: Item, k: int) -> np.ndarray:
    mask = np.zeros(item.n, dtype=bool)
    mask[item.order()[:k]] = True
    return mask


@dataclass(frozen=True)
class Comprehensiveness(RemovalMetric):
    """ERASER: p(x)_j - p(x without r)_j, r = the top ``fraction`` of units (mean over bins)."""

    bins: tuple[float, ...] = (0.2,)
    name: str = "comprehensiveness"
    higher_is_better: bool = True

    def plan(self, item: Item) -> list[np.ndarray]:
        return [~_top_mask(item, top_count(b, item.n)) for b in self.bins]

    def reduce(self, p: float, probs: np.ndarray, item: Item) -> float:
        return float(np.mean(p - probs))


@dataclass(frozen=True)
class Sufficiency(Comprehensiveness):
    """ERASER: p(x)_j - p(r)_j, only the rationale kept (lower is better)."""

    name: str = "sufficiency"
    higher_is_better: bool = False

    def plan(self, item: Item) -> list[np.ndarray]:
        return [_top_mask(item, top_count(b, item.n)) for b in self.bins]


@dataclass(frozen=True)
class FerretAOPC(RemovalMetric):
    """ferret's AOPC: for t in 10%..100%, the top int(t * n) units, positive-scored ones only;
    a rationale equal to the previous threshold's is skipped; the mean over what is left."""

    sufficiency: bool = False
    name: str = "ferret_aopc_comprehensiveness"
    higher_is_better: bool = True

    def rationales(self, item: Item) -> list[np.ndarray]:
        order, out, last = item.order(), [], None
        for t in FERRET_THRESHOLDS:
            v = int(t * item.n)
            if v <= 0:
                continue
            chosen = frozenset(int(u) for u in order[:v] if item.scores[u] > 0)
            if chosen == last:
                continue
            last = chosen
            mask = np.zeros(item.n, dtype=bool)
            mask[list(chosen)] = True
            out.append(mask)
        return out

    def plan(self, item: Item) -> list[np.ndarray]:
        masks = self.rationales(item)
        return masks if self.sufficiency else [~m for m in masks]

    def reduce(self, p: float, probs: np.ndarray, item: Item) -> float:
        if len(probs) == 0:  # ferret's values for "no rationale"
            return 1.0 if self.sufficiency else 0.0
        return float(np.mean(p - probs))


def curve_counts(n: int, max_points: int) -> np.ndarray:
    """Units removed (or inserted) at each point of a curve: every count 0..n, or
    ``max_points`` of them evenly spread (0 and n always included)."""
    if n + 1 <= max_points:
        return np.arange(n + 1)
    return np.unique(np.round(np.linspace(0, n, max_points)).astype(int))


@dataclass(frozen=True)
class CurveAUC(RemovalMetric):
    """Deletion (most important first) or insertion curve of p(target); area over [0, 1]."""

    insertion: bool = False
    max_points: int = 21
    name: str = "deletion_auc"
    higher_is_better: bool = False

    def plan(self, item: Item) -> list[np.ndarray]:
        out = []
        for k in curve_counts(item.n, self.max_points):
            top = _top_mask(item, int(k))
            out.append(top if self.insertion else ~top)
        return out

    def reduce(self, p: float, probs: np.ndarray, item: Item) -> float:
        x = curve_counts(item.n, self.max_points) / item.n
        return float(np.trapezoid(probs, x)) if hasattr(np, "trapezoid") else _trapz(probs, x)


def _trapz(y: np.ndarray, x: np.ndarray) -> float:
    return float(np.sum((y[1:] + y[:-1]) * np.diff(x)) / 2.0)


@dataclass(frozen=True)
class KendallLOO(RemovalMetric):
    """Kendall tau-b between the scores and leave-one-out drops p(x) - p(x without unit u)."""

    name: str = "kendall_tau_loo"
    higher_is_better: bool = True

    def plan(self, item: Item) -> list[np.ndarray]:
        eye = np.eye(item.n, dtype=bool)
        return [~row for row in eye]

    def reduce(self, p: float, probs: np.ndarray, item: Item) -> float:
        # probabilities equal up to float32 rounding (a repeated word) are ties
        return kendall_tau_b(item.scores, p - probs, y_tol=LOO_TIE_TOLERANCE)


def default_metrics() -> dict[str, RemovalMetric]:
    """Every removal metric under its public name, with the published defaults."""
    metrics: Sequence[RemovalMetric] = (
        Comprehensiveness(name="comprehensiveness"),
        Sufficiency(name="sufficiency"),
        Comprehensiveness(bins=ERASER_BINS, name="aopc_comprehensiveness"),
        Sufficiency(bins=ERASER_BINS, name="aopc_sufficiency"),
        FerretAOPC(),
        FerretAOPC(sufficiency=True, name="ferret_aopc_sufficiency", higher_is_better=False),
        CurveAUC(),
        CurveAUC(insertion=True, name="insertion_auc", higher_is_better=True),
        KendallLOO(),
    )
    return {m.name: m for m in metrics}
