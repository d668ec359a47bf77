"""Per-epoch seeded undersampling and balanced class weights (checked against scikit-learn)."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.utils.class_weight import compute_class_weight

from wordlight.data import class_weights, undersample
from wordlight.errors import DataError

# 3 classes of 40, 10 and 5 rows, interleaved
LABELS = np.array([0] * 40 + [1] * 10 + [2] * 5)[np.random.default_rng(0).permutation(55)]


def test_each_epoch_is_balanced_without_repeats() -> None:
    for epoch in range(5):
        idx = undersample(LABELS, 3, seed=7, epoch=epoch)
        assert len(set(idx.tolist())) == len(idx) == 15
        assert np.bincount(LABELS[idx], minlength=3).tolist() == [5, 5, 5]
        # the smallest class is kept whole
        assert sorted(i for i in idx if LABELS[i] == 2) == np.flatnonzero(LABELS == 2).tolist()


def test_same_epoch_same_rows_and_epochs_redraw() -> None:
    first = undersample(LABELS, 3, seed=7, epoch=0)
    assert np.array_equal(first, undersample(LABELS, 3, seed=7, epoch=0))
    assert set(first) != set(undersample(LABELS, 3, seed=7, epoch=1))
    assert set(first) != set(undersample(LABELS, 3, seed=8, epoch=0))


def test_every_majority_row_is_drawn_about_equally_often() -> None:
    epochs = 400
    drawn = np.zeros(len(LABELS))
    for epoch in range(epochs):
        drawn[undersample(LABELS, 3, seed=3, epoch=epoch)] += 1
    # class 0: each row kept with probability 5/40 per epoch -> mean 50, sd ~6.6
    majority = drawn[LABELS == 0]
    assert majority.min() > 25 and majority.max() < 75
    assert majority.sum() == 5 * epochs and np.all(drawn[LABELS == 2] == epochs)


def test_class_weights_match_scikit_learn() -> None:
    expected = compute_class_weight("balanced", classes=np.arange(3), y=LABELS)
    np.testing.assert_allclose(class_weights(LABELS, 3), expected, rtol=1e-6)
    # a class without rows gets 0; the others are weighted over the classes present
    y = np.array([0, 0, 0, 2])
    present = compute_class_weight("balanced", classes=np.array([0, 2]), y=y)
    np.testing.assert_allclose(class_weights(y, 3), [present[0], 0.0, present[1]], rtol=1e-6)


@pytest.mark.parametrize(
    ("labels", "n_classes", "pattern"),
    [
        ([], 2, "non-empty"),
        ([0, 1, 3], 3, r"lie in 0\.\.2"),
        ([-1, 0], 2, r"lie in 0\.\.1"),
        ([1, 1, 1], 2, "at least two classes"),
    ],
)
def test_bad_labels_raise_one_line(labels: list[int], n_classes: int, pattern: str) -> None:
    with pytest.raises(DataError, match=pattern) as info:
        undersample(labels, n_classes, seed=0, epoch=0)
    assert "\n" not in str(info.value)
    if "two classes" not in pattern:
        with pytest.raises(DataError, match=pattern):
            class_weights(labels, n_classes)


def test_negative_seed_or_epoch_raise() -> None:
    with pytest.raises(DataError, match="0 or more"):
        undersample(LABELS, 3, seed=-1, epoch=0)
