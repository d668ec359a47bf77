"""Against class imbalance: undersampling re-drawn every epoch, or class weights for the loss."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from wordlight.errors import DataError

BALANCING = ("none", "undersample", "class_weights")


def class_counts(labels: Sequence[int], n_classes: int) -> np.ndarray:
    return np.bincount(np.asarray(labels, dtype=np.int64), minlength=n_classes)


def class_weights(labels: Sequence[int], n_classes: int) -> np.ndarray:
    """``n / (K * count_c)`` per class ("balanced" weights, as scikit-learn computes them)."""
    counts = class_counts(labels, n_classes)
    if (counts == 0).any():
        missing = np.flatnonzero(counts == 0).tolist()
        raise DataError(f"classes {missing} have no training examples; cannot weight them")
    return len(labels) / (n_classes * counts.astype(np.float64))


def undersample(labels: Sequence[int], n_classes: int, seed: int, epoch: int) -> np.ndarray:
    """Sorted row indices with every class cut down to the rarest class's count, drawn without
    replacement from ``numpy.random.default_rng([seed, epoch])``: a new draw each epoch, the same
    draw for the same (seed, epoch) on every run (so a resumed run draws what it would have)."""
    y = np.asarray(labels, dtype=np.int64)
    counts = class_counts(labels, n_classes)
    present = counts[counts > 0]
    if len(present) < 2:
        raise DataError("undersampling needs at least two classes in the training data")
    keep = int(present.min())
    rng = np.random.default_rng([seed, epoch])
    parts = [
        rng.choice(np.flatnonzero(y == c), size=keep, replace=False)
        for c in range(n_classes)
        if counts[c] > 0
    ]
    return np.sort(np.concatenate(parts))
