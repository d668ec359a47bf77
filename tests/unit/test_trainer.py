"""train() with the small transformer on a keyword task built in the test (offline, seconds):
learning, the HF-format round trip, early stopping, resume, checkpoints, TensorBoard."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import torch

from wordlight.data import TextDataset
from wordlight.errors import InputError, ModelError
from wordlight.training import TrainConfig, TrainResult, predict_logits, train
from wordlight.training.modeling import save_model

transformers = pytest.importorskip("transformers")

POSITIVE = ("good", "great", "fine", "lovely")
NEGATIVE = ("bad", "awful", "dull", "poor")
FILLER = ("the", "film", "movie", "plot", "was", "very", "a", "cast")


def keyword_data(n: int, seed: int, flip: bool = False) -> TextDataset:
    """Label 1 iff the one sentiment word is positive; 1-5 filler words around it."""
    rng = np.random.default_rng(seed)
    texts, labels = [], []
    for _ in range(n):
        label = int(rng.integers(2))
        word = str(rng.choice(POSITIVE if label else NEGATIVE))
        before = list(rng.choice(FILLER, size=int(rng.integers(1, 4))))
        after = list(rng.choice(FILLER, size=int(rng.integers(0, 3))))
        texts.append(" ".join([*before, word, *after]))
        labels.append(1 - label if flip else label)
    return TextDataset(tuple(texts), tuple(labels), tuple(map(float, labels)), ("neg", "pos"))


def small_config(**changes: object) -> TrainConfig:
    settings: dict = dict(
        vocab_size=100,
        hidden_size=32,
        intermediate_size=64,
        num_heads=2,
        num_layers=2,
        dropout=0.1,
        learning_rate=3e-3,
        epochs=3,
        batch_size=16,
        max_length=16,
        warmup_ratio=0.1,
        seed=5,
    )
    settings.update(changes)
    return TrainConfig(**settings)


def trainable(result: TrainResult) -> dict[str, torch.Tensor]:
    return {n: p.detach().clone() for n, p in result.model.named_parameters() if p.requires_grad}


@pytest.fixture(scope="module")
def learned() -> TrainResult:
    return train(small_config(), keyword_data(320, 1), keyword_data(64, 2), progress=False)


def test_small_transformer_learns_the_keyword_task(learned: TrainResult) -> None:
    history = learned.metrics["history"]
    assert [r["epoch"] for r in history] == [1, 2, 3]
    assert history[-1]["train_loss"] < history[0]["train_loss"]
    assert learned.metrics["validation_accuracy"] >= 0.9  # the majority class is ~50%
    assert learned.metrics["steps"] == 3 * 20  # ceil(320 / 16) batches per epoch
    config = learned.model.config
    assert (config.hidden_size, config.num_hidden_layers, config.num_attention_heads) == (32, 2, 2)
    positions = learned.model.bert.embeddings.position_embeddings  # learned, unlike the seeds
    assert tuple(positions.weight.shape) == (16, 32)
    vocab = learned.tokenizer.get_vocab()
    assert len(vocab) <= 100 and {"good", "bad", "[CLS]", "[PAD]"} <= set(vocab)


def test_padding_is_masked_batched_equals_one_by_one(learned: TrainResult) -> None:
    # The seeds pooled from the last position, i.e. padding; here a padded row must score as
    # it does alone (a batch of texts with different lengths against one text at a time).
    texts = list(keyword_data(12, 3).texts)
    batched = predict_logits(learned.model, learned.tokenizer, texts, batch_size=12, max_length=16)
    alone = np.concatenate(
        [predict_logits(learned.model, learned.tokenizer, [t], 1, 16) for t in texts]
    )
    np.testing.assert_allclose(batched, alone, atol=1e-5)


def test_saved_in_hf_format_and_explained_by_the_same_adapter(
    learned: TrainResult, tmp_path: Path
) -> None:
    import wordlight

    save_model(learned.model, learned.tokenizer, tmp_path)
    assert (tmp_path / "model.safetensors").is_file()
    assert not list(tmp_path.glob("*.bin"))  # nothing pickled
    classifier = wordlight.load_model(str(tmp_path))
    assert classifier.labels == ("neg", "pos")
    text = "the plot was great"
    reloaded = transformers.AutoModelForSequenceClassification.from_pretrained(tmp_path).eval()
    batch = learned.tokenizer([text], return_tensors="pt")
    with torch.no_grad():
        expected = learned.model(**batch).logits
        assert torch.allclose(reloaded(**batch).logits, expected, atol=1e-6)
        ids, mask = batch["input_ids"], batch["attention_mask"]
        adapted = classifier.logits(classifier.embed(ids), mask)
    assert torch.allclose(adapted, expected, atol=1e-5)
    (explanation,) = wordlight.explain(classifier, text, "gradient_x_input")
    assert explanation.target_label == "pos"
    top = int(np.argmax(np.abs(explanation.word_scores)))
    assert explanation.words[top].text == "great"


def test_wordpiece_vocabulary_is_the_same_every_run() -> None:
    # Tiny corpora have many equally frequent merges; ``tokenizers`` alone broke those ties in
    # hash-map order (a different vocabulary about every other run before the fix).
    from wordlight.training.small_transformer import SPECIAL_TOKENS, train_wordpiece

    texts = keyword_data(48, 1).texts
    vocabs = [train_wordpiece(texts, 100).get_vocab() for _ in range(6)]
    assert all(v == vocabs[0] for v in vocabs)
    assert [t for t, _ in sorted(vocabs[0].items(), key=lambda kv: kv[1])][:5] == list(
        SPECIAL_TOKENS
    )


def test_same_seed_same_weights() -> None:
    data, val = keyword_data(48, 1), keyword_data(16, 2)
    first = train(small_config(epochs=1), data, val, progress=False)
    second = train(small_config(epochs=1), data, val, progress=False)
    a, b = trainable(first), trainable(second)
    assert all(torch.equal(a[k], b[k]) for k in a)
    other = trainable(train(small_config(epochs=1, seed=6), data, val, progress=False))
    assert not all(torch.equal(a[k], other[k]) for k in a)


def test_early_stopping_on_a_chosen_metric_keeps_the_best_epoch() -> None:
    # Flipped validation labels: learning makes validation worse, so epoch 1 stays the best and
    # with patience 1 the run stops after epoch 2 of 6.
    config = small_config(epochs=6, patience=1, early_stopping_metric="loss")
    flipped = keyword_data(64, 2, flip=True)
    result = train(config, keyword_data(160, 1), flipped, progress=False)
    history = result.metrics["history"]
    assert result.metrics["stopped_early"] is True
    assert [r["epoch"] for r in history] == [1, 2]
    assert history[1]["validation_loss"] >= history[0]["validation_loss"]
    assert result.metrics["best_epoch"] == 1
    assert result.metrics["validation_loss"] == history[0]["validation_loss"]


def test_resume_continues_to_the_same_state(tmp_path: Path) -> None:
    data, val = keyword_data(96, 1), keyword_data(32, 2)
    config = small_config(epochs=3, balance="undersample")
    straight = train(config, data, val, checkpoint_dir=tmp_path / "a", progress=False)
    interrupted = tmp_path / "b"
    train(config, data, val, checkpoint_dir=interrupted, stop_after_epochs=1, progress=False)
    assert json.loads((interrupted / "state.json").read_text())["epoch"] == 1
    resumed = train(config, data, val, checkpoint_dir=interrupted, resume=True, progress=False)
    a, b = trainable(straight), trainable(resumed)
    assert all(torch.equal(a[k], b[k]) for k in a)
    assert resumed.metrics["history"] == [
        {**r, "seconds": s["seconds"]}
        for r, s in zip(straight.metrics["history"], resumed.metrics["history"], strict=True)
    ]
    assert resumed.tokenizer.get_vocab() == straight.tokenizer.get_vocab()


def test_checkpoint_holds_safetensors_and_the_best_weights(tmp_path: Path) -> None:
    from safetensors.torch import load_file

    config = small_config(epochs=2, early_stopping_metric="loss")
    data, val = keyword_data(96, 1), keyword_data(32, 2)
    result = train(config, data, val, checkpoint_dir=tmp_path, progress=False)
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "best.safetensors",
        "optimizer.safetensors",
        "rng.safetensors",
        "state.json",
        "weights.safetensors",
    ]
    best, last = (
        load_file(tmp_path / "best.safetensors"),
        load_file(tmp_path / "weights.safetensors"),
    )
    returned = trainable(result)
    assert all(torch.equal(best[k], returned[k]) for k in returned)
    last_is_best = all(torch.equal(last[k], returned[k]) for k in returned)
    assert last_is_best == (result.metrics["best_epoch"] == 2)
    state = json.loads((tmp_path / "state.json").read_text())
    assert TrainConfig.from_dict(state["config"]) == config


def test_corrupt_checkpoint_is_one_clear_line(tmp_path: Path) -> None:
    data, val = keyword_data(32, 1), keyword_data(16, 2)
    config = small_config(epochs=2)
    train(config, data, val, checkpoint_dir=tmp_path, stop_after_epochs=1, progress=False)
    weights = tmp_path / "weights.safetensors"
    weights.write_bytes(weights.read_bytes()[:100])
    with pytest.raises(ModelError, match="corrupt or truncated") as info:
        train(config, data, val, checkpoint_dir=tmp_path, resume=True, progress=False)
    assert "\n" not in str(info.value)
    (tmp_path / "state.json").write_text("{not json")
    with pytest.raises(ModelError, match="not readable JSON"):
        train(config, data, val, checkpoint_dir=tmp_path, resume=True, progress=False)
    with pytest.raises(ModelError, match="no checkpoint"):
        train(config, data, val, checkpoint_dir=tmp_path / "none", resume=True, progress=False)


def test_checkpoint_of_another_architecture_is_refused(tmp_path: Path) -> None:
    data, val = keyword_data(32, 1), keyword_data(16, 2)
    train(small_config(epochs=2), data, val, checkpoint_dir=tmp_path, stop_after_epochs=1,
          progress=False)  # fmt: skip
    with pytest.raises(InputError, match="other settings"):
        train(small_config(epochs=2, num_layers=1), data, val, checkpoint_dir=tmp_path,
              resume=True, progress=False)  # fmt: skip
    # A state.json edited to claim the new settings: the tensors still give it away.
    state = json.loads((tmp_path / "state.json").read_text())
    state["config"] = small_config(epochs=2, num_layers=1).to_dict()
    (tmp_path / "state.json").write_text(json.dumps(state))
    with pytest.raises(ModelError, match="another architecture"):
        train(small_config(epochs=2, num_layers=1), data, val, checkpoint_dir=tmp_path,
              resume=True, progress=False)  # fmt: skip


def test_single_class_and_empty_data_are_input_errors() -> None:
    data = keyword_data(16, 1)
    one = TextDataset(data.texts, (0,) * len(data), data.scores, data.label_names)
    with pytest.raises(InputError, match="single class"):
        train(small_config(), one, data, progress=False)
    empty = TextDataset((), (), (), data.label_names)
    with pytest.raises(InputError, match="non-empty"):
        train(small_config(), data, empty, progress=False)
