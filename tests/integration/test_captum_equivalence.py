"""IG with the pad baseline equals Captum's LayerIntegratedGradients on the word embeddings."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from tests.conftest import TEXTS, bendy_bert, pad_baseline, tiny_hf
from wordlight import GradientXInput, IntegratedGradients, load_model

captum_attr = pytest.importorskip("captum.attr")


def _captum_layer_ig(model, tok, text, target, n_steps, rule):
    ids, mask, baseline, special = pad_baseline(tok, text)

    def forward(input_ids, attention_mask):
        return torch.softmax(model(input_ids=input_ids, attention_mask=attention_mask).logits, -1)

    lig = captum_attr.LayerIntegratedGradients(forward, model.get_input_embeddings())
    attr = lig.attribute(
        ids, baselines=baseline, target=target, additional_forward_args=(mask,),
        n_steps=n_steps, method=rule,
    )  # fmt: skip
    return attr.sum(-1)[0][~special].detach().numpy()


@pytest.mark.parametrize("arch", ["bert", "distilbert", "roberta"])
@pytest.mark.parametrize("rule", ["gausslegendre", "riemann_middle", "riemann_left"])
def test_ig_equals_captum_layer_ig(arch, rule):
    model, tok = tiny_hf(arch, seed=3)
    clf = load_model(model, tok)
    for target in (0, 2):
        exps = IntegratedGradients(n_steps=17, rule=rule).explain(clf, TEXTS, target=target)
        for text, exp in zip(TEXTS, exps, strict=True):
            ref = _captum_layer_ig(model, tok, text, target, 17, rule)
            np.testing.assert_allclose(exp.scores, ref, atol=1e-5, rtol=0)


def test_gradient_x_input_equals_captum():
    model, tok = tiny_hf("bert", seed=4)
    text = TEXTS[2]
    enc = tok(text, return_tensors="pt")

    def forward(input_ids, attention_mask):
        return torch.softmax(model(input_ids=input_ids, attention_mask=attention_mask).logits, -1)

    layer = captum_attr.LayerGradientXActivation(forward, model.get_input_embeddings())
    ref = layer.attribute(
        enc["input_ids"], target=1, additional_forward_args=(enc["attention_mask"],)
    )
    ref = ref.sum(-1)[0][1:-1].detach().numpy()
    (exp,) = GradientXInput().explain(load_model(model, tok), text, target=1)
    np.testing.assert_allclose(exp.scores, ref, atol=1e-6)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_auto_is_within_its_token_error_of_captum_at_128_steps(seed):
    """n_steps="auto" against Captum's own numbers: every token of every text is within the
    reported max_token_error (the estimate bounds the true error) and within 1% of
    max(|f(x) - f(x')|, max_i |score_i|), Captum's 128-point Gauss-Legendre run the truth."""
    model, tok = bendy_bert(seed, num_labels=3)
    clf = load_model(model, tok)
    for target in (0, 2):
        exps = IntegratedGradients(n_steps="auto").explain(clf, TEXTS, target=target)
        for text, exp in zip(TEXTS, exps, strict=True):
            ref = _captum_layer_ig(model, tok, text, target, 128, "gausslegendre")
            true = np.abs(exp.scores - ref).max()
            gap = exp.total - (exp.completeness_delta or 0.0)
            assert exp.max_token_error is not None and true <= exp.max_token_error, (seed, text)
            assert true <= 0.01 * max(abs(gap), float(np.abs(ref).max()))
