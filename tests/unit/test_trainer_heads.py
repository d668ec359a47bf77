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
    # seed 3: at learning rate 1e-2 this 1-layer model either fits the three levels or stalls
    # on a two-level split (MAE ~0.33), by seed, and which seeds stall changes with the
    # targets' scale (seed 2 fit the raw targets and stalls on standardised ones, seed 4 stalls
    # on both); seed 3 fits both (MAE 0.007 raw, 0.011 standardised)
    result = train(
        config(loss="mse", early_stopping_metric="mae", epochs=6, seed=3), data, val,
        progress=False,
    )  # fmt: skip
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


RATED = {"dreadful": -1.5, "poor": -0.5, "decent": 0.5, "superb": 1.5}  # y = 50 + 20 * value


def rated_data(n: int, seed: int) -> TextDataset:
    """Texts whose one rated word sets a score of about 50 + 20 * value: mean ~50, std ~22."""
    rng = np.random.default_rng(seed)
    words = list(RATED)
    texts, scores = [], []
    for _ in range(n):
        word = words[int(rng.integers(len(words)))]
        texts.append(" ".join([*rng.choice(FILLER, size=int(rng.integers(1, 4))), word]))
        scores.append(50.0 + 20.0 * RATED[word] + float(rng.normal(0.0, 2.0)))
    return TextDataset(tuple(texts), (0,) * n, tuple(scores), ("rating",), task="regression")


def test_mse_on_unscaled_targets_learns_them_and_saves_a_model_in_their_units(
    tmp_path: Path,
) -> None:
    from safetensors.torch import load_file

    import wordlight

    data, val = rated_data(200, 1), rated_data(60, 2)
    y_train, y = np.asarray(data.scores), np.asarray(val.scores)
    assert 45 < y_train.mean() < 55 and 18 < y_train.std() < 26  # far from centred and unit
    run = train(
        config(loss="mse", early_stopping_metric="mae", epochs=4), data, val,
        checkpoint_dir=tmp_path / "ckpt", progress=False,
    )  # fmt: skip
    model = run.model
    assert model.config.wordlight_target_mean == pytest.approx(y_train.mean(), rel=1e-9)
    assert model.config.wordlight_target_std == pytest.approx(y_train.std(), rel=1e-9)
    predicted = predict_logits(model, run.tokenizer, val.texts, 64, 12)[:, 0]
    # not the nearly constant model that raw targets gave: it spreads like them and follows
    # them (4 epochs of a 1-layer model tell the bad words from the good ones, ~0.89)
    assert predicted.std() > 0.5 * y.std()
    assert np.corrcoef(predicted, y)[0, 1] > 0.8
    assert np.abs(predicted - y).mean() < 0.6 * np.abs(y - y_train.mean()).mean()
    assert run.metrics["validation_mae"] == pytest.approx(np.abs(predicted - y).mean(), rel=1e-4)
    # the checkpoint's best weights are the trained model before folding: it answers z, and
    # the saved model answers std * z + mean with numpy's mean and std of the training scores
    save_model(model, run.tokenizer, tmp_path / "model")
    clf = wordlight.load_model(str(tmp_path / "model"))
    saved = predict_logits(clf.model, clf.tokenizer, val.texts, 64, 12)[:, 0]
    np.testing.assert_allclose(saved, predicted, rtol=1e-5, atol=1e-4)
    unfolded = type(model)(model.config)
    unfolded.load_state_dict(load_file(str(tmp_path / "ckpt" / "best.safetensors")))
    z = predict_logits(unfolded, run.tokenizer, val.texts, 64, 12)[:, 0]
    assert abs(z.mean()) < 1.0 and z.std() < 2.0  # standardised units
    np.testing.assert_allclose(saved, y_train.std() * z + y_train.mean(), rtol=1e-4, atol=1e-3)
    # explained in the targets' units: IG's completeness holds on the value
    (e,) = wordlight.explain(clf, val.texts[0], "integrated_gradients", n_steps=64)
    assert e.value == pytest.approx(float(saved[0]), abs=1e-3)
    assert abs(e.completeness_delta) < 0.01 * max(1.0, abs(e.total))


def _tiny_regression(arch: str):
    torch.manual_seed(0)
    size = dict(vocab_size=40, hidden_size=16, num_hidden_layers=1, num_attention_heads=2,
                intermediate_size=32, max_position_embeddings=40, num_labels=1)  # fmt: skip
    if arch == "roberta":
        cfg = transformers.RobertaConfig(**size, pad_token_id=1)
        return transformers.RobertaForSequenceClassification(cfg).eval()
    model = transformers.BertForSequenceClassification(transformers.BertConfig(**size)).eval()
    if arch == "bert_lora":
        peft = pytest.importorskip("peft")
        lora = peft.LoraConfig(
            r=2, target_modules=["query", "value"], modules_to_save=["classifier"]
        )
        model = peft.get_peft_model(model, lora).eval()
    return model


@pytest.mark.parametrize("arch", ["bert", "roberta", "bert_lora"])
def test_folding_the_scale_makes_every_head_answer_std_z_plus_mean(arch: str) -> None:
    """BERT's classifier, RoBERTa's classifier.out_proj, a LoRA model's trained copy of the head
    (and the model merged from it, as save_model writes it)."""
    from wordlight.training.target_scale import TargetScale, fold_into_head

    model = _tiny_regression(arch)
    ids = torch.randint(5, 40, (3, 7), generator=torch.Generator().manual_seed(1))

    def outputs() -> np.ndarray:
        with torch.no_grad():
            return model(input_ids=ids).logits.numpy().astype(np.float64)

    z = outputs()
    fold_into_head(model, TargetScale(mean=50.0, std=20.0), outputs)
    np.testing.assert_allclose(outputs(), 20.0 * z + 50.0, rtol=1e-5)
    assert (model.config.wordlight_target_mean, model.config.wordlight_target_std) == (50.0, 20.0)
    if arch == "bert_lora":
        merged = model.merge_and_unload()
        with torch.no_grad():
            got = merged(input_ids=ids).logits.numpy()
        np.testing.assert_allclose(got, 20.0 * z + 50.0, rtol=1e-5)


def test_a_model_without_a_one_output_layer_is_one_clear_error() -> None:
    from wordlight.errors import ModelError
    from wordlight.training.target_scale import TargetScale, fold_into_head

    size = dict(vocab_size=20, hidden_size=8, num_hidden_layers=1, num_attention_heads=2)
    cfg = transformers.BertConfig(**size, intermediate_size=16, num_labels=3)
    model = transformers.BertForSequenceClassification(cfg)
    with pytest.raises(ModelError, match="no final linear layer with one output"):
        fold_into_head(model, TargetScale(1.0, 2.0), lambda: np.zeros((1, 3)))
