"""Plausibility metrics against hand-counted answers and scikit-learn."""

from __future__ import annotations

import math

import numpy as np
import pytest
from sklearn.metrics import average_precision_score

from wordlight import Explanation, InputError, Token
from wordlight.evaluation.plausibility import (
    auprc,
    average_precision,
    evaluate_plausibility,
    iou_f1,
    spans,
    token_f1,
)


def expl(scores):
    words = [f"w{i}" for i in range(len(scores))]
    text = " ".join(words)
    tokens, pos = [], 0
    for w in words:
        tokens.append(Token(w, pos, pos + len(w)))
        pos += len(w) + 1
    return Explanation(
        text=text, tokens=tuple(tokens), scores=np.asarray(scores, float), target=0,
        target_label="a", labels=("a", "b"), probabilities=np.array([0.6, 0.4]), method="hand",
    )  # fmt: skip


def test_average_precision_matches_sklearn_with_ties():
    rng = np.random.default_rng(0)
    for _ in range(20):
        y = rng.integers(0, 2, 12)
        y[0] = 1
        s = np.round(rng.normal(size=12), 1)  # rounding makes ties
        assert average_precision(y, s) == pytest.approx(average_precision_score(y, s))


def test_token_f1_hand_counted():
    e = expl([0.9, 0.8, -0.5, 0.1, 0.0])
    # human: tokens 0 and 3 -> k=2 -> predicted {0, 1}: tp=1, P=1/2, R=1/2
    assert token_f1([e], [[1, 0, 0, 1, 0]])[0] == pytest.approx(0.5)
    # k=3 gives {0, 1, 3}: tp=2, P=2/3, R=1 -> F1=0.8
    assert token_f1([e], [[1, 0, 0, 1, 0]], k=3)[0] == pytest.approx(0.8)
    # negative scores never enter the rationale: k=5 still gives {0, 1, 3}
    assert token_f1([e], [[1, 0, 0, 1, 0]], k=5)[0] == pytest.approx(0.8)


def test_iou_f1_hand_counted():
    assert spans(np.array([1, 1, 0, 1, 0, 0, 1], bool)) == [(0, 2), (3, 4), (6, 7)]
    e = expl([0.9, 0.8, 0.7, 0.0, 0.0, 0.5, 0.0, 0.0])
    gold = [1, 1, 0, 0, 0, 0, 0, 1]
    # k=3: predicted span (0,3); gold spans (0,2) [IOU 2/3] and (7,8) [IOU 0]
    # P = 1/1, R = 1/2 -> F1 = 2/3
    assert iou_f1([e], [gold])[0] == pytest.approx(2 / 3)
    # threshold 0.7 > 2/3: nothing matches
    assert iou_f1([e], [gold], threshold=0.7)[0] == 0.0


def test_auprc_and_word_level():
    e = expl([0.3, -0.2, 0.9, 0.1])
    gold = [0, 0, 1, 1]
    assert auprc([e], [gold])[0] == pytest.approx(
        average_precision_score(gold, [0.3, -0.2, 0.9, 0.1])
    )
    words = evaluate_plausibility([e], [gold], level="word")
    tokens = evaluate_plausibility([e], [gold], level="token")
    for name in tokens:  # one token per word here: both levels agree
        assert words[name][0] == pytest.approx(tokens[name][0])


def test_undefined_and_bad_rationales():
    e = expl([0.3, 0.2])
    assert math.isnan(auprc([e], [[0, 0]])[0])
    assert math.isnan(token_f1([e], [[0, 0]], k=0)[0])
    with pytest.raises(InputError, match="rationale 0 has 3 values"):
        token_f1([e], [[1, 0, 0]])
    with pytest.raises(InputError, match="only 0 and 1"):
        auprc([e], [[2, 0]])
    with pytest.raises(InputError, match="1 rationales for 2"):
        auprc([e, e], [[1, 0]])
