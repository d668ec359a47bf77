"""Which class to explain: predicted (default), an index, a label name, "all", or one per text."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from wordlight.errors import InputError, TargetError

Target = int | str | None | Sequence[int | str]


def resolve_targets(target: Any, labels: Sequence[str], probabilities: np.ndarray) -> np.ndarray:
    """Class indices (texts, K): K = 1, or K = n_classes for ``"all"``."""
    n_texts, n_classes = probabilities.shape
    if target is None or (isinstance(target, str) and target == "predicted"):
        return probabilities.argmax(1)[:, None]
    if isinstance(target, str) and target == "all":
        return np.tile(np.arange(n_classes), (n_texts, 1))
    if isinstance(target, str | int | np.integer):
        return np.full(
            (n_texts, 1),
            class_index(int(target) if isinstance(target, np.integer) else target, labels),
        )
    if isinstance(target, Sequence | np.ndarray):
        if len(target) != n_texts:
            raise InputError(f"{len(target)} targets given for {n_texts} texts; give one per text")
        return np.array([[class_index(t, labels)] for t in target])
    raise InputError(f"target {target!r} is not a class index, a label, 'all' or a list of them")


def class_index(target: int | str, labels: Sequence[str]) -> int:
    """The index of one class given as index or label name."""
    listing = ", ".join(f"{i}={name!r}" for i, name in enumerate(labels))
    if isinstance(target, bool):
        raise TargetError(f"target {target!r} is not a class; the classes are {listing}")
    if isinstance(target, int | np.integer):
        if not 0 <= int(target) < len(labels):
            raise TargetError(f"target {int(target)} is out of range; the classes are {listing}")
        return int(target)
    if isinstance(target, str):
        if target in labels:
            return list(labels).index(target)
        if target.lstrip("-").isdigit():
            return class_index(int(target), labels)
        raise TargetError(f"unknown target label {target!r}; the classes are {listing}")
    raise TargetError(f"target {target!r} is not a class; the classes are {listing}")
