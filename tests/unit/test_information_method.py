"""The ``information`` method on the tiny encoders: a first-order closed form, batched equals one
at a time, the same scores for every target, the regularization and its caches, bad input."""

from __future__ import annotations

import re
from dataclasses import replace

import numpy as np
import pytest
import torch

from tests.conftest import TEXTS, WORDS, tiny_hf
from wordlight import Explanation, Information, InputError, ModelError
from wordlight.methods import _regularization
from wordlight.methods._regularization import hidden_std, layer_regularization
from wordlight.methods.information import sigmas
from wordlight.models.huggingface import HuggingFaceClassifier

# runs cut short on purpose (equalities hold at any iteration) warn that they did not converge
pytestmark = pytest.mark.filterwarnings("ignore:information.*did not converge:UserWarning")


@pytest.fixture(scope="module")
def sample_file(tmp_path_factory):
    rng = np.random.default_rng(0)
    path = tmp_path_factory.mktemp("reg") / "texts.txt"
    lines = [" ".join(rng.choice(WORDS, size=rng.integers(2, 12))) for _ in range(40)]
    path.write_text("\n".join(lines), encoding="utf-8")
    return str(path)


@pytest.fixture(scope="module")
def bert(tiny_bert):
    return HuggingFaceClassifier(*tiny_bert)


def _first_order_sigma(clf, text, layer, reg, rate):
    """Normalised loss, Φ linearised: L = (1/K)·Σ_i σ_i²·A_i − rate·Σ_i log σ_i with
    A_i = Σ_m (∂Φ_m/∂x_i)² / r_m², so σ_i = sqrt(rate·K / (2·A_i))."""
    ids = torch.tensor([[*clf.prefix_ids, *clf.encode([text])[0].ids, *clf.suffix_ids]])
    with torch.no_grad():
        x = clf.embedding_output(ids)[0]
    mask = torch.ones_like(ids)
    jac = torch.autograd.functional.jacobian(lambda v: clf.hidden_state(v[None], mask, layer)[0], x)
    a = (jac.square() / reg.square()[None, :, None, None]).sum((0, 1, 3))
    n_pre = len(clf.prefix_ids)
    return (rate * x.shape[1] / (2 * a[n_pre : len(a) - len(clf.suffix_ids)])).sqrt().numpy()


@pytest.mark.parametrize("arch", ["bert", "distilbert", "roberta", "electra"])
def test_small_noise_sigma_matches_the_first_order_closed_form(arch, sample_file):
    clf = HuggingFaceClassifier(*tiny_hf(arch))
    method = Information(layer=2, rate=0.002, scale=2.0, regularization=sample_file, tolerance=0.02)
    (exp,) = method.explain(clf, TEXTS[1])
    reg = layer_regularization(clf, 2, sample_file, 256)
    expected = _first_order_sigma(clf, TEXTS[1], 2, reg, rate=0.002)
    np.testing.assert_allclose(sigmas(exp), expected, rtol=0.04)
    assert exp.n_steps < 1000  # converged, not cut off


@pytest.mark.parametrize("solver", ["newton", "linearised"])
def test_batched_equals_one_at_a_time(bert, sample_file, solver):
    method = Information(layer=1, regularization=sample_file, max_iterations=60, solver=solver)
    one_batch = replace(method, max_batch_tokens=4096)
    if solver == "newton":
        with pytest.warns(UserWarning, match="4 of 4 texts did not converge in 60 iterations"):
            together = one_batch.explain(bert, TEXTS)  # cut short: equal at any step
    else:
        together = one_batch.explain(bert, TEXTS)
    in_pairs = replace(method, max_batch_tokens=200).explain(bert, TEXTS)  # ~2 texts a batch
    for i, text in enumerate(TEXTS):
        (alone,) = method.explain(bert, text)
        np.testing.assert_allclose(together[i].scores, alone.scores, rtol=1e-5, atol=1e-6)
        np.testing.assert_allclose(in_pairs[i].scores, alone.scores, rtol=1e-5, atol=1e-6)


def test_mser_burn_in_batched_equals_one_at_a_time(bert, sample_file):
    """The MSER truncation is chosen per text, so batching does not change it (96 steps: eight
    windows, enough for the rule to choose)."""
    method = Information(layer=1, regularization=sample_file, max_iterations=96, burn_in="mser")
    together = replace(method, max_batch_tokens=4096).explain(bert, TEXTS)
    for i, text in enumerate(TEXTS):
        (alone,) = method.explain(bert, text)
        np.testing.assert_allclose(together[i].scores, alone.scores, rtol=1e-5, atol=1e-6)


