"""The two shapes every loader returns: a :class:`TextDataset` and its fixed :class:`Splits`.

Split rule (the same for every data set without its own test split): the rows in source order
are permuted by ``numpy.random.default_rng(seed).permutation(n)`` with ``seed = 13``; the first
``floor(0.8 n)`` permuted rows are train, the next ``floor(0.1 n)`` validation and the rest test;
each split keeps source order. A data set that ships its own train/test split keeps it and
carves validation out of its train part with :func:`carve_validation` (same seed, 10%).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from wordlight.errors import DataError

SPLIT_SEED = 13
SPLIT_FRACTIONS = (0.8, 0.1, 0.1)
Cell = str | float | int  # one value of an extra column
TASKS = ("classification", "ordinal", "regression")
SENTIMENT_LABELS = ("negative", "positive")


@dataclass(frozen=True)
class TextDataset:
    """Texts with integer labels (indices into ``label_names``) and the raw scores behind them.

    ``task`` says how the labels are meant: "classification" (unordered classes), "ordinal"
    (``label_names`` in increasing order) or "regression" (only ``scores`` carry the target).
    ``extra`` holds the source's other columns by name (the essay set, a product category), one
    value per row; every subset and split keeps them.
    """

    texts: tuple[str, ...]
    labels: tuple[int, ...]
    scores: tuple[float, ...]
    label_names: tuple[str, ...]
    ids: tuple[str, ...] = ()  # the source's row ids, when it has them
    task: str = "classification"
    extra: Mapping[str, tuple[Cell, ...]] = field(default_factory=dict, hash=False)

    def __post_init__(self) -> None:
        n = len(self.texts)
        if len(self.labels) != n or len(self.scores) != n or (self.ids and len(self.ids) != n):
            raise DataError("texts, labels, scores and ids must have the same length")
        for name, values in self.extra.items():
            if len(values) != n:
                raise DataError(
                    f"extra column {name!r} has {len(values)} values for {n} rows; "
                    "give one value per row"
                )
        object.__setattr__(self, "extra", {k: tuple(v) for k, v in self.extra.items()})
        if any(not 0 <= label < len(self.label_names) for label in self.labels):
            raise DataError(f"labels must lie in 0..{len(self.label_names) - 1}")
        if self.task not in TASKS:
            raise DataError(f"unknown task {self.task!r}; choose one of: {', '.join(TASKS)}")

    def __len__(self) -> int:
        return len(self.texts)

    def subset(self, indices: Sequence[int] | np.ndarray) -> TextDataset:
        """The rows at ``indices``, in that order."""
        idx = [int(i) for i in indices]
        return TextDataset(
            texts=tuple(self.texts[i] for i in idx),
            labels=tuple(self.labels[i] for i in idx),
            scores=tuple(self.scores[i] for i in idx),
            label_names=self.label_names,
            ids=tuple(self.ids[i] for i in idx) if self.ids else (),
            task=self.task,
            extra={name: tuple(values[i] for i in idx) for name, values in self.extra.items()},
        )

    def class_counts(self) -> tuple[int, ...]:
        """How many rows carry each label, in ``label_names`` order."""
        counts = np.bincount(
            np.asarray(self.labels, dtype=np.int64), minlength=len(self.label_names)
        )
        return tuple(int(c) for c in counts)


@dataclass(frozen=True)
class Splits:
    train: TextDataset
    validation: TextDataset
    test: TextDataset


def split_indices(n: int, seed: int = SPLIT_SEED) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Row indices of train/validation/test: a seeded permutation cut 80/10/10, each part sorted."""
    perm = np.random.default_rng(seed).permutation(n)
    n_train = int(n * SPLIT_FRACTIONS[0])
    n_val = int(n * SPLIT_FRACTIONS[1])
    parts = perm[:n_train], perm[n_train : n_train + n_val], perm[n_train + n_val :]
    train, validation, test = (np.sort(part) for part in parts)
    return train, validation, test


def split_dataset(dataset: TextDataset, seed: int = SPLIT_SEED) -> Splits:
    train, validation, test = split_indices(len(dataset), seed)
    return Splits(dataset.subset(train), dataset.subset(validation), dataset.subset(test))


def carve_validation(
    train: TextDataset, test: TextDataset, fraction: float = 0.1, seed: int = SPLIT_SEED
) -> Splits:
    """Splits of a data set with its own train/test parts: the first ``floor(fraction n)`` rows of
    ``default_rng(seed).permutation(n)`` over the train part become validation (source order)."""
    perm = np.random.default_rng(seed).permutation(len(train))
    n_val = int(len(train) * fraction)
    return Splits(train.subset(np.sort(perm[n_val:])), train.subset(np.sort(perm[:n_val])), test)
