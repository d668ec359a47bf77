"""Against class imbalance: undersampling re-drawn every epoch (seeded), or class weights.

``undersample(labels, n_classes, seed, epoch)`` keeps, for every class present, ``m`` rows drawn
without replacement, where ``m`` is the size of the smallest present class. The draw depends only
on ``(seed, epoch)`` (``numpy.random.default_rng([seed, epoch])``): the same epoch gives the same
rows on every run, and each epoch sees a fresh draw of the majority classes, so over the epochs
every row is used. The result is shuffled, ready to be an epoch's row order.

``class_weights(labels, n_classes)`` is the "balanced" weighting ``n / (k * count_c)`` over the
``k`` classes present (scikit-learn's ``compute_class_weight("balanced")``); a class with no rows
gets weight 0 (it contributes no loss anyway).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from wordlight.errors import DataError

BALANCING = ("none", "undersample", "class_weights")


def _counts(labels: Sequence[int] | np.ndarray, n_classes: int) -> tuple[np.ndarray, np.ndarray]:
    y = np.asarray(labels, dtype=np.int64)
    if y.ndim != 1 or y.size == 0:
        raise DataError("balancing needs a non-empty list of integer labels")
    if y.min() < 0 or y.max() >= n_classes:
        raise DataError(f"labels must lie in 0..{n_classes - 1} for {n_classes} classes")
    return y, np.bincount(y, minlength=n_classes)


def undersample(
    labels: Sequence[int] | np.ndarray, n_classes: int, seed: int, epoch: int
) -> np.ndarray:
    """Row indices of one epoch: every present class cut to the smallest one's size, shuffled."""
    if seed < 0 or epoch < 0:
        raise DataError(f"seed and epoch must be 0 or more, got seed={seed}, epoch={epoch}")
    y, counts = _counts(labels, n_classes)
    present = np.flatnonzero(counts)
    if present.size < 2:
        raise DataError("undersampling needs at least two classes in the training data")
    keep = int(counts[present].min())
    rng = np.random.default_rng([seed, epoch])
    chosen = [rng.choice(np.flatnonzero(y == c), size=keep, replace=False) for c in present]
    return rng.permutation(np.concatenate(chosen))


def class_weights(labels: Sequence[int] | np.ndarray, n_classes: int) -> np.ndarray:
    """Per-class loss weights ``n / (k * count_c)`` (0 for a class with no rows), float32."""
    y, counts = _counts(labels, n_classes)
    present = counts > 0
    weights = np.zeros(n_classes, dtype=np.float64)
    weights[present] = y.size / (present.sum() * counts[present])
    return weights.astype(np.float32)
