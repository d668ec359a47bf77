"""Perturbation methods (lime, shap, occlusion, leave_one_out) against closed forms.

On the linear bag model with logit outputs, removing token t (its id replaced by [mask])
changes logit c by a_tc = (E[id_t] - E[mask]) . W_c, so: leave-one-out = a; occlusion = the
mean over windows containing t of the window's sum of a; an unpenalised LIME surrogate fits
a exactly; KernelSHAP gives a (the Shapley values of an additive function). On a nonlinear
tiny BERT, exact KernelSHAP equals Shapley values enumerated here from the model itself.
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
import torch

from tests.conftest import tiny_hf
from wordlight import KernelShap, LeaveOneOut, Lime, Occlusion, load_model

TEXT = "the movie was not good but the plot has charm"


def removal_effects(clf, module, tok, text):
    """a (classes, tokens): logit change when each token is replaced by the mask id."""
    ids, _ = tok(text)
    e = module.embedding.weight.detach()
    diff = e[torch.tensor(ids)] - e[clf.mask_id]
    return (diff @ module.head.weight.detach().T).T.double().numpy()


def scores_by_class(exps):
    return np.stack([x.scores for x in exps])


def test_leave_one_out_closed_form(linear_model):
    clf, module, tok = linear_model
    exps = LeaveOneOut(output="logit", level="token").explain(clf, TEXT, target="all")
    np.testing.assert_allclose(scores_by_class(exps), removal_effects(clf, module, tok, TEXT),
                               atol=1e-5)  # fmt: skip


@pytest.mark.parametrize(("window", "stride"), [(1, 1), (3, 1), (4, 3), (20, 1)])
def test_occlusion_closed_form(linear_model, window, stride):
    clf, module, tok = linear_model
    a = removal_effects(clf, module, tok, TEXT)
    n = a.shape[1]
    starts = list(range(0, max(n - window, 0) + 1, stride))
    if starts[-1] + window < n:
        starts.append(n - window)
    total, count = np.zeros_like(a), np.zeros(n)
    for s in starts:
        span = slice(s, min(s + window, n))
        total[:, span] += a[:, span].sum(1, keepdims=True)
        count[span] += 1
    exps = Occlusion(output="logit", window=window, stride=stride).explain(clf, TEXT, target="all")
    np.testing.assert_allclose(scores_by_class(exps), total / count, atol=1e-5)


def test_lime_without_ridge_recovers_a_linear_model(linear_model):
    clf, module, tok = linear_model
    exps = Lime(output="logit", ridge=0.0, n_samples=60).explain(clf, TEXT, target="all")
    np.testing.assert_allclose(scores_by_class(exps), removal_effects(clf, module, tok, TEXT),
                               atol=1e-4)  # fmt: skip


@pytest.mark.parametrize("n_samples", [2**10, 40])  # exact enumeration, then sampling
def test_shap_of_a_linear_model_is_its_removal_effect(linear_model, n_samples):
    clf, module, tok = linear_model
    exps = KernelShap(output="logit", n_samples=n_samples).explain(clf, TEXT, target="all")
    np.testing.assert_allclose(scores_by_class(exps), removal_effects(clf, module, tok, TEXT),
                               atol=1e-4)  # fmt: skip


def sharp_bert(seed=0):
    """The tiny BERT with weights scaled up so its outputs depend strongly on the words."""
    model, tok = tiny_hf("bert", seed=seed)
    with torch.no_grad():
        for p in model.parameters():
            p.mul_(25.0 if p.dim() > 1 else 1.0)
    return model, tok


def brute_force_shapley(model, tok, text):
    """Shapley values (classes, words) by the definition, over all subsets of the words (here:
    single tokens); every subset goes through the model in one batch."""
    enc = tok(text, return_tensors="pt")
    ids = enc["input_ids"][0]
    n = len(ids) - 2
    subsets = [s for r in range(n + 1) for s in itertools.combinations(range(n), r)]
    x = ids.repeat(len(subsets), 1)
    for row, s in enumerate(subsets):
        for j in set(range(n)) - set(s):
            x[row, j + 1] = tok.mask_token_id
    with torch.no_grad():
        probs = torch.softmax(model(input_ids=x).logits.double(), -1).numpy()
    value = dict(zip(subsets, probs, strict=True))
    phi = np.zeros((probs.shape[1], n))
    for i in range(n):
        for s, v in value.items():
            if i not in s:
                w = math.factorial(len(s)) * math.factorial(n - len(s) - 1) / math.factorial(n)
                phi[:, i] += w * (value[tuple(sorted((*s, i)))] - v)
    return phi, value[tuple(range(n))] - value[()]


def test_exact_shap_equals_shapley_values_by_enumeration():
    model, tok = sharp_bert(seed=1)
    clf = load_model(model, tok)
    text = "not a good movie but fun"
    exps = KernelShap(n_samples=100).explain(clf, text, target="all")
    phi, gap = brute_force_shapley(model, tok, text)
    for exp in exps:
        np.testing.assert_allclose(exp.scores, phi[exp.target], atol=2e-5)
        assert abs(exp.scores.sum() - gap[exp.target]) < 1e-5  # efficiency
        assert abs(exp.completeness_delta) < 1e-6
    assert np.ptp(exps[0].scores) > 1e-2  # the model is not flat, so the test can fail


def test_sampled_shap_keeps_efficiency_and_approaches_exact():
    model, tok = sharp_bert(seed=2)
    clf = load_model(model, tok)
    text = "the movie was not good but the plot has charm"  # 10 words: 1022 coalitions
    (exact,) = KernelShap(n_samples=2**10).explain(clf, text, target=0)
    (sampled,) = KernelShap(n_samples=300, seed=3).explain(clf, text, target=0)
    assert abs(sampled.scores.sum() - exact.scores.sum()) < 1e-5
    assert np.corrcoef(sampled.scores, exact.scores)[0, 1] > 0.9


def test_word_level_removes_all_subword_tokens_of_a_word():
    model, tok = sharp_bert(seed=3)
    clf = load_model(model, tok)
    text = "a memorable film"  # memor ##able
    enc = tok(text, return_tensors="pt")
    ids = enc["input_ids"][0]
    assert tok.convert_ids_to_tokens(ids[2:4].tolist()) == ["memor", "##able"]

    def prob(x):
        with torch.no_grad():
            return torch.softmax(model(input_ids=x[None]).logits, -1)[0, 2].item()

    masked = ids.clone()
    masked[2:4] = tok.mask_token_id
    expected = prob(ids) - prob(masked)
    (exp,) = LeaveOneOut().explain(clf, text, target=2)
    np.testing.assert_allclose(exp.scores[1:3], [expected / 2] * 2, atol=1e-6)
    word = next(i for i, w in enumerate(exp.words) if w.text == "memorable")
    assert abs(exp.word_scores[word] - expected) < 1e-6


@pytest.mark.parametrize(
    "method", [Lime(n_samples=50), KernelShap(n_samples=40), Occlusion(), LeaveOneOut()]
)
def test_batch_of_texts_equals_one_at_a_time(method):
    clf = load_model(*sharp_bert(seed=4))
    texts = ["a bad plot", TEXT, "great acting and a memorable film", "awful"]
    together = method.explain(clf, texts, target="all")
    alone = [e for t in texts for e in method.explain(clf, t, target="all")]
    for a, b in zip(together, alone, strict=True):
        np.testing.assert_allclose(a.scores, b.scores, atol=1e-5)


def test_special_tokens_are_never_removed(linear_model):
    clf, module, tok = linear_model
    seen = []

    def forward(x, mask):
        seen.append(x[:, 0].clone())  # position 0 holds the [cls] prefix
        return module.forward_embeddings(x, mask)

    spy = type(clf)(forward=forward, embedding=module.embedding, tokenize=tok,
                    labels=["neg", "pos"], mask_id=3, prefix_ids=[2])  # fmt: skip
    for method in (Lime(n_samples=30), KernelShap(n_samples=30), Occlusion(), LeaveOneOut()):
        seen.clear()
        method.explain(spy, TEXT)
        cls_rows = torch.cat(seen)
        assert torch.equal(cls_rows, module.embedding.weight[2].expand_as(cls_rows))


def test_repeated_samples_go_through_the_model_once(linear_model, monkeypatch):
    """A 3-word text has 6 proper coalitions: 200 LIME samples repeat them, yet the model sees
    each distinct perturbation once, and the scores are those of evaluating every sample."""
    from wordlight.methods import _perturb

    clf, _, _ = linear_model
    seen = []
    real = _perturb.forward_outputs

    def counting(model, x, mask, output, budget):
        seen.append(len(x))
        return real(model, x, mask, output, budget)

    monkeypatch.setattr(_perturb, "forward_outputs", counting)
    (deduplicated,) = Lime(n_samples=200, output="logit", level="token").explain(
        clf, "good bad film"
    )
    assert sum(seen) <= 2**3 + 1  # distinct presence patterns (and the full text)
    monkeypatch.setattr(torch, "unique", lambda key, **kw: (key, torch.arange(len(key))))
    seen.clear()
    (every,) = Lime(n_samples=200, output="logit", level="token").explain(clf, "good bad film")
    assert sum(seen) >= 200
    np.testing.assert_allclose(deduplicated.scores, every.scores, rtol=1e-6, atol=1e-9)
