"""`wordlight train` and `wordlight evaluate` on a user CSV built in the test: the metrics against
scikit-learn on the same predictions, the baselines, the files written, and every bad input as one
line with exit code 2."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np
import pytest

from wordlight.cli.main import main

transformers = pytest.importorskip("transformers")
sk_metrics = pytest.importorskip("sklearn.metrics")
pytest.importorskip("matplotlib")

POSITIVE = ("good", "great", "fine", "lovely")
NEGATIVE = ("bad", "awful", "dull", "poor")
FILLER = ("the", "film", "movie", "plot", "was", "very", "a", "cast")
SMALL = [
    "--vocab-size", "100", "--hidden-size", "32", "--intermediate-size", "64",
    "--num-layers", "1", "--epochs", "3", "--learning-rate", "1e-2", "--dropout", "0",
    "--max-length", "16", "--batch-size", "16", "--quiet",
]  # fmt: skip


def write_csv(path: Path, n: int, seed: int, labels: tuple[str, ...] = ("neg", "pos")) -> Path:
    rng = np.random.default_rng(seed)
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["review", "sentiment"])
        for i in range(n):
            label = labels[i % len(labels)] if len(labels) > 2 else str(rng.choice(labels))
            words = POSITIVE if label == "pos" else NEGATIVE
            text = [*rng.choice(FILLER, size=int(rng.integers(1, 4))), str(rng.choice(words))]
            writer.writerow([" ".join(text), label])
    return path


def data_args(path: Path) -> list[str]:
    return [
        "--data",
        "file",
        "--path",
        str(path),
        "--text-col",
        "review",
        "--label-col",
        "sentiment",
    ]


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("cli")
    data = write_csv(folder / "reviews.csv", 240, 1)
    out = folder / "model"
    assert main(["train", *data_args(data), "--out", str(out), *SMALL]) == 0
    return data, out


def test_train_writes_a_hf_model_a_record_and_a_checkpoint(trained: tuple[Path, Path]) -> None:
    _, out = trained
    assert {"config.json", "model.safetensors", "tokenizer.json", "training.json"} <= {
        p.name for p in out.iterdir()
    }
    assert (out / "checkpoint" / "best.safetensors").is_file()
    record = json.loads((out / "training.json").read_text())
    assert record["config"]["hidden_size"] == 32 and record["config"]["num_layers"] == 1
    assert record["train_size"] == 192 and record["validation_size"] == 24  # 80/10/10 of 240
    assert len(record["history"]) == 3


def test_evaluate_matches_scikit_learn_and_writes_json_and_pngs(
    trained: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from sklearn.dummy import DummyClassifier

    from wordlight.data import load_dataset
    from wordlight.training import predict_logits

    data, model_dir = trained
    args = ["evaluate", str(model_dir), *data_args(data), "--split", "test", "--out", str(tmp_path)]
    assert main(args) == 0
    printed = capsys.readouterr().out
    assert "majority_class" in printed and "tfidf_logreg" in printed
    report = json.loads((tmp_path / "metrics.json").read_text())
    for name in ("confusion_matrix.png", "per_class.png"):
        assert (tmp_path / name).read_bytes().startswith(b"\x89PNG")
    # the same predictions computed here with plain transformers, scored by scikit-learn
    splits = load_dataset(str(data), text_col="review", label_col="sentiment")
    test = splits.test
    model = transformers.AutoModelForSequenceClassification.from_pretrained(model_dir)
    tokenizer = transformers.AutoTokenizer.from_pretrained(model_dir)
    predicted = predict_logits(model, tokenizer, test.texts, 8, 16).argmax(-1)
    y = np.asarray(test.labels)
    assert report["n"] == len(test) == 24
    assert report["model"]["accuracy"] == pytest.approx(sk_metrics.accuracy_score(y, predicted))
    macro = sk_metrics.f1_score(y, predicted, average="macro", zero_division=0)
    assert report["model"]["macro_f1"] == pytest.approx(macro)
    assert report["model"]["confusion_matrix"] == sk_metrics.confusion_matrix(y, predicted).tolist()
    dummy = DummyClassifier(strategy="most_frequent").fit(splits.train.texts, splits.train.labels)
    majority = sk_metrics.accuracy_score(y, dummy.predict(test.texts))
    assert report["baselines"]["majority_class"]["accuracy"] == pytest.approx(majority)
    assert report["baselines"]["tfidf_logreg"]["accuracy"] >= 0.9  # keywords: an easy task


def one_error_line(capsys: pytest.CaptureFixture[str]) -> str:
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("wordlight: error: ")
    return err[0]


def test_unseen_labels_at_evaluation_exit_2(
    trained: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _, model_dir = trained
    other = write_csv(tmp_path / "three.csv", 60, 2, labels=("neg", "pos", "meh"))
    assert main(["evaluate", str(model_dir), *data_args(other)]) == 2
    assert "'meh'" in one_error_line(capsys)


def test_corrupt_model_file_exits_2(
    trained: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import shutil

    data, model_dir = trained
    broken = Path(shutil.copytree(model_dir, tmp_path / "broken"))
    weights = broken / "model.safetensors"
    weights.write_bytes(weights.read_bytes()[:200])
    assert main(["evaluate", str(broken), *data_args(data)]) == 2
    assert "corrupt or truncated" in one_error_line(capsys)


def test_model_of_another_architecture_exits_2(
    trained: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import shutil

    data, model_dir = trained
    other = Path(shutil.copytree(model_dir, tmp_path / "other"))
    config = json.loads((other / "config.json").read_text())
    config.update(hidden_size=64, intermediate_size=128)  # the weights are 32 / 64 wide
    (other / "config.json").write_text(json.dumps(config))
    assert main(["evaluate", str(other), *data_args(data)]) == 2
    assert "another architecture" in one_error_line(capsys)
    # a training checkpoint folder is not a model either
    assert main(["evaluate", str(model_dir / "checkpoint"), *data_args(data)]) == 2
    assert "config.json" in one_error_line(capsys)


def test_resume_with_other_settings_or_a_corrupt_checkpoint_exits_2(
    trained: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import shutil

    data, model_dir = trained
    out = Path(shutil.copytree(model_dir, tmp_path / "run"))
    wider = [*SMALL, "--hidden-size", "64"]
    assert main(["train", *data_args(data), "--out", str(out), *wider, "--resume"]) == 2
    assert "other settings" in one_error_line(capsys)
    (out / "checkpoint" / "optimizer.safetensors").write_bytes(b"\x00" * 10)
    assert main(["train", *data_args(data), "--out", str(out), *SMALL, "--resume"]) == 2
    assert "corrupt" in one_error_line(capsys)


def test_bad_training_input_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    single = write_csv(tmp_path / "single.csv", 40, 3, labels=("pos",))
    assert main(["train", *data_args(single), "--out", str(tmp_path / "m"), *SMALL]) == 2
    assert "single class ('pos')" in one_error_line(capsys)
    assert main(["train", "--out", str(tmp_path / "m"), *SMALL]) == 2
    assert "--data" in one_error_line(capsys)
    data = write_csv(tmp_path / "ok.csv", 40, 3)
    bad_loss = [*SMALL, "--loss", "hinge"]
    assert main(["train", *data_args(data), "--out", str(tmp_path / "m"), *bad_loss]) == 2
    assert "hinge" in one_error_line(capsys)


def test_model_minilm_means_the_packaged_base(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import wordlight.training
    from wordlight.errors import InputError
    from wordlight.models import builtin_default

    seen = []

    def fake_train(config: object, *args: object, **kwargs: object) -> None:
        seen.append(config)
        raise InputError("stopped by the test")

    monkeypatch.setattr(builtin_default, "base_model_dir", lambda: tmp_path / "minilm")
    monkeypatch.setattr(wordlight.training, "train", fake_train)
    data = write_csv(tmp_path / "ok.csv", 40, 3)
    args = ["train", *data_args(data), "--out", str(tmp_path / "m"), "--model", "minilm", "--quiet"]
    assert main(args) == 2
    assert [c.model for c in seen] == [str(tmp_path / "minilm")]  # type: ignore[attr-defined]
    assert "stopped by the test" in one_error_line(capsys)
