"""``--label-threshold`` on the commands that explain a model (explain, layers, explain-dataset):
a multi-label model's predicted labels are those whose sigmoid is above it. The reference is the
saved model's own forward pass (sigmoid of its logits), computed here."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import torch

from tests.conftest import tiny_bert_head
from wordlight.cli.main import main
from wordlight.results import Explanation

TEXT = "awful"  # sigmoids about (0.47, 0.56, 0.64): 0.5 and 0.6 predict different label sets


@pytest.fixture(scope="module")
def saved(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, np.ndarray]:
    """A tiny multi-label BERT saved as a model directory, and its sigmoids on TEXT."""
    model, tok = tiny_bert_head("multi_label_classification", 3, seed=6)
    out = tmp_path_factory.mktemp("multi_label")
    model.save_pretrained(out)
    tok.save_pretrained(out)
    with torch.no_grad():
        logits = model(**tok(TEXT, return_tensors="pt")).logits[0].double()
    return out, torch.sigmoid(logits).numpy()


def above(sigmoids: np.ndarray, threshold: float) -> tuple[str, ...]:
    return tuple(f"label_{i}" for i, p in enumerate(sigmoids) if p > threshold)


def test_the_fixture_separates_the_thresholds(saved):
    _, sig = saved
    assert above(sig, 0.5) != above(sig, 0.6) and above(sig, 0.6)  # the tests below can fail


@pytest.mark.parametrize("threshold", [0.5, 0.6])
def test_explain_cuts_the_predicted_labels_at_the_threshold(saved, capsys, threshold):
    path, sig = saved
    args = ["explain", TEXT, "--model", str(path), "--method", "gradient_x_input"]
    if threshold != 0.5:
        args += ["--label-threshold", str(threshold)]
    assert main([*args, "--format", "json"]) == 0
    printed = json.loads(capsys.readouterr().out)
    (e,) = [Explanation.from_dict(d) for d in (printed if isinstance(printed, list) else [printed])]
    assert e.head == "multi_label" and e.label_threshold == threshold
    np.testing.assert_allclose(e.probabilities, sig, atol=1e-6)
    assert e.predicted_labels == above(sig, threshold)
    assert main([*args, "--format", "terminal"]) == 0
    line = capsys.readouterr().out.splitlines()[0]
    assert f"predicted: {', '.join(above(sig, threshold))} |" in line


def test_layers_cuts_the_predicted_labels_at_the_threshold(saved, capsys, tmp_path):
    from wordlight.results import load_layer_explanations

    path, sig = saved
    out = tmp_path / "layers.jsonl"
    args = ["layers", TEXT, "--model", str(path), "--steps", "4", "--layers", "1"]
    assert main([*args, "--label-threshold", "0.6", "--out", str(out), "--no-progress"]) == 0
    (le,) = load_layer_explanations(out)
    assert le.label_threshold == 0.6 and le.predicted_labels == above(sig, 0.6)
    assert le.explanation(1).predicted_labels == above(sig, 0.6)
    capsys.readouterr()
    assert main([*args, "--label-threshold", "0.6", "--no-progress"]) == 0
    assert f"predicted: {', '.join(above(sig, 0.6))} |" in capsys.readouterr().out


def test_explain_dataset_records_the_threshold(saved, tmp_path):
    pytest.importorskip("pyarrow")
    import wordlight

    path, sig = saved
    data = tmp_path / "texts.csv"
    data.write_text(f"text\n{TEXT}\n", encoding="utf-8")
    run = tmp_path / "run"
    args = ["explain-dataset", "--file", str(data), "--model", str(path)]
    args += ["--method", "gradient_x_input", "--out", str(run), "--no-progress"]
    assert main([*args, "--label-threshold", "0.6"]) == 0
    (e,) = wordlight.load_explanations(run)
    assert e.label_threshold == 0.6 and e.predicted_labels == above(sig, 0.6)
    # another threshold is another run: refused unless --overwrite
    assert main(args) == 2
    assert main([*args, "--overwrite"]) == 0
    (e,) = wordlight.load_explanations(run)
    assert e.label_threshold == 0.5 and e.predicted_labels == above(sig, 0.5)


@pytest.mark.parametrize("command", ["explain", "layers", "explain-dataset"])
@pytest.mark.parametrize("bad", ["0", "1", "1.5", "-0.2", "high", "nan"])
def test_a_threshold_outside_0_1_is_one_line_and_a_non_zero_exit(command, bad, capsys, tmp_path):
    args = [command, "--model", "nowhere", "--label-threshold", bad]
    if command == "explain-dataset":
        args += ["--file", str(tmp_path / "x.csv"), "--out", str(tmp_path / "run")]
    else:
        args.insert(1, "some text")
    assert main(args) == 2
    err = capsys.readouterr().err.strip()
    assert err == (
        f"wordlight: error: --label-threshold must be a number between 0 and 1, got {bad!r}"
    )
