"""Metrics against scikit-learn / scipy; undersampling and class weights."""

from __future__ import annotations

import numpy as np
import pytest

from wordlight.errors import DataError
from wordlight.training.metrics import classification_metrics, regression_metrics
from wordlight.training.sampling import class_weights, undersample

sklearn_metrics = pytest.importorskip("sklearn.metrics")


def test_classification_metrics_match_scikit_learn() -> None:
    rng = np.random.default_rng(0)
    y_true = rng.integers(0, 4, size=200)
    y_pred = np.where(rng.random(200) < 0.6, y_true, rng.integers(0, 4, size=200))
    y_pred[y_pred == 3] = 2  # class 3 never predicted: precision 0 by zero_division=0
    names = ("a", "b", "c", "d")
    got = classification_metrics(y_true.tolist(), y_pred.tolist(), names)
    assert got["accuracy"] == pytest.approx(sklearn_metrics.accuracy_score(y_true, y_pred))
    macro = sklearn_metrics.f1_score(y_true, y_pred, average="macro", zero_division=0)
    assert got["macro_f1"] == pytest.approx(macro)
    p, r, f, s = sklearn_metrics.precision_recall_fscore_support(
        y_true, y_pred, labels=[0, 1, 2, 3], zero_division=0
    )
    for i, name in enumerate(names):
        row = got["per_class"][name]
        assert (row["precision"], row["recall"], row["f1"]) == pytest.approx((p[i], r[i], f[i]))
        assert row["support"] == s[i]
    cm = sklearn_metrics.confusion_matrix(y_true, y_pred, labels=[0, 1, 2, 3])
    assert got["confusion_matrix"] == cm.tolist()
    assert got["mae"] == pytest.approx(sklearn_metrics.mean_absolute_error(y_true, y_pred))


def test_regression_metrics_match_scikit_learn_and_scipy() -> None:
    stats = pytest.importorskip("scipy.stats")
    rng = np.random.default_rng(1)
    y = np.round(rng.normal(size=100), 1)  # ties, to check average ranks
    p = np.round(y + rng.normal(scale=0.5, size=100), 1)
    got = regression_metrics(y.tolist(), p.tolist())
    assert got["mae"] == pytest.approx(sklearn_metrics.mean_absolute_error(y, p))
    assert got["rmse"] == pytest.approx(np.sqrt(sklearn_metrics.mean_squared_error(y, p)))
    assert got["spearman"] == pytest.approx(stats.spearmanr(y, p).statistic)


def test_class_weights_are_scikit_learns_balanced_weights() -> None:
    utils = pytest.importorskip("sklearn.utils.class_weight")
    labels = [0] * 50 + [1] * 30 + [2] * 20
    expected = utils.compute_class_weight("balanced", classes=np.arange(3), y=np.array(labels))
    np.testing.assert_allclose(class_weights(labels, 3), expected)
    with pytest.raises(DataError, match="no training examples"):
        class_weights([0, 0, 1], 3)


def test_undersampling_balances_and_is_redrawn_each_epoch() -> None:
    labels = [0] * 60 + [1] * 25 + [2] * 15
    first = undersample(labels, 3, seed=7, epoch=1)
    counts = np.bincount(np.asarray(labels)[first], minlength=3)
    assert counts.tolist() == [15, 15, 15]
    assert len(set(first.tolist())) == len(first)  # without replacement
    np.testing.assert_array_equal(first, undersample(labels, 3, seed=7, epoch=1))  # seeded
    second = undersample(labels, 3, seed=7, epoch=2)
    assert set(first.tolist()) != set(second.tolist())  # a new draw every epoch
    assert set(range(85, 100)) <= set(second.tolist())  # the rarest class is always kept whole
    with pytest.raises(DataError, match="two classes"):
        undersample([1, 1, 1], 3, seed=0, epoch=1)
