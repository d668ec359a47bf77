"""Metrics against scikit-learn / scipy (balancing is tested in test_sampling_data.py)."""

from __future__ import annotations

import numpy as np
import pytest

from wordlight.training.metrics import classification_metrics, regression_metrics

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
