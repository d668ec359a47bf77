"""``wordlight compare`` end to end on a tiny saved model; bad arguments exit 2 with one line."""

from __future__ import annotations

import json

import numpy as np
import pytest

from tests.conftest import TEXTS, tiny_hf
from wordlight import explain, load_model
from wordlight.cli.main import main
from wordlight.evaluation import evaluate_faithfulness
from wordlight.evaluation.compare import Comparison


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory):
    path = tmp_path_factory.mktemp("tiny-bert-compare")
    model, tok = tiny_hf("bert")
    model.save_pretrained(path)
    tok.save_pretrained(path)
    return str(path)


def test_compare_writes_json_and_html(model_dir, tmp_path, capsys):
    out = tmp_path / "r.json"
    argv = ["compare", *TEXTS, "--model", model_dir, "--methods", "saliency", "gradient_x_input",
            "--metrics", "comprehensiveness", "kendall_tau_loo", "--out", str(out),
            "--no-progress"]  # fmt: skip
    assert main(argv) == 0
    captured = capsys.readouterr()
    assert "| saliency |" in captured.out and "wrote the comparison of 4 text(s)" in captured.err
    result = Comparison.from_dict(json.loads(out.read_text(encoding="utf-8")))
    assert result.methods == ("saliency", "gradient_x_input") and result.texts == tuple(TEXTS)
    clf = load_model(model_dir)
    want = evaluate_faithfulness(clf, explain(clf, TEXTS, "gradient_x_input", progress=False),
                                 ["comprehensiveness"], progress=False)  # fmt: skip
    np.testing.assert_allclose(
        result.values["gradient_x_input"]["comprehensiveness"], want["comprehensiveness"],
        atol=1e-6,
    )  # fmt: skip
    page = tmp_path / "r.html"
    argv = ["compare", *TEXTS, "--model", model_dir, "--methods", "saliency", "--metrics",
            "sufficiency", "--out", str(page), "--n", "2", "--no-progress"]  # fmt: skip
    assert main(argv) == 0
    assert page.read_text(encoding="utf-8").count('data-wl="text"') == 2


def test_compare_on_a_built_in_data_set(model_dir, tmp_path):
    """--data/--split/--n: the first n texts of that split, in file order."""
    from wordlight.data import load_dataset

    out = tmp_path / "d.json"
    argv = ["compare", "--data", "movies", "--split", "validation", "--n", "3", "--model",
            model_dir, "--methods", "saliency", "--metrics", "comprehensiveness", "--out",
            str(out), "--no-progress"]  # fmt: skip
    assert main(argv) == 0
    result = Comparison.from_dict(json.loads(out.read_text(encoding="utf-8")))
    assert result.texts == tuple(load_dataset("movies").validation.texts[:3])
    assert len(result.values["saliency"]["comprehensiveness"]) == 3


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--n", "0"], "--n must be >= 1"),
        (["--data", "movies", "a text"], "not several"),
        (["--data", "movies", "--split", "dev"], "unknown split 'dev'"),
        (["--data", "imdb"], "unknown data set 'imdb'"),
        (["a text", "--out", "r.txt"], "give a .html or .json file"),
        (["a text", "--methods", "nope"], "unknown method 'nope'"),
    ],
)
def test_bad_arguments_exit_2(model_dir, extra, message, capsys):
    assert main(["compare", "--model", model_dir, "--no-progress", *extra]) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1
