"""Faithfulness of explanations: does removing what a method calls important change the model?

Every function takes a model (a TextClassifier) and Explanations made with it, and returns one
number per explanation (NaN where the metric is undefined, e.g. Kendall tau on one unit). All
model calls of all texts, removal levels and metrics go through one batched pass. Definitions,
formulas and which direction is better: docs/evaluation.md.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from wordlight.errors import InputError, one_of
from wordlight.evaluation._metrics import (
    ERASER_BINS,
    Comprehensiveness,
    CurveAUC,
    FerretAOPC,
    KendallLOO,
    RemovalMetric,
    Sufficiency,
    default_metrics,
)
from wordlight.evaluation._removal import prepare, target_probabilities
from wordlight.models.protocol import TextClassifier
from wordlight.results import Explanation

FAITHFULNESS_METRICS = tuple(default_metrics())


def evaluate_faithfulness(
    model: Any,
    explanations: Sequence[Explanation],
    metrics: Sequence[str | RemovalMetric] = FAITHFULNESS_METRICS,
    *,
    level: str = "token",
    max_batch_tokens: int | None = None,
    progress: bool | None = None,
) -> dict[str, np.ndarray]:
    """``{metric name: one value per explanation}`` for all ``metrics`` in one batched pass.

    ``level="token"`` ranks and removes model tokens (as ERASER); ``"word"`` whole words.
    The metrics measure what the model's head outputs (a class probability, a label's sigmoid
    probability, a regression value); a metric with no meaning for the head is an InputError
    (the default set leaves ferret's AOPCs out for a regression model).
    """
    from wordlight.models.loading import load_model

    if metrics is FAITHFULNESS_METRICS and getattr(model, "head", None) == "regression":
        metrics = [m for m in metrics if m not in PROBABILITY_ONLY]  # the default set: drop them
    chosen = [_metric(m) for m in metrics]
    if not chosen:
        raise InputError(f"no metrics given; choose from: {', '.join(FAITHFULNESS_METRICS)}")
    classifier: TextClassifier = load_model(model)
    check_head(classifier, explanations, chosen)
    items = prepare(classifier, explanations, level)
    sequences: list[tuple[int, ...]] = []
    targets: list[int] = []
    spans = []  # per item: index of its full row, then (start, stop) of each metric's rows
    for item in items:
        full = len(sequences)
        sequences.append(item.ids)
        targets.append(item.target)
        ranges = []
        for metric in chosen:
            masks = metric.plan(item)
            ranges.append((len(sequences), len(sequences) + len(masks)))
            sequences.extend(item.kept_ids(m) for m in masks)
            targets.extend([item.target] * len(masks))
        spans.append((full, ranges))
    probs = target_probabilities(
        classifier,
        sequences,
        targets,
        max_batch_tokens=max_batch_tokens,
        progress=progress,
        desc="faithfulness",
    )
    out = {m.name: np.full(len(items), np.nan) for m in chosen}
    for i, (item, (full, ranges)) in enumerate(zip(items, spans, strict=True)):
        for metric, (a, b) in zip(chosen, ranges, strict=True):
            out[metric.name][i] = metric.reduce(float(probs[full]), probs[a:b], item)
    return out


# metrics whose definition assumes a probability in [0, 1] (ferret scores an empty rationale 1 or 0)
PROBABILITY_ONLY = ("ferret_aopc_comprehensiveness", "ferret_aopc_sufficiency")


def check_head(
    model: TextClassifier, explanations: Sequence[Explanation], metrics: Sequence[RemovalMetric]
) -> None:
    """One line when the explanations were made for another head than the model's, or when a
    metric has no meaning for the model's head (the others measure the value it outputs:
    a class probability, a label's sigmoid probability or a regression value)."""
    head = str(getattr(model, "head", "classification"))
    for i, e in enumerate(
        [explanations] if isinstance(explanations, Explanation) else explanations
    ):
        if e.head != head:
            raise InputError(
                f"explanation {i} explains a {e.head} head but the model has a {head} head; "
                "evaluate with the model that made it"
            )
    if head == "regression":
        for metric in metrics:
            if metric.name in PROBABILITY_ONLY:
                raise InputError(
                    f"{metric.name} has no meaning for a regression model (it scores an empty "
                    "rationale as a probability of 1 or 0); use comprehensiveness, sufficiency, "
                    "the AUCs or kendall_tau_loo"
                )


def _metric(metric: str | RemovalMetric) -> RemovalMetric:
    if isinstance(metric, RemovalMetric):
        return metric
    known = default_metrics()
    if metric not in known:
        raise one_of("faithfulness metric", metric, known)
    return known[metric]


def _check_fraction(fraction: float) -> float:
    if not 0.0 < fraction <= 1.0:
        raise InputError(f"fraction must be in (0, 1], got {fraction}")
    return float(fraction)


def comprehensiveness(
    model: Any, explanations: Sequence[Explanation], fraction: float = 0.2, **kw: Any
) -> np.ndarray:
    """ERASER comprehensiveness p(x)_j - p(x without r)_j, r = top ``fraction`` of units."""
    metric = Comprehensiveness(bins=(_check_fraction(fraction),))
    return evaluate_faithfulness(model, explanations, [metric], **kw)[metric.name]


def sufficiency(
    model: Any, explanations: Sequence[Explanation], fraction: float = 0.2, **kw: Any
) -> np.ndarray:
    """ERASER sufficiency p(x)_j - p(r)_j, r = top ``fraction`` of units (lower is better)."""
    metric = Sufficiency(bins=(_check_fraction(fraction),))
    return evaluate_faithfulness(model, explanations, [metric], **kw)[metric.name]


def aopc_comprehensiveness(
    model: Any,
    explanations: Sequence[Explanation],
    bins: Sequence[float] = ERASER_BINS,
    **kw: Any,
) -> np.ndarray:
    """ERASER's AOPC comprehensiveness: the mean over ``bins`` of comprehensiveness."""
    metric = Comprehensiveness(bins=tuple(_check_fraction(b) for b in bins), name="aopc")
    return evaluate_faithfulness(model, explanations, [metric], **kw)[metric.name]


def aopc_sufficiency(
    model: Any,
    explanations: Sequence[Explanation],
    bins: Sequence[float] = ERASER_BINS,
    **kw: Any,
) -> np.ndarray:
    """ERASER's AOPC sufficiency: the mean over ``bins`` of sufficiency (lower is better)."""
    metric = Sufficiency(bins=tuple(_check_fraction(b) for b in bins), name="aopc")
    return evaluate_faithfulness(model, explanations, [metric], **kw)[metric.name]


def ferret_aopc_comprehensiveness(
    model: Any, explanations: Sequence[Explanation], **kw: Any
) -> np.ndarray:
    """ferret's AOPC comprehensiveness (10%..100%, positive-scored units only)."""
    metric = FerretAOPC()
    return evaluate_faithfulness(model, explanations, [metric], **kw)[metric.name]


def ferret_aopc_sufficiency(
    model: Any, explanations: Sequence[Explanation], **kw: Any
) -> np.ndarray:
    """ferret's AOPC sufficiency (10%..100%, positive-scored units only; lower is better)."""
    metric = FerretAOPC(sufficiency=True, name="ferret_aopc_sufficiency")
    return evaluate_faithfulness(model, explanations, [metric], **kw)[metric.name]


def kendall_tau_loo(model: Any, explanations: Sequence[Explanation], **kw: Any) -> np.ndarray:
    """Kendall tau-b between each explanation and leave-one-out (NaN for a single unit)."""
    metric = KendallLOO()
    return evaluate_faithfulness(model, explanations, [metric], **kw)[metric.name]


def deletion_auc(
    model: Any, explanations: Sequence[Explanation], max_points: int = 21, **kw: Any
) -> np.ndarray:
    """Area under the deletion curve (most important units removed first; lower is better)."""
    metric = CurveAUC(max_points=_points(max_points))
    return evaluate_faithfulness(model, explanations, [metric], **kw)[metric.name]


def insertion_auc(
    model: Any, explanations: Sequence[Explanation], max_points: int = 21, **kw: Any
) -> np.ndarray:
    """Area under the insertion curve (most important units added first; higher is better)."""
    metric = CurveAUC(insertion=True, max_points=_points(max_points), name="insertion_auc")
    return evaluate_faithfulness(model, explanations, [metric], **kw)[metric.name]


def _points(max_points: int) -> int:
    if max_points < 2:
        raise InputError(f"max_points must be >= 2, got {max_points}")
    return int(max_points)
