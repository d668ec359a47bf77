"""Files saved by wordlight 0.1.0 (tests/fixtures/saved_v0, see make_saved_v0.py) still load."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from wordlight.results import Explanation, LayerExplanation, load_explanations

FIXTURES = Path(__file__).parents[1] / "fixtures" / "saved_v0"


def _rows(name: str) -> list[dict]:
    text = (FIXTURES / name).read_text("utf-8")
    if name.endswith(".jsonl"):
        return [json.loads(line) for line in text.splitlines() if line.strip()]
    return json.loads(text)


@pytest.mark.parametrize("name", ["explanations.json", "explanations.jsonl"])
def test_saved_explanations_load_with_their_numbers(name):
    loaded = load_explanations(FIXTURES / name)
    rows = _rows(name)
    assert [e.method for e in loaded] == ["integrated_gradients", "occlusion"]
    for e, row in zip(loaded, rows, strict=True):
        assert isinstance(e, Explanation)
        assert e.text == row["text"]
        assert [t.text for t in e.tokens] == [t for t, _, _ in row["tokens"]]
        np.testing.assert_array_equal(e.scores, row["scores"])
        np.testing.assert_array_equal(e.word_scores, row["word_scores"])
        np.testing.assert_array_equal(e.probabilities, row["probabilities"])
        assert e.target_label == row["target_label"]
    ig, occ = loaded
    assert ig.true_label == "negative"
    assert ig.n_steps == 8 and ig.params["n_steps"] == 8
    assert ig.completeness_delta == pytest.approx(3.807713255810086e-08, rel=0, abs=0)
    assert occ.completeness_delta is None and occ.n_steps is None and occ.true_label is None
    assert [w.text for w in occ.words][3] == "memorable"
    assert occ.words[3].token_indices == (3, 4)


def test_saved_layer_results_load_with_their_numbers():
    from wordlight.results import load_layer_explanations

    (row,) = _rows("layers.jsonl")
    (loaded,) = load_layer_explanations(FIXTURES / "layers.jsonl")
    assert isinstance(loaded, LayerExplanation)
    assert loaded.layers == (0, 1, 2)
    assert loaded.special == (True, False, False, False, True)
    np.testing.assert_array_equal(loaded.scores, row["scores"])
    assert loaded.gap == pytest.approx(-2.473592758178711e-06, rel=0, abs=0)
    assert loaded.steps == (4, 4, 4)
    np.testing.assert_array_equal(loaded.deltas, row["deltas"])
    one = loaded.explanation(2)
    assert one.n_steps == 4
    assert one.completeness_delta == row["deltas"][2]
