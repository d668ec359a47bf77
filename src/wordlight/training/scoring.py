"""Evaluate a trained model on a data split, beside two baselines fitted on the same data set's
train split: the majority class (the mean score for regression) and TF-IDF + logistic regression
(ridge regression for scores; scikit-learn, ``pip install 'wordlight[train]'``).

Predictions are decoded by wordlight.models.decoding, the same rule explanations use.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from wordlight.checks import require
from wordlight.data import TextDataset
from wordlight.errors import InputError
from wordlight.models.decoding import predict
from wordlight.training.metrics import classification_metrics, regression_metrics


def evaluate_model(
    model: Any,
    dataset: TextDataset,
    train_set: TextDataset,
    *,
    out_dir: str | Path | None = None,
    batch_size: int = 64,
) -> dict[str, Any]:
    """Metrics of ``model`` (a name or folder for ``wordlight.load_model``, or a loaded
    classifier) on ``dataset`` and of the baselines; with ``out_dir``: metrics.json and, for a
    classifier, confusion_matrix.png and per_class.png."""
    import torch

    from wordlight.models.loading import load_model
    from wordlight.training.batching import predict_logits

    if len(dataset) == 0:
        raise InputError("the evaluation split is empty")
    classifier = load_model(model)
    hf_model, tokenizer = classifier.model, classifier.tokenizer  # type: ignore[attr-defined]
    head = str(getattr(classifier, "head", "classification"))
    max_length = min(int(classifier.max_length), 512)
    outputs = predict_logits(hf_model, tokenizer, dataset.texts, batch_size, max_length)
    predicted = predict(torch.from_numpy(outputs), head).numpy()
    report: dict[str, Any] = {"n": len(dataset), "head": head}
    if head == "regression":
        report["model"] = regression_metrics(dataset.scores, predicted.tolist())
        report["baselines"] = _regression_baselines(train_set, dataset)
    else:
        names = tuple(classifier.labels)
        y_true = map_labels(dataset, names)
        report["labels"] = list(names)
        report["model"] = classification_metrics(y_true, predicted.tolist(), names)
        report["baselines"] = _classification_baselines(train_set, dataset, names)
    if out_dir is not None:
        write_report(report, out_dir)
    return report


def map_labels(dataset: TextDataset, model_labels: Sequence[str]) -> list[int]:
    """The data's labels as indices into the model's labels, by name; an InputError names the
    data labels the model has never seen."""
    index = {name: i for i, name in enumerate(model_labels)}
    unseen = [name for name in dataset.label_names if name not in index]
    if unseen:
        raise InputError(
            f"the data has labels the model does not know: {unseen} (model labels: "
            f"{list(model_labels)}); evaluate on data with the model's labels"
        )
    return [index[dataset.label_names[y]] for y in dataset.labels]


def write_report(report: dict[str, Any], out_dir: str | Path) -> Path:
    from wordlight.training.plots import confusion_figure, per_class_figure, save_png

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    (out / "metrics.json").write_text(json.dumps(report, indent=2) + "\n")
    metrics = report["model"]
    if "confusion_matrix" in metrics:
        save_png(
            confusion_figure(metrics["confusion_matrix"], report["labels"]),
            out / "confusion_matrix.png",
        )
        save_png(per_class_figure(metrics["per_class"]), out / "per_class.png")
    return out


def format_report(report: dict[str, Any]) -> str:
    """A small table: the model and the baselines, one row each."""
    keys = (
        ("mae", "rmse", "spearman") if report["head"] == "regression" else ("accuracy", "macro_f1")
    )
    rows = [("model", report["model"]), *report["baselines"].items()]
    lines = [f"{'':24}" + "".join(f"{k:>10}" for k in keys)]
    lines += [f"{name:24}" + "".join(f"{m[k]:>10.4f}" for k in keys) for name, m in rows]
    if "per_class" in report["model"]:
        lines.append(f"\n{'class':24}{'precision':>10}{'recall':>10}{'f1':>10}{'support':>10}")
        for name, m in report["model"]["per_class"].items():
            lines.append(
                f"{name:24}{m['precision']:>10.4f}{m['recall']:>10.4f}{m['f1']:>10.4f}"
                f"{m['support']:>10}"
            )
    return "\n".join(lines)


def _classification_baselines(
    train_set: TextDataset, dataset: TextDataset, names: Sequence[str]
) -> dict[str, Any]:
    y_train = map_labels(train_set, names)
    y_true = map_labels(dataset, names)
    majority = int(np.bincount(y_train, minlength=len(names)).argmax())
    LogisticRegression, make_pipeline, TfidfVectorizer = _sklearn("classification")
    if len(set(y_train)) < 2:
        raise InputError("the train split has a single class; baselines need two or more")
    pipe = make_pipeline(TfidfVectorizer(sublinear_tf=True), LogisticRegression(max_iter=1000))
    pipe.fit(list(train_set.texts), y_train)
    tfidf = [int(p) for p in pipe.predict(list(dataset.texts))]
    return {
        "majority_class": classification_metrics(y_true, [majority] * len(dataset), names),
        "tfidf_logreg": classification_metrics(y_true, tfidf, names),
    }


def _regression_baselines(train_set: TextDataset, dataset: TextDataset) -> dict[str, Any]:
    Ridge, make_pipeline, TfidfVectorizer = _sklearn("regression")
    mean = float(np.mean(train_set.scores))
    pipe = make_pipeline(TfidfVectorizer(sublinear_tf=True), Ridge(alpha=1.0))
    pipe.fit(list(train_set.texts), list(train_set.scores))
    return {
        "mean_score": regression_metrics(dataset.scores, [mean] * len(dataset)),
        "tfidf_ridge": regression_metrics(dataset.scores, pipe.predict(list(dataset.texts))),
    }


def _sklearn(task: str) -> tuple[Any, Any, Any]:
    require("sklearn", "train")
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression, Ridge
    from sklearn.pipeline import make_pipeline

    model = Ridge if task == "regression" else LogisticRegression
    return model, make_pipeline, TfidfVectorizer
