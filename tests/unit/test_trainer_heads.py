"""The ordinal and regression heads trained end to end, class weights, and TensorBoard logs
(small transformer on tasks built in the test; offline, seconds)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch

from wordlight.data import TextDataset
from wordlight.models.decoding import predict
from wordlight.training import TrainConfig, evaluate_outputs, predict_logits, train
from wordlight.training.modeling import save_model
from wordlight.training.scoring import evaluate_model

transformers = pytest.importorskip("transformers")

LEVELS = (("awful", "bad"), ("okay", "fine"), ("great", "superb"))  # low < mid < high
FILLER = ("the", "film", "movie", "plot", "was", "very", "a", "cast")


def ordinal_data(n: int, seed: int, weights: tuple[float, ...] = (1, 1, 1)) -> TextDataset:
    rng = np.random.default_rng(seed)
    p = np.asarray(weights, dtype=float) / sum(weights)
    texts, labels = [], []
    for _ in range(n):
        label = int(rng.choice(3, p=p))
        word = str(rng.choice(LEVELS[label]))
        texts.append(" ".join([*rng.choice(FILLER, size=int(rng.integers(1, 4))), word]))
        labels.append(label)
    scores = tuple(float(y) - 1.0 for y in labels)  # -1, 0, 1
    return TextDataset(tuple(texts), tuple(labels), scores, ("low", "mid", "high"))


def config(**changes: object) -> TrainConfig:
    settings: dict = dict(
        vocab_size=80, hidden_size=32, intermediate_size=64, num_heads=2, num_layers=1,
        learning_rate=1e-2, dropout=0.0, epochs=4, batch_size=16, max_length=12, warmup_ratio=0.1,
        seed=2,
    )  # fmt: skip
    settings.update(changes)
    return TrainConfig(**settings)


def test_ordinal_run_learns_and_saves_a_head_that_decodes_the_same_everywhere(
    tmp_path: Path,
) -> None:
    import wordlight

    data, val = ordinal_data(300, 1), ordinal_data(60, 2)
    result = train(config(loss="ordinal"), data, val, progress=False)
    model = result.model
    assert model.config.num_labels == 2  # K - 1 thresholds
    assert model.config.id2label == {0: ">= mid", 1: ">= high"}
    history = result.metrics["history"]
    assert history[-1]["train_loss"] < history[0]["train_loss"]
    assert result.metrics["validation_accuracy"] >= 0.9
    # evaluation decodes with the one rule: the trainer's figure is recomputed from raw outputs
    raw = predict_logits(model, result.tokenizer, val.texts, 64, 12)
    again = evaluate_outputs(raw, val, "ordinal")
    assert again["accuracy"] == result.metrics["validation_accuracy"]
    # ... and the explanation adapter decodes the saved model the same way
    save_model(model, result.tokenizer, tmp_path)
    classifier = wordlight.load_model(str(tmp_path))
    assert classifier.labels == ("low", "mid", "high")
    report = evaluate_model(str(tmp_path), val, data)
    assert report["head"] == "ordinal"
    assert report["model"]["accuracy"] == result.metrics["validation_accuracy"]
    text = val.texts[0]
    (explanation,) = wordlight.explain(classifier, text, "gradient_x_input")
    assert explanation.target == int(predict(torch.from_numpy(raw[:1]), "ordinal")[0])


def test_regression_run_fits_scores_and_evaluates_against_scipy(tmp_path: Path) -> None:
    stats = pytest.importorskip("scipy.stats")
    data, val = ordinal_data(300, 1), ordinal_data(60, 2)
    result = train(
        config(loss="mse", early_stopping_metric="mae", epochs=6), data, val, progress=False
    )
    assert result.model.config.num_labels == 1
    assert result.model.config.problem_type == "regression"
    history = result.metrics["history"]
    assert history[-1]["train_loss"] < history[0]["train_loss"]
    mean_mae = float(np.mean(np.abs(np.asarray(val.scores) - np.mean(data.scores))))
    assert result.metrics["validation_mae"] < 0.5 * mean_mae  # far better than the mean score
    assert "validation_accuracy" not in result.metrics
    save_model(result.model, result.tokenizer, tmp_path)
    report = evaluate_model(str(tmp_path), val, data)
    assert report["head"] == "regression"
    y = np.asarray(val.scores)
    predicted = predict_logits(result.model, result.tokenizer, val.texts, 64, 12)[:, 0]
    assert report["model"]["mae"] == pytest.approx(float(np.abs(predicted - y).mean()), rel=1e-5)
    assert report["model"]["spearman"] == pytest.approx(stats.spearmanr(y, predicted).statistic)
    mean_score = report["baselines"]["mean_score"]
    assert mean_score["mae"] == pytest.approx(float(np.abs(y - np.mean(data.scores)).mean()))
    assert report["model"]["mae"] < report["baselines"]["tfidf_ridge"]["mae"] + 0.2


def test_class_weights_and_undersampling_change_what_is_trained() -> None:
    skewed, val = ordinal_data(200, 3, weights=(6, 3, 1)), ordinal_data(30, 2)
    counts = np.bincount(skewed.labels, minlength=3)
    run = train(config(epochs=1, balance="undersample"), skewed, val, progress=False)
    assert run.metrics["steps"] == int(np.ceil(3 * counts.min() / 16))
    plain = train(config(epochs=1), skewed, val, progress=False)
    weighted = train(config(epochs=1, balance="class_weights"), skewed, val, progress=False)
    assert plain.metrics["steps"] == weighted.metrics["steps"] == int(np.ceil(200 / 16))
    assert plain.metrics["history"][0]["train_loss"] != weighted.metrics["history"][0]["train_loss"]


def test_tensorboard_gets_scalars_every_step_and_images_every_interval(tmp_path: Path) -> None:
    accumulator = pytest.importorskip("tensorboard.backend.event_processing.event_accumulator")
    pytest.importorskip("matplotlib")
    data, val = ordinal_data(96, 1), ordinal_data(24, 2)
    train(config(epochs=2), data, val, tensorboard_dir=tmp_path, tb_vis_interval=4, progress=False)
    events = accumulator.EventAccumulator(str(tmp_path), size_guidance={"images": 0})
    events.Reload()
    tags = events.Tags()
    assert [e.step for e in events.Scalars("train/loss")] == list(range(1, 13))  # 2 x 6 steps
    assert {"validation/accuracy", "validation/macro_f1", "train/learning_rate"} <= set(
        tags["scalars"]
    )
    # every 4th step (4, 8, 12) and after each epoch (6, 12)
    for tag in ("validation/confusion_matrix", "validation/per_class_f1"):
        steps = [image.step for image in events.Images(tag)]
        assert steps == [4, 6, 8, 12, 12]
        assert events.Images(tag)[0].encoded_image_string.startswith(b"\x89PNG")
