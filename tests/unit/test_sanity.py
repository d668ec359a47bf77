"""Sanity checks: a method that ignores the weights fails, the user's model is never touched,
and the reported correlations are the Spearman correlations of the explanations returned."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np
import pytest
import scipy.stats
import torch

from wordlight import InputError, load_model
from wordlight.evaluation.sanity import cascade_blocks, label_randomization, model_randomization
from wordlight.methods.base import Attribution, Explainer

TEXTS = ["the movie was good but the plot was awful", "a very boring film with bad acting"]


@dataclass(frozen=True, kw_only=True)
class TokenIds(Explainer):
    """Scores each token by its id: an 'explanation' that never looks at the weights."""

    name: ClassVar[str] = "token_ids"
    summary: ClassVar[str] = "test only"

    def attribute(self, model, batch, targets):
        scores = batch.ids.float() * batch.content_mask
        return Attribution(scores.unsqueeze(1).expand(-1, targets.shape[1], -1))


def state(module):
    return {k: v.clone() for k, v in module.state_dict().items()}


def test_a_method_blind_to_the_weights_fails(linear_model):
    clf, _, _ = linear_model
    result = model_randomization(clf, TEXTS, TokenIds())
    assert result.steps == ("head", "embedding")
    np.testing.assert_allclose(result.correlations, 1.0)
    assert not result.passed and "FAILS" in result.summary()


def test_model_randomization_on_a_copy_with_scipy_spearman(linear_model):
    clf, module, _ = linear_model
    saved = state(module)
    result = model_randomization(clf, TEXTS, "gradient_x_input")
    for k, after in enumerate(result.after):
        for i, (b, a) in enumerate(zip(result.before, after, strict=True)):
            want = scipy.stats.spearmanr(b.scores, a.scores).statistic
            assert result.correlations[k, i] == pytest.approx(want)
    # the explanations after the head step differ; the user's weights are untouched
    assert not np.allclose(result.before[0].scores, result.after[0][0].scores)
    for k, v in module.state_dict().items():
        assert torch.equal(v, saved[k]), k
    assert result.passed == (result.mean_by_step[-1] < 0.5)


def test_cascade_on_a_hugging_face_encoder(tiny_bert):
    clf = load_model(*tiny_bert)
    names = [name for name, _ in cascade_blocks(clf)]
    assert names == ["head", "layer 2", "layer 1", "embeddings"]
    saved = state(tiny_bert[0])
    result = model_randomization(clf, ["a bad plot", "great fun film"], "gradient_x_input")
    assert result.correlations.shape == (4, 2)
    for k, v in tiny_bert[0].state_dict().items():
        assert torch.equal(v, saved[k]), k


def test_label_randomization_refits_only_a_copy(linear_model):
    clf, module, _ = linear_model
    saved = state(module)
    texts = [*TEXTS, "great fun", "awful plot", "good acting", "bad film"]
    result = label_randomization(clf, texts, [1, 0, 1, 0, 1, 0], TokenIds())
    np.testing.assert_allclose(result.correlations, 1.0)
    assert not result.passed
    result = label_randomization(clf, texts, ["pos", "neg", 1, 0, 1, 0], "gradient_x_input")
    assert result.correlations.shape == (1, len(texts))
    for k, v in module.state_dict().items():
        assert torch.equal(v, saved[k]), k
    with pytest.raises(InputError, match="2 labels for 6 texts"):
        label_randomization(clf, texts, [1, 0], "saliency")


def test_head_step_matches_a_hand_reinitialised_head(linear_model):
    """After the 'head' step, gradient x input on the logit is E[id] . W'_target with W' the head
    re-initialised under the step's seed: rebuilt here by hand on a separate copy."""
    import copy

    from wordlight.methods.gradient_x_input import GradientXInput

    clf, module, tok = linear_model
    result = model_randomization(clf, TEXTS, GradientXInput(output="logit"), seed=7)
    hand = copy.deepcopy(module)
    torch.manual_seed(7)  # step 0 uses seed + 0
    hand.head.reset_parameters()
    for e, after in zip(result.before, result.after[0], strict=True):
        ids = torch.tensor([tok.vocab[t.text.lower()] for t in e.tokens])
        want = (hand.embedding.weight[ids] @ hand.head.weight[e.target]).detach().numpy()
        np.testing.assert_allclose(after.scores, want, rtol=1e-5, atol=1e-6)
        np.testing.assert_allclose(
            e.scores, (module.embedding.weight[ids] @ module.head.weight[e.target]).detach(),
            rtol=1e-5, atol=1e-6,
        )  # fmt: skip
