"""Built-in data sets and the fixed splits wordlight trains and evaluates on.

``load_dataset("movies")`` gives the train/validation/test splits of the VADER movie-review
snippets that the built-in "default" model was trained on. Rows with a mean human score of exactly 0
are dropped; the label is the sign of the score (0 = "negative", 1 = "positive"). The split is
fixed: ``numpy.random.default_rng(13).permutation(n)``; the first ``floor(0.8 n)`` permuted rows
are train, the next ``floor(0.1 n)`` validation and the rest test (each split keeps file order).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from wordlight.data import vader
from wordlight.errors import DataError

SENTIMENT_LABELS = ("negative", "positive")
SPLIT_SEED = 13
SPLIT_FRACTIONS = (0.8, 0.1, 0.1)
DATASETS = tuple(vader.FILES)  # "movies", "amazon", "nyt", "tweets"


@dataclass(frozen=True)
class TextDataset:
    """Texts with integer labels (indices into ``label_names``) and the raw scores behind them."""

    texts: tuple[str, ...]
    labels: tuple[int, ...]
    scores: tuple[float, ...]
    label_names: tuple[str, ...]
    ids: tuple[str, ...] = ()  # the source's row ids, when it has them

    def __post_init__(self) -> None:
        n = len(self.texts)
        if len(self.labels) != n or len(self.scores) != n or (self.ids and len(self.ids) != n):
            raise DataError("texts, labels, scores and ids must have the same length")
        if any(not 0 <= label < len(self.label_names) for label in self.labels):
            raise DataError(f"labels must lie in 0..{len(self.label_names) - 1}")

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
        )


@dataclass(frozen=True)
class Splits:
    train: TextDataset
    validation: TextDataset
    test: TextDataset


def load_vader(name: str) -> TextDataset:
    """All rows of one VADER ground-truth set ("movies", "amazon", "nyt", "tweets") with a
    non-zero score, in file order, labelled by the score's sign."""
    rows = [row for row in vader.read_rows(name) if row[1] != 0.0]
    return TextDataset(
        texts=tuple(text for _, _, text in rows),
        labels=tuple(int(score > 0) for _, score, _ in rows),
        scores=tuple(score for _, score, _ in rows),
        label_names=SENTIMENT_LABELS,
        ids=tuple(row_id for row_id, _, _ in rows),
    )


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


def load_dataset(name: str) -> Splits:
    """The fixed train/validation/test splits of a built-in data set (see the module docstring)."""
    return split_dataset(load_vader(name))


__all__ = [
    "DATASETS",
    "SENTIMENT_LABELS",
    "SPLIT_SEED",
    "Splits",
    "TextDataset",
    "load_dataset",
    "load_vader",
    "split_dataset",
    "split_indices",
]