def test_every_target_gets_the_same_nonnegative_scores(bert):
    method = Information(layer=-1, regularization="self", max_iterations=40, solver="newton")
    exps = method.explain(bert, TEXTS[0], target="all")
    assert [e.target for e in exps] == [0, 1, 2]
    for e in exps[1:]:
        np.testing.assert_array_equal(e.scores, exps[0].scores)
    assert (exps[0].scores >= 0).all() and exps[0].n_steps == 40
    # σ = scale·exp(−score) and the explanation survives a round trip
    back = Explanation.from_dict(exps[0].to_dict())
    np.testing.assert_allclose(sigmas(back), 0.5 * np.exp(-exps[0].scores))
    assert back.params["layer"] == -1 and back.method == "information"


def test_information_renders_like_every_method(bert):
    """HTML and terminal views of an information result: every word, its exact score, the
    method named; unsigned scores get the one-colour (blue) scale, never green/red."""
    from wordlight.viz import render_html, render_terminal

    (e,) = Information(layer=1, regularization="self", max_iterations=40).explain(bert, TEXTS[0])
    page = render_html([e])
    marks = re.findall(r'<mark style="background:(#[0-9a-f]{6});[^"]*" title="([^"]*)"', page)
    assert [title.split(": ")[0] for _, title in marks] == [w.text for w in e.words]
    for (colour, title), score in zip(marks, e.word_scores, strict=True):
        assert float(title.split(": ")[1]) == pytest.approx(float(score), rel=1e-4)
        red, green, blue = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
        assert blue >= green >= red  # white (0) or blue: information has no direction
    assert "information" in page
    plain = render_terminal([e], color=False)
    assert all(w.text in plain for w in e.words) and "information" in plain


def test_published_mode_runs_every_iteration_and_is_seeded(bert):
    method = Information(layer=1, regularization="self", published=True, lr=0.05, max_iterations=50)
    a = method.explain(bert, TEXTS[:2])
    b = method.explain(bert, TEXTS[:2])
    assert [e.n_steps for e in a] == [50, 50]
    for x, y in zip(a, b, strict=True):
        np.testing.assert_array_equal(x.scores, y.scores)
    assert all(p.grad is None for p in bert.model.parameters())  # the model is left as it was


def test_regularization_is_the_token_std_of_output_hidden_states(bert, tiny_bert, sample_file):
    model, tok = tiny_bert
    texts = _regularization.sample_texts(sample_file, 256)
    states = []
    with torch.no_grad():
        for text in texts:  # one text at a time, the model's own forward
            out = model(**tok(text, return_tensors="pt"), output_hidden_states=True)
            states.append(out.hidden_states[2][0])
    expected = torch.cat(states).double().std(0, correction=0).float()
    torch.testing.assert_close(hidden_std(bert, texts, 2, max_batch_tokens=64), expected)


def test_regularization_is_cached_in_memory_and_on_disk(bert, sample_file, tmp_path, monkeypatch):
    calls = []
    real = _regularization.hidden_std
    monkeypatch.setattr(
        _regularization, "hidden_std", lambda *a, **k: calls.append(1) or real(*a, **k)
    )
    first = layer_regularization(bert, 1, sample_file, 30, cache_dir=str(tmp_path))
    again = layer_regularization(bert, 1, sample_file, 30, cache_dir=str(tmp_path))
    assert len(calls) == 1 and torch.equal(first, again)
    (saved,) = tmp_path.glob("information-std-*.safetensors")
    _regularization._MEMORY.clear()  # a new session: read from disk, not recomputed
    from_disk = layer_regularization(bert, 1, sample_file, 30, cache_dir=str(tmp_path))
    assert len(calls) == 1 and torch.equal(first, from_disk) and saved.stat().st_size > 0
    layer_regularization(bert, 2, sample_file, 30)  # another layer is another entry
    assert len(calls) == 2


def test_bad_input_is_one_clear_line(bert, linear_model):
    with pytest.raises(InputError, match=r"layer 5 is out of range.*choose 1\.\.2"):
        Information(layer=5, regularization="self").explain(bert, "a bad plot")
    with pytest.raises(InputError, match="layer must be"):
        Information(layer=0)
    with pytest.raises(InputError, match="samples must be >= 1"):
        Information(samples=0)
    with pytest.raises(InputError, match="neither 'self', a data set"):
        Information(regularization="no-such-file.txt").explain(bert, "a bad plot")
    clf, _, _ = linear_model
    with pytest.raises(ModelError, match="TorchClassifier has no encoder layers"):
        Information(regularization="self").explain(clf, "a bad plot")
