"""Plausibility: how well an explanation agrees with a human rationale (ERASER, DeYoung et al.).

A rationale is a 0/1 mask per token (``level="token"``) or per word (``level="word"``) of the
explanation's text. The explanation's soft scores become a hard rationale by taking its ``k``
highest-scoring units with a positive score, ``k`` = the size of the human rationale unless given.
Every function returns one value per explanation (NaN where undefined). No model is needed.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from wordlight.errors import InputError, one_of
from wordlight.evaluation._removal import LEVELS, _flat
from wordlight.results import Explanation

PLAUSIBILITY_METRICS = ("token_f1", "iou_f1", "auprc")


def _pairs(
    explanations: Sequence[Explanation], rationales: Sequence[Sequence[int]], level: str
) -> list[tuple[np.ndarray, np.ndarray]]:
    if level not in LEVELS:
        raise one_of("level", level, LEVELS)
    if isinstance(explanations, Explanation):
        explanations = [explanations]
    if len(rationales) != len(explanations):
        raise InputError(
            f"{len(rationales)} rationales for {len(explanations)} explanations; give one each"
        )
    out = []
    for i, (e, r) in enumerate(zip(explanations, rationales, strict=True)):
        scores = _flat(e.scores if level == "token" else e.word_scores)
        mask = np.asarray(r, dtype=float)
        if mask.ndim != 1 or len(mask) != len(scores):
            unit = "tokens" if level == "token" else "words"
            raise InputError(
                f"rationale {i} has {mask.size} values but explanation {i} has {len(scores)} "
                f"{unit}; give one 0/1 value per {unit[:-1]}"
            )
        if not np.isin(mask, (0.0, 1.0)).all():
            raise InputError(f"rationale {i} must hold only 0 and 1")
        out.append((scores, mask.astype(bool)))
    return out


def hard_rationale(scores: np.ndarray, k: int) -> np.ndarray:
    """The ``k`` highest-scoring units with a positive score, as a boolean mask."""
    order = np.argsort(-scores, kind="stable")[:k]
    mask = np.zeros(len(scores), dtype=bool)
    mask[[i for i in order if scores[i] > 0]] = True
    return mask


def _f1(precision: float, recall: float) -> float:
    return 0.0 if precision + recall == 0 else 2 * precision * recall / (precision + recall)


def token_f1(
    explanations: Sequence[Explanation],
    rationales: Sequence[Sequence[int]],
    *,
    level: str = "token",
    k: int | None = None,
) -> np.ndarray:
    """F1 of the explanation's top-``k`` units against the human rationale's units."""
    out = []
    for scores, gold in _pairs(explanations, rationales, level):
        pred = hard_rationale(scores, int(gold.sum()) if k is None else k)
        if not pred.any() and not gold.any():
            out.append(float("nan"))
            continue
        tp = float((pred & gold).sum())
        p = tp / pred.sum() if pred.any() else 0.0
        r = tp / gold.sum() if gold.any() else 0.0
        out.append(_f1(p, r))
    return np.array(out)


def spans(mask: np.ndarray) -> list[tuple[int, int]]:
    """Maximal runs of True as half-open ``(start, end)`` pairs."""
    padded = np.concatenate([[0], mask.astype(int), [0]])
    edges = np.diff(padded)
    starts, ends = np.nonzero(edges == 1)[0].tolist(), np.nonzero(edges == -1)[0].tolist()
    return list(zip(starts, ends, strict=True))


def _iou(a: tuple[int, int], b: tuple[int, int]) -> float:
    inter = max(0, min(a[1], b[1]) - max(a[0], b[0]))
    return inter / (max(a[1], b[1]) - min(a[0], b[0]))


def iou_f1(
    explanations: Sequence[Explanation],
    rationales: Sequence[Sequence[int]],
    *,
    level: str = "token",
    k: int | None = None,
    threshold: float = 0.5,
) -> np.ndarray:
    """ERASER's IOU F1: spans of the hard rationale match a human span when their
    intersection over union is at least ``threshold``; F1 of matched predicted / gold spans."""
    if not 0.0 < threshold <= 1.0:
        raise InputError(f"threshold must be in (0, 1], got {threshold}")
    out = []
    for scores, gold in _pairs(explanations, rationales, level):
        pred_spans = spans(hard_rationale(scores, int(gold.sum()) if k is None else k))
        gold_spans = spans(gold)
        if not pred_spans and not gold_spans:
            out.append(float("nan"))
            continue
        p_hit = sum(any(_iou(s, g) >= threshold for g in gold_spans) for s in pred_spans)
        g_hit = sum(any(_iou(s, g) >= threshold for s in pred_spans) for g in gold_spans)
        p = p_hit / len(pred_spans) if pred_spans else 0.0
        r = g_hit / len(gold_spans) if gold_spans else 0.0
        out.append(_f1(p, r))
    return np.array(out)


def average_precision(labels: np.ndarray, scores: np.ndarray) -> float:
    """Area under the precision-recall curve as scikit-learn's average_precision_score
    defines it: sum over score thresholds of (R_n - R_{n-1}) P_n; NaN without positives."""
    y = np.asarray(labels, dtype=bool)
    if not y.any():
        return float("nan")
    order = np.argsort(-np.asarray(scores, float), kind="stable")
    s, y = np.asarray(scores, float)[order], y[order]
    last = np.r_[np.nonzero(np.diff(s))[0], len(s) - 1]  # last index of each distinct score
    tps = np.cumsum(y)[last]
    precision = tps / (last + 1)
    recall = tps / tps[-1]
    return float(np.sum(np.diff(np.r_[0.0, recall]) * precision))


def auprc(
    explanations: Sequence[Explanation],
    rationales: Sequence[Sequence[int]],
    *,
    level: str = "token",
) -> np.ndarray:
    """Average precision of the soft scores against the human rationale (ERASER's AUPRC)."""
    return np.array(
        [
            average_precision(gold, scores)
            for scores, gold in _pairs(explanations, rationales, level)
        ]
    )


def evaluate_plausibility(
    explanations: Sequence[Explanation],
    rationales: Sequence[Sequence[int]],
    metrics: Sequence[str] = PLAUSIBILITY_METRICS,
    *,
    level: str = "token",
) -> dict[str, np.ndarray]:
    """``{metric: one value per explanation}`` for the named plausibility metrics."""
    funcs = {"token_f1": token_f1, "iou_f1": iou_f1, "auprc": auprc}
    out = {}
    for name in metrics:
        if name not in funcs:
            raise one_of("plausibility metric", name, PLAUSIBILITY_METRICS)
        out[name] = funcs[name](explanations, rationales, level=level)
    return out
