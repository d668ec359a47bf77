"""``wordlight layers`` end to end on a tiny saved model: PNG, HTML report, JSON Lines, table,
and bad input as one line with exit code 2."""

from __future__ import annotations

import numpy as np
import pytest

from tests.conftest import tiny_hf
from wordlight import LayerIntegratedGradients, load_model
from wordlight.cli.main import main
from wordlight.results import load_layer_explanations

pytest.importorskip("matplotlib")
FAST = ["--steps", "4", "--no-progress"]


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory):
    path = tmp_path_factory.mktemp("tiny-bert-layers")
    model, tok = tiny_hf("bert")
    model.save_pretrained(path)
    tok.save_pretrained(path)
    return str(path)


def test_png_and_html_outputs(model_dir, tmp_path):
    png, page = tmp_path / "heatmap.png", tmp_path / "report.html"
    assert main(["layers", "a bad plot", "--model", model_dir, "--out", str(png), *FAST]) == 0
    assert png.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
    code = main(["layers", "a bad plot", "--model", model_dir, "--method", "layer_conductance",
                 "--normalise", "--out", str(page), *FAST])  # fmt: skip
    assert code == 0
    text = page.read_text("utf-8")
    assert text.count("data:image/png;base64,") == 3
    assert "a bad plot" in text


def test_information_at_every_layer_through_the_cli(model_dir, tmp_path):
    """--method information: the report carries the information curves, and the saved result
    equals the information method run layer by layer (same seed)."""
    from wordlight import explain

    page, out = tmp_path / "info.html", tmp_path / "info.jsonl"
    fast = ["-p", "regularization=self", "-p", "max_iterations=120", "-p", "tolerance=0.5"]
    args = ["layers", "a bad plot", "--model", model_dir, "--method", "information", *fast]
    assert main([*args, "--out", str(page), "--no-progress"]) == 0
    text = page.read_text("utf-8")
    assert "information loss per word across layers" in text
    assert text.count("data:image/png;base64,") == 2  # the heatmap and the curves
    assert main([*args, "--out", str(out), "--no-progress"]) == 0
    (saved,) = load_layer_explanations(str(out))
    assert saved.method == "information" and saved.layers == (1, 2)
    clf = load_model(model_dir)
    for row, layer in enumerate(saved.layers):
        (one,) = explain(clf, "a bad plot", "information", layer=layer, regularization="self",
                         max_iterations=120, tolerance=0.5, progress=False)  # fmt: skip
        text_tokens = ~np.array(saved.special)
        np.testing.assert_allclose(saved.scores[row][text_tokens], one.scores, rtol=1e-5)


def test_jsonl_equals_the_api(model_dir, tmp_path):
    out = tmp_path / "r.jsonl"
    args = ["layers", "a bad plot", "--model", model_dir, "--layers", "0,2", "-t", "1"]
    assert main([*args, "--out", str(out), *FAST]) == 0
    (saved,) = load_layer_explanations(str(out))
    (direct,) = LayerIntegratedGradients(n_steps=4, layers=(0, 2)).explain(
        load_model(model_dir), "a bad plot", target=1
    )
    assert saved.layers == (0, 2) and saved.token_labels == direct.token_labels
    np.testing.assert_allclose(saved.scores, direct.scores, rtol=1e-6, atol=1e-9)


def test_auto_steps_through_the_cli(model_dir, tmp_path):
    out = tmp_path / "auto.jsonl"
    args = ["layers", "a bad plot", "--model", model_dir, "--steps", "auto", "--out", str(out)]
    assert main([*args, "-p", "tolerance=0.001", "--no-progress"]) == 0
    (saved,) = load_layer_explanations(str(out))
    assert saved.params["n_steps"] == "auto" and saved.params["rule"] == "adaptive_simpson"
    assert len(saved.steps) == len(saved.layers) and min(saved.steps) >= 5
    bound = np.maximum(1e-3 * abs(saved.gap), 1e-6) + 1e-7
    assert (np.abs(saved.deltas) <= bound).all()


def test_table_on_stdout_has_a_row_per_layer(model_dir, capsys):
    assert main(["layers", "a bad plot", "--model", model_dir, *FAST]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[1].split()[1:] == ["[CLS]", "a", "bad", "plot", "[SEP]"]
    assert [line.split()[0] for line in out[2:5]] == ["emb", "L1", "L2"]


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--layers", "9"], "takes 0..2"),
        (["--method", "saliency"], "layer method"),
        (["--out", "x.pdf"], ".html, .png or .jsonl"),
        (["--layers", "one"], "give integers"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(model_dir, capsys, extra, message):
    assert main(["layers", "a bad plot", "--model", model_dir, *FAST, *extra]) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1


def test_methods_lists_the_layer_methods(capsys):
    import dataclasses

    from wordlight.methods import LAYER_METHODS

    assert main(["methods"]) == 0
    out = capsys.readouterr().out.split("layer methods")[1]
    for name, cls in LAYER_METHODS.items():
        assert f"{name}: {cls.summary}" in out
        assert all(f"    {f.name} = " in out for f in dataclasses.fields(cls))
