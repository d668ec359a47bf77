"""The Explanation type: words from offsets, sign kept, lossless save/load."""

from __future__ import annotations

import numpy as np
import pytest

from wordlight import Explanation, InputError, Token, load_explanations, save_explanations
from wordlight.results.words import group_words


def _exp(**kw):
    text = "Unbelievably dull, isn't it?"
    tokens = (
        Token("Un", 0, 2), Token("believ", 2, 8), Token("ably", 8, 12), Token("dull", 13, 17),
        Token(",", 17, 18), Token("isn", 19, 22), Token("'t", 22, 24), Token("it", 25, 27),
        Token("?", 27, 28),
    )  # fmt: skip
    base = dict(
        text=text, tokens=tokens,
        scores=np.array([0.1, -0.4, 0.2, -0.9, 0.0, 0.05, -0.3, 0.0, 0.01]),
        target=0, target_label="neg", labels=("neg", "pos"), probabilities=np.array([0.8, 0.2]),
        method="integrated_gradients", params={"n_steps": 8}, completeness_delta=1e-3, n_steps=8,
    )  # fmt: skip
    base.update(kw)
    return Explanation(**base)


def test_subwords_join_into_words_with_sign_kept():
    e = _exp()
    assert [w.text for w in e.words] == ["Unbelievably", "dull", ",", "isn't", "it", "?"]
    np.testing.assert_allclose(e.word_scores, [-0.1, -0.9, 0.0, -0.25, 0.0, 0.01])
    mean = e.with_word_aggregation("mean")
    assert mean.word_scores[0] == pytest.approx(-0.1 / 3)
    maxabs = e.with_word_aggregation("max_abs")
    assert maxabs.word_scores[0] == pytest.approx(-0.4) and maxabs.word_scores[3] == -0.3
    assert e.top_words(2) == [("dull", -0.9), ("isn't", pytest.approx(-0.25))]
    with pytest.raises(InputError, match="word aggregation"):
        e.with_word_aggregation("median")


def test_every_token_belongs_to_exactly_one_word():
    text = "state-of-the-art  films ... rock!!"
    spans = [
        (0, 5),
        (5, 6),
        (6, 8),
        (8, 9),
        (9, 12),
        (12, 13),
        (13, 16),
        (18, 23),
        (24, 27),
        (28, 32),
        (32, 34),
    ]
    groups = group_words(text, spans)
    members = sorted(i for _, _, idx in groups for i in idx)
    assert members == list(range(len(spans)))


@pytest.mark.parametrize("suffix", [".json", ".jsonl"])
def test_save_and_load_round_trip(tmp_path, suffix):
    exps = [_exp(), _exp(target=1, target_label="pos", true_label="pos")]
    path = save_explanations(exps, tmp_path / f"out{suffix}")
    back = load_explanations(path)
    assert len(back) == 2
    for a, b in zip(exps, back, strict=True):
        assert a.to_dict() == b.to_dict()
        np.testing.assert_array_equal(a.word_scores, b.word_scores)
    assert back[1].true_label == "pos" and back[0].params == {"n_steps": 8}


def test_loading_garbage_is_one_clear_error(tmp_path):
    bad = tmp_path / "x.json"
    bad.write_text('{"nope": 1}')
    with pytest.raises(InputError, match="not a saved wordlight explanation"):
        load_explanations(bad)
