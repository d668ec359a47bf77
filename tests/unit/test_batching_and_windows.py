"""A batch gives the one-text-at-a-time answers; long texts are windowed, never truncated."""

from __future__ import annotations

import numpy as np
import pytest

from tests.conftest import TEXTS, WORDS, tiny_hf
from wordlight import IntegratedGradients, Saliency, load_model


@pytest.mark.parametrize("arch", ["bert", "roberta"])
def test_batch_equals_one_by_one(arch):
    clf = load_model(*tiny_hf(arch, seed=1))
    texts = [*TEXTS, "not good", TEXTS[2] + " " + TEXTS[0]]
    for method in (IntegratedGradients(n_steps=9), IntegratedGradients(n_steps="auto"), Saliency()):
        together = method.explain(clf, texts)
        for text, exp in zip(texts, together, strict=True):
            (alone,) = method.explain(clf, text)
            np.testing.assert_allclose(exp.scores, alone.scores, atol=1e-5)
            np.testing.assert_allclose(exp.probabilities, alone.probabilities, atol=1e-6)
            assert exp.n_steps == alone.n_steps


def test_small_row_cap_gives_the_same_answer(tiny_bert):
    clf = load_model(*tiny_bert)
    big = IntegratedGradients(n_steps=10).explain(clf, TEXTS)
    small = IntegratedGradients(n_steps=10, max_batch_tokens=16).explain(clf, TEXTS)
    for a, b in zip(big, small, strict=True):
        np.testing.assert_allclose(a.scores, b.scores, atol=1e-5)


def test_long_text_is_windowed_not_truncated(linear_model):
    """On a bag-of-words linear model a token's IG does not depend on its context, so the
    windowed result must equal the one-pass result exactly, for every token."""
    clf, module, tok = linear_model
    text = " ".join(WORDS * 3)  # 81 tokens
    short = type(clf)(
        forward=module.forward_embeddings, embedding=module.embedding, tokenize=tok,
        labels=clf.labels, pad_id=0, mask_id=3, prefix_ids=[2], max_length=12, module=module,
    )  # fmt: skip
    ig = IntegratedGradients(n_steps=4, output="logit")
    (full,) = ig.explain(clf, text, target=1)
    (windowed,) = ig.explain(short, text, target=1)
    assert len(windowed.tokens) == len(full.tokens) == len(WORDS) * 3
    assert windowed.tokens[-1].text == WORDS[-1]
    np.testing.assert_allclose(windowed.scores, full.scores, atol=1e-5)


def test_long_text_on_a_transformer_covers_every_token(tiny_bert):
    model, tok = tiny_bert
    clf = load_model(model, tok, max_length=10)
    text = TEXTS[2] + " " + TEXTS[0] + " " + TEXTS[1]
    (exp,) = IntegratedGradients(n_steps=8).explain(clf, text)
    n = len(tok(text, add_special_tokens=False)["input_ids"])
    assert len(exp.tokens) == n and n > 10
    assert np.all(exp.scores != 0)
    assert exp.tokens[-1].end == len(text.rstrip())
