"""Layer methods on the tiny encoders: equal to Captum's LayerIntegratedGradients and
LayerConductance on every layer, completeness per layer, information per layer = the
information method at that layer, and bad input."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from tests.conftest import TEXTS, tiny_hf
from wordlight import (
    Information,
    InputError,
    LayerConductance,
    LayerInformation,
    LayerIntegratedGradients,
    ModelError,
    load_model,
)

captum_attr = pytest.importorskip("captum.attr")
pytestmark = pytest.mark.filterwarnings("ignore:information.*did not converge:UserWarning")


def sharp(arch: str, gain: float = 20.0):
    """A tiny model with larger weights, so outputs depend strongly on the text (a random
    tiny model's logits move by ~1e-5, which would make a 1e-5 comparison empty)."""
    model, tok = tiny_hf(arch, seed=3)
    with torch.no_grad():
        for p in model.parameters():
            if p.dim() == 2:
                p.mul_(gain)
    return model, tok


def layer_modules(model, arch):
    base = model.base_model
    first = base.embeddings_project if arch == "electra" else base.embeddings
    return [first, *(base.transformer.layer if arch == "distilbert" else base.encoder.layer)]


def encoded(tok, text):
    enc = tok(text, return_tensors="pt")
    ids, mask = enc["input_ids"], enc["attention_mask"]
    special = torch.tensor(
        tok.get_special_tokens_mask(ids[0].tolist(), already_has_special_tokens=True)
    ).bool()
    baseline = torch.where(special, ids[0], torch.tensor(tok.pad_token_id)).unsqueeze(0)
    return ids, mask, baseline


def first(attr):
    return (attr[0] if isinstance(attr, tuple) else attr).sum(-1)[0].detach().numpy()


@pytest.mark.parametrize("arch", ["bert", "distilbert", "roberta"])
def test_layer_ig_equals_captum_on_every_layer(arch):
    model, tok = sharp(arch)
    exps = LayerIntegratedGradients(n_steps=17, output="logit").explain(
        load_model(model, tok), TEXTS, target=2
    )  # one batch of ragged texts

    def forward(input_ids, attention_mask):
        return model(input_ids=input_ids, attention_mask=attention_mask).logits

    for text, exp in zip(TEXTS, exps, strict=True):
        ids, mask, baseline = encoded(tok, text)
        assert exp.tokens[0].text == tok.convert_ids_to_tokens(int(ids[0, 0]))
        assert exp.layers == tuple(range(3)) and exp.scores.shape == (3, ids.shape[1])
        for row, module in enumerate(layer_modules(model, arch)):
            ref = first(
                captum_attr.LayerIntegratedGradients(forward, module).attribute(
                    ids,
                    baselines=baseline,
                    target=2,
                    additional_forward_args=(mask,),
                    n_steps=17,
                    method="gausslegendre",
                )
            )
            assert np.abs(ref).max() > 1e-2  # a comparison with something to compare
            np.testing.assert_allclose(exp.scores[row], ref, atol=1e-5, rtol=0)


def test_layer_ig_probability_output_equals_captum():
    model, tok = sharp("bert", gain=5.0)
    (exp,) = LayerIntegratedGradients(n_steps=9, rule="riemann_middle", layers=(1,)).explain(
        load_model(model, tok), TEXTS[2], target=0
    )

    def forward(input_ids, attention_mask):
        return torch.softmax(model(input_ids=input_ids, attention_mask=attention_mask).logits, -1)

    ids, mask, baseline = encoded(tok, TEXTS[2])
    ref = first(
        captum_attr.LayerIntegratedGradients(forward, model.bert.encoder.layer[0]).attribute(
            ids,
            baselines=baseline,
            target=0,
            additional_forward_args=(mask,),
            n_steps=9,
            method="riemann_middle",
        )
    )
    np.testing.assert_allclose(exp.scores[0], ref, atol=1e-6, rtol=0)


@pytest.mark.parametrize("arch", ["bert", "roberta"])
def test_layer_ig_is_complete_at_every_layer(arch):
    model, tok = sharp(arch, gain=5.0)
    exps = LayerIntegratedGradients(n_steps=64, output="logit", keep_dims=True).explain(
        load_model(model, tok), TEXTS, target=1
    )
    for text, exp in zip(TEXTS, exps, strict=True):
        ids, mask, baseline = encoded(tok, text)
        with torch.no_grad():  # f(x) - f(x') from the model's own forward, independently
            gap = float(
                model(input_ids=ids, attention_mask=mask).logits[0, 1]
                - model(input_ids=baseline, attention_mask=mask).logits[0, 1]
            )
        assert exp.gap == pytest.approx(gap, abs=1e-5)
        np.testing.assert_allclose(exp.scores.sum(1), gap, atol=1e-4 + 1e-3 * abs(gap))
        np.testing.assert_allclose(exp.deltas, exp.scores.sum(1) - gap, atol=1e-5)
        np.testing.assert_allclose(exp.dims.sum(-1), exp.scores, atol=1e-5)


@pytest.mark.parametrize("arch", ["bert", "roberta"])
def test_layer_ig_auto_steps_meet_the_tolerance_at_every_layer(arch):
    """n_steps='auto': each layer of each text is refined until its own delta is within
    tolerance of the gap from the model's own forward; the points per layer are recorded, and
    the scores agree with a 128-point run. Batched = one text at a time."""
    model, tok = sharp(arch)
    clf = load_model(model, tok)
    method = LayerIntegratedGradients(n_steps="auto", tolerance=1e-3, keep_dims=True)
    exps = method.explain(clf, TEXTS, target=1)
    fine = LayerIntegratedGradients(n_steps=128).explain(clf, TEXTS, target=1)
    for text, exp, ref in zip(TEXTS, exps, fine, strict=True):
        ids, mask, baseline = encoded(tok, text)
        with torch.no_grad():
            p = torch.softmax(model(input_ids=ids, attention_mask=mask).logits, -1)[0, 1]
            p0 = torch.softmax(model(input_ids=baseline, attention_mask=mask).logits, -1)[0, 1]
        gap = float(p - p0)
        assert abs(gap) > 1e-3  # the checks below are not empty
        assert np.abs(exp.scores.sum(1) - gap).max() <= max(1e-3 * abs(gap), 1e-6) + 1e-6
        assert len(exp.steps) == len(exp.layers)
        assert all(n >= 5 and n % 2 == 1 for n in exp.steps)
        np.testing.assert_allclose(exp.dims.sum(-1), exp.scores, atol=1e-6)
        np.testing.assert_allclose(exp.scores, ref.scores, atol=0.02 * abs(gap))
        assert exp.params["rule"] == "adaptive_simpson" and ref.steps == (128,) * len(ref.layers)
    for text, exp in zip(TEXTS, exps, strict=True):
        (alone,) = method.explain(clf, text, target=1)
        np.testing.assert_allclose(alone.scores, exp.scores, atol=1e-6)
        assert alone.steps == exp.steps


def test_auto_steps_only_where_offered(tiny_bert):
    with pytest.raises(InputError, match="n_steps must be an integer >= 1, got 'auto'"):
        LayerConductance(n_steps="auto")
    with pytest.raises(InputError, match="tolerance must be > 0"):
        LayerIntegratedGradients(n_steps="auto", tolerance=0)
    with pytest.raises(InputError, match="or 'auto'"):
        LayerIntegratedGradients(n_steps="many")


@pytest.mark.parametrize("arch", ["bert", "distilbert", "roberta", "electra"])
def test_layer_conductance_equals_captum_on_every_layer(arch):
    model, tok = sharp(arch)
    exps = LayerConductance(n_steps=9, output="logit").explain(
        load_model(model, tok), TEXTS, target=2
    )
    emb = model.get_input_embeddings()

    def forward(inputs_embeds, attention_mask):
        return model(inputs_embeds=inputs_embeds, attention_mask=attention_mask).logits

    for text, exp in zip(TEXTS, exps, strict=True):
        ids, mask, baseline = encoded(tok, text)
        for row, module in enumerate(layer_modules(model, arch)):
            ref = first(
                captum_attr.LayerConductance(forward, module).attribute(
                    emb(ids),
                    baselines=emb(baseline),
                    target=2,
                    additional_forward_args=(mask,),
                    n_steps=9,
                )
            )
            assert np.abs(ref).max() > 1e-2
            np.testing.assert_allclose(exp.scores[row], ref, atol=1e-5, rtol=0)


def test_information_per_layer_is_the_information_method_at_each_layer(tiny_bert):
    clf = load_model(*tiny_bert)
    fast = dict(regularization="self", max_iterations=20, samples=2)
    (exp,) = LayerInformation(**fast).explain(clf, TEXTS[1])
    assert exp.layers == (1, 2)
    assert np.isnan(exp.scores[:, list(exp.special)]).all()
    for row, layer in enumerate(exp.layers):
        (one,) = Information(layer=layer, **fast).explain(clf, TEXTS[1])
        np.testing.assert_allclose(exp.scores[row, exp.content], one.scores, rtol=1e-6)


def test_layers_out_of_range_list_the_valid_ones(tiny_bert):
    clf = load_model(*tiny_bert)
    with pytest.raises(InputError, match=r"takes 0\.\.2") as info:
        LayerIntegratedGradients(layers=(5,)).explain(clf, "a bad plot")
    assert "\n" not in str(info.value)
    with pytest.raises(InputError, match=r"choose 1\.\.2"):
        LayerInformation(layers=(0,)).explain(clf, "a bad plot")
    with pytest.raises(InputError, match="baseline"):
        LayerIntegratedGradients(baseline="zero")


def test_a_model_without_encoder_layers_says_so(linear_model):
    clf, _, _ = linear_model
    with pytest.raises(ModelError, match="has no encoder layers"):
        LayerConductance().explain(clf, "a bad plot")


def test_a_text_too_long_for_one_pass_is_refused(tiny_bert):
    clf = load_model(*tiny_bert)
    with pytest.raises(InputError, match="at most 62 per text"):
        LayerIntegratedGradients().explain(clf, " ".join(["good"] * 70))


def test_layer_results_save_and_reload(tiny_bert, tmp_path):
    from wordlight.results import load_layer_explanations, save_layer_explanations

    exps = LayerIntegratedGradients(n_steps=4).explain(load_model(*tiny_bert), TEXTS[:2])
    path = tmp_path / "layers.jsonl"
    save_layer_explanations(exps, str(path))
    back = load_layer_explanations(str(path))
    for a, b in zip(exps, back, strict=True):
        assert (a.tokens, a.special, a.layers, a.words) == (b.tokens, b.special, b.layers, b.words)
        np.testing.assert_array_equal(a.scores, b.scores)
        np.testing.assert_array_equal(a.deltas, b.deltas)
        assert a.steps == b.steps == (4,) * len(a.layers)
        one = b.explanation(1)
        assert one.n_steps == 4
        np.testing.assert_array_equal(one.scores, a.scores[1, a.content])
    path.write_text("not json\n")
    with pytest.raises(InputError, match="not a saved wordlight layer file"):
        load_layer_explanations(str(path))


def test_an_element_constant_over_the_data_gets_weight_zero_not_inf():
    # the default model's last layer has dimensions whose std over movie snippets is ~1e-32;
    # 1/r^2 overflowed float32 and every information score at that layer became NaN
    from wordlight.methods.information_core import FitSettings, _Problem

    x = torch.randn(1, 3, 4)

    def phi(xs, which):
        return xs * 2.0

    tiny = torch.tensor([1.0, 0.5, 3.6e-32, 2.0])
    zero = torch.tensor([1.0, 0.5, 0.0, 2.0])
    perturb = torch.ones(1, 3, dtype=torch.bool)
    a = _Problem(phi, x, perturb, tiny, None, FitSettings()).weight
    b = _Problem(phi, x, perturb, zero, None, FitSettings()).weight
    assert torch.isfinite(a).all() and (a[..., 2] == 0).all()
    torch.testing.assert_close(a, b)
    r = np.array([1.0, 0.5, 0.0, 2.0])  # published loss: w = (1/r^2) / M, M = 3 x 4 elements
    expected = np.divide(1.0, r**2, out=np.zeros(4), where=r > 0) / 12
    np.testing.assert_allclose(a[0, 0].numpy(), expected, rtol=1e-6)


def test_explain_layers_is_the_method_and_checks_its_arguments(tiny_bert):
    from wordlight import explain_layers

    clf = load_model(*tiny_bert)
    (a,) = explain_layers(clf, TEXTS[1], "layer_conductance", n_steps=4, layers=(0, -1))
    (b,) = LayerConductance(n_steps=4, layers=(0, 2)).explain(clf, TEXTS[1])
    assert a.layers == b.layers == (0, 2)
    np.testing.assert_array_equal(a.scores, b.scores)
    with pytest.raises(InputError, match="layer method"):
        explain_layers(clf, TEXTS[1], "saliency")
    with pytest.raises(InputError, match="no parameter 'steps'"):
        explain_layers(clf, TEXTS[1], "layer_conductance", steps=4)
