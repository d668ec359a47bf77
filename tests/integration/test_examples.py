"""The examples run as documented (they load the real default model: slow lane)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pytest

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


@pytest.mark.slow
def test_demo_explains_movie_snippets(tmp_path, capsys):
    spec = importlib.util.spec_from_file_location("demo", EXAMPLES / "demo.py")
    demo = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(demo)
    exps = demo.main(str(tmp_path), n=4)
    out = capsys.readouterr().out
    assert len(exps) == 5 and "Rare[" in out and "memorable[" in out  # plain view: word[score]
    rare = exps[0]
    assert rare.predicted_label == "positive" and rare.true_label == "positive"
    for e in exps:  # the adaptive rule met its tolerance on every text
        gap = e.total - e.completeness_delta
        assert abs(e.completeness_delta) <= 0.01 * abs(gap) + 1e-6
        assert np.isclose(e.word_scores.sum(), e.scores.sum())
    assert (tmp_path / "demo.html").read_text(encoding="utf-8").count("<mark") >= 30
    assert (tmp_path / "demo.jsonl").read_text(encoding="utf-8").count("\n") == 5


@pytest.mark.slow
def test_layers_report_example_is_complete_per_layer(tmp_path):
    spec = importlib.util.spec_from_file_location("layers", EXAMPLES / "layers_report.py")
    layers = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(layers)
    results = layers.main(str(tmp_path), n_steps=8, information=False)
    rare = results[0]
    assert rare.target_label == "positive" and rare.layers == tuple(range(7))
    np.testing.assert_allclose(rare.scores.sum(1), rare.gap, atol=0.02 * abs(rare.gap))
    assert (tmp_path / "report.html").read_text("utf-8").count("data:image/png") >= 9
    assert (tmp_path / "rare-birds-heatmap.png").read_bytes().startswith(b"\x89PNG")
