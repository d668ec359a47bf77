"""Deletion and insertion curves (Petsiuk et al., 2018, for text): p(target) as the units an
explanation ranks highest are deleted from the text (or inserted into an empty one) in order.

The area under the curve over the fraction of units in [0, 1] is ``deletion_auc`` /
``insertion_auc`` in :mod:`wordlight.evaluation.faithfulness`; here are the curves themselves.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from wordlight.evaluation._metrics import CurveAUC, curve_counts
from wordlight.evaluation._removal import prepare, target_probabilities
from wordlight.results import Explanation


@dataclass(frozen=True)
class Curve:
    """p(target) at each fraction of units deleted (or inserted), and the area under it."""

    kind: str  # "deletion" or "insertion"
    fractions: np.ndarray
    probabilities: np.ndarray

    @property
    def auc(self) -> float:
        y, x = self.probabilities, self.fractions
        return float(np.sum((y[1:] + y[:-1]) * np.diff(x)) / 2.0)


def deletion_curves(
    model: Any, explanations: Sequence[Explanation], max_points: int = 21, **kw: Any
) -> list[Curve]:
    """One deletion curve per explanation (most important units removed first)."""
    return _curves(model, explanations, False, max_points, **kw)


def insertion_curves(
    model: Any, explanations: Sequence[Explanation], max_points: int = 21, **kw: Any
) -> list[Curve]:
    """One insertion curve per explanation (most important units inserted first)."""
    return _curves(model, explanations, True, max_points, **kw)


def _curves(
    model: Any,
    explanations: Sequence[Explanation],
    insertion: bool,
    max_points: int,
    *,
    level: str = "token",
    max_batch_tokens: int | None = None,
    progress: bool | None = None,
) -> list[Curve]:
    from wordlight.evaluation.faithfulness import _points
    from wordlight.models.loading import load_model

    metric = CurveAUC(insertion=insertion, max_points=_points(max_points))
    classifier = load_model(model)
    items = prepare(classifier, explanations, level)
    sequences: list[tuple[int, ...]] = []
    targets: list[int] = []
    bounds: list[tuple[int, int]] = []
    for item in items:
        masks = metric.plan(item)
        bounds.append((len(sequences), len(sequences) + len(masks)))
        sequences.extend(item.kept_ids(m) for m in masks)
        targets.extend([item.target] * len(masks))
    probs = target_probabilities(
        classifier, sequences, targets, max_batch_tokens=max_batch_tokens, progress=progress
    )
    kind = "insertion" if insertion else "deletion"
    return [
        Curve(kind, curve_counts(item.n, metric.max_points) / item.n, probs[a:b])
        for item, (a, b) in zip(items, bounds, strict=True)
    ]
