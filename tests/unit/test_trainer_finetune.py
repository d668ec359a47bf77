"""Fine-tuning through train() on a tiny BERT built from a config in the test (offline, seconds)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch

from wordlight.data import TextDataset
from wordlight.errors import InputError
from wordlight.training import TrainConfig, TrainResult, evaluate_outputs, predict_logits, train

pytest.importorskip("peft")
transformers = pytest.importorskip("transformers")

POSITIVE = ("good", "great", "fine", "lovely")
NEGATIVE = ("bad", "awful", "dull", "poor")
FILLER = ("the", "film", "movie", "plot", "was", "very", "a", "cast")


@pytest.fixture(scope="module")
def base_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    words = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", *POSITIVE, *NEGATIVE, *FILLER]
    tokenizer = transformers.BertTokenizerFast(vocab={w: i for i, w in enumerate(words)})
    assert tokenizer.unk_token_id not in tokenizer("good film")["input_ids"]
    config = transformers.BertConfig(
        vocab_size=len(words),
        hidden_size=32,
        num_hidden_layers=2,
        num_attention_heads=2,
        intermediate_size=64,
        max_position_embeddings=32,
    )
    torch.manual_seed(0)
    path = tmp_path_factory.mktemp("tiny-bert")
    transformers.BertModel(config).save_pretrained(path)
    tokenizer.save_pretrained(path)
    return path


def _dataset(n: int, seed: int) -> TextDataset:
    rng = np.random.default_rng(seed)
    texts, labels = [], []
    for _ in range(n):
        label = int(rng.integers(2))
        word = rng.choice(POSITIVE if label else NEGATIVE)
        words = [*rng.choice(FILLER, size=3), word, *rng.choice(FILLER, size=2)]
        texts.append(" ".join(words))
        labels.append(label)
    return TextDataset(tuple(texts), tuple(labels), tuple(map(float, labels)), ("neg", "pos"))


def _config(base_dir: Path, **changes: object) -> TrainConfig:
    settings: dict = dict(
        model=str(base_dir),
        lora_rank=4,
        lora_alpha=8,
        lora_dropout=0.0,
        learning_rate=1e-2,
        epochs=4,
        batch_size=16,
        max_length=16,
        seed=3,
    )
    settings.update(changes)
    return TrainConfig(**settings)


def finetune(config: TrainConfig, train_set: TextDataset, validation: TextDataset) -> TrainResult:
    return train(config, train_set, validation, progress=False)


def accuracy(result: TrainResult, dataset: TextDataset) -> float:
    outputs = predict_logits(result.model, result.tokenizer, dataset.texts, 128, 16)
    return float(evaluate_outputs(outputs, dataset, "cross_entropy")["accuracy"])


def test_learns_a_keyword_task(base_dir: Path) -> None:
    train, validation = _dataset(256, 1), _dataset(64, 2)
    result = finetune(_config(base_dir), train, validation)
    model, metrics = result.model, result.metrics
    assert model.config.id2label == {0: "neg", 1: "pos"}
    history = metrics["history"]
    assert [r["epoch"] for r in history] == [1, 2, 3, 4]
    assert history[-1]["train_loss"] < history[0]["train_loss"]
    assert metrics["validation_accuracy"] >= 0.95  # the majority class is ~60%
    assert accuracy(result, validation) == metrics["validation_accuracy"]


def test_returns_the_best_epoch_not_the_last(base_dir: Path) -> None:
    # Validation labels flipped: the better the model learns, the worse it scores there, so the
    # first epoch is the best one and its weights must be the ones returned.
    train, real = _dataset(256, 1), _dataset(64, 2)
    flipped = TextDataset(
        real.texts, tuple(1 - y for y in real.labels), real.scores, ("neg", "pos")
    )
    result = finetune(_config(base_dir), train, flipped)
    metrics = result.metrics
    history = metrics["history"]
    assert metrics["best_epoch"] == 1
    assert history[-1]["validation_accuracy"] < history[0]["validation_accuracy"]
    returned = accuracy(result, flipped)
    assert returned == history[0]["validation_accuracy"] == metrics["validation_accuracy"]
    assert returned != history[-1]["validation_accuracy"]


def test_base_weights_stay_frozen_and_only_lora_and_head_train(base_dir: Path) -> None:
    base = transformers.BertModel.from_pretrained(base_dir)
    result = finetune(_config(base_dir, epochs=1), _dataset(64, 1), _dataset(16, 2))
    model, metrics = result.model, result.metrics
    trained = {n for n, p in model.named_parameters() if p.requires_grad}
    assert trained and all("lora_" in n or "modules_to_save" in n for n in trained)
    assert metrics["trainable_parameters"] == sum(
        p.numel() for p in model.parameters() if p.requires_grad
    )
    lora_layers = {n.split(".lora_")[0] for n in trained if "lora_A" in n}
    assert len(lora_layers) == 2 * 6  # six linear layers in each of the two blocks, not the pooler
    inner = model.base_model.model.bert
    query = inner.encoder.layer[0].attention.self.query.base_layer.weight
    assert torch.equal(query, base.encoder.layer[0].attention.self.query.weight)
    assert torch.equal(inner.pooler.dense.weight, base.pooler.dense.weight)


def test_full_finetune_keeps_frozen_modules_and_trains_the_rest(base_dir: Path) -> None:
    base = transformers.BertModel.from_pretrained(base_dir)
    config = _config(base_dir, lora_rank=0, freeze_modules=("embeddings",), epochs=1)
    model = finetune(config, _dataset(64, 1), _dataset(16, 2)).model
    trained = {n for n, p in model.named_parameters() if p.requires_grad}
    assert trained and not any(".embeddings." in n for n in trained)
    assert any(".encoder." in n for n in trained) and any("classifier" in n for n in trained)
    words = model.bert.embeddings.word_embeddings.weight
    assert torch.equal(words, base.embeddings.word_embeddings.weight)
    query = model.bert.encoder.layer[0].attention.self.query.weight
    assert not torch.equal(query, base.encoder.layer[0].attention.self.query.weight)


@pytest.mark.parametrize("change", [{"freeze_modules": ("embedings",)}])
def test_freezing_an_unknown_module_names_the_ones_there(change: dict, base_dir: Path) -> None:
    from wordlight.errors import ModelError

    with pytest.raises(ModelError, match=r"no such module .*embeddings"):
        finetune(_config(base_dir, lora_rank=0, **change), _dataset(8, 1), _dataset(8, 2))


def test_same_seed_same_model_and_batch_predictions_match_one_by_one(base_dir: Path) -> None:
    train, validation = _dataset(64, 1), _dataset(16, 2)
    config = _config(base_dir, epochs=1)
    run = finetune(config, train, validation)
    first, tokenizer = run.model, run.tokenizer
    second = finetune(config, train, validation).model
    texts = list(validation.texts)
    batched = predict_logits(first, tokenizer, texts, batch_size=5, max_length=16)
    again = predict_logits(second, tokenizer, texts, batch_size=5, max_length=16)
    np.testing.assert_array_equal(batched, again)
    one_by_one = np.concatenate(
        [predict_logits(first, tokenizer, [t], batch_size=1, max_length=16) for t in texts]
    )
    np.testing.assert_allclose(batched, one_by_one, atol=1e-5)


@pytest.mark.parametrize(
    "change",
    [
        {"lora_rank": -1},
        {"learning_rate": 0.0},
        {"warmup_ratio": 1.0},
        {"epochs": 0},
        {"freeze_modules": ("embeddings",)},  # with LoRA: only full fine-tuning freezes
    ],
)
def test_bad_config_is_an_input_error(change: dict, base_dir: Path) -> None:
    with pytest.raises(InputError):
        _config(base_dir, **change)


def test_label_names_must_agree(base_dir: Path) -> None:
    train = _dataset(8, 1)
    other = TextDataset(train.texts, train.labels, train.scores, ("a", "b"))
    with pytest.raises(InputError, match="label names"):
        finetune(_config(base_dir), train, other)


def test_cli_train_preset_default_calls_reproduce(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from wordlight.cli.main import main
    from wordlight.training import default_preset

    calls = []

    def fake(out_dir: Path, *, progress: bool = True) -> dict:
        calls.append((out_dir, progress))
        return {"validation_accuracy": 0.85, "test_accuracy": 0.84, "train_seconds": 12.0}

    monkeypatch.setattr(default_preset, "reproduce_default", fake)
    assert main(["train", "--preset", "default", "--out", str(tmp_path), "--quiet"]) == 0
    assert calls == [(tmp_path, False)]
    assert "test accuracy 0.8400" in capsys.readouterr().out
    with pytest.raises(SystemExit):
        main(["train", "--preset", "nonsense", "--out", str(tmp_path)])
