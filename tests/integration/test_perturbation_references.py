"""lime and shap against the reference packages on the same classifier function.

The function: a tiny BERT with sharpened weights (so its outputs depend on the words) whose
input words are single vocabulary tokens, so a word removed by the package (replaced by the
string "[MASK]", or a 0 in shap's coalition matrix) is the same token-id input wordlight builds.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch

from tests.conftest import tiny_hf
from wordlight import KernelShap, Lime, load_model

lime_text = pytest.importorskip("lime.lime_text")
shap = pytest.importorskip("shap")

TEXTS = [
    "the movie was not good but the plot has charm",
    "a bad film with very boring acting and more plot than fun",
    "great acting but the film is not very fun",
    "this movie has enough charm to make it a great film",
    "the plot was awful and the acting was not good",
    "a fun movie with great acting and a good plot",
]


@pytest.fixture(scope="module")
def sharp():
    model, tok = tiny_hf("bert", seed=5)
    with torch.no_grad():
        for p in model.parameters():
            p.mul_(25.0 if p.dim() > 1 else 1.0)
    return model, tok


def probabilities(model, tok, texts):
    enc = tok(list(texts), padding=True, return_tensors="pt")
    with torch.no_grad():
        return torch.softmax(model(**enc).logits.double(), -1).numpy()


def top(scores, k=5):
    return set(np.argsort(-np.abs(np.asarray(scores)), kind="stable")[:k].tolist())


def test_lime_top5_agrees_with_the_lime_package(sharp):
    model, tok = sharp
    clf = load_model(model, tok)
    n_samples = 300
    ours = Lime(n_samples=n_samples, seed=0).explain(clf, TEXTS, target="predicted")
    explainer = lime_text.LimeTextExplainer(
        bow=False, mask_string="[MASK]", feature_selection="none", random_state=0
    )
    overlaps, correlations = [], []
    for text, exp in zip(TEXTS, ours, strict=True):
        assert [w.text for w in exp.words] == text.split()
        ref = explainer.explain_instance(
            text,
            lambda batch: probabilities(model, tok, batch),
            labels=(exp.target,),
            num_features=len(exp.words),
            num_samples=n_samples,
        )
        theirs = np.zeros(len(exp.words))
        for j, weight in ref.as_map()[exp.target]:
            theirs[j] = weight
        assert np.ptp(theirs) > 1e-3  # the model is not flat here, so the check can fail
        overlaps.append(len(top(exp.word_scores) & top(theirs)) / 5)
        correlations.append(np.corrcoef(exp.word_scores, theirs)[0, 1])
    assert np.mean(overlaps) >= 0.8, overlaps
    # same estimator on independent samples: close in value as well as in rank
    assert np.mean(correlations) > 0.9, correlations


def test_lime_kernel_is_the_lime_package_kernel_on_cosine_distance():
    from sklearn.metrics import pairwise_distances

    rng = np.random.default_rng(0)
    z = rng.random((50, 9)) > 0.4
    z[0] = True
    distance = pairwise_distances(z.astype(float), np.ones((1, 9)), metric="cosine").ravel()
    expected = np.sqrt(np.exp(-((distance * 100) ** 2) / 25.0**2))
    np.testing.assert_allclose(Lime().kernel(torch.tensor(z)).numpy(), expected, atol=1e-12)


def test_lime_surrogate_is_sklearn_weighted_ridge():
    from sklearn.linear_model import Ridge

    from wordlight.methods.lime import fit_surrogate

    rng = np.random.default_rng(1)
    x = (rng.random((300, 7)) > 0.5).astype(float)
    y, w = rng.normal(size=(300, 3)), rng.random(300)
    ref = Ridge(alpha=1.0).fit(x, y, sample_weight=w).coef_
    got = fit_surrogate(torch.tensor(x), torch.tensor(w), torch.tensor(y), 1.0).numpy()
    np.testing.assert_allclose(got, ref, atol=1e-10)


def shap_package_values(model, tok, text, n_samples):
    """shap.KernelExplainer on f(coalition) = probabilities with the absent words masked."""
    ids = tok(text, return_tensors="pt")["input_ids"][0]
    n = len(ids) - 2

    def f(coalitions):
        x = ids.repeat(len(coalitions), 1)
        x[:, 1:-1] = torch.where(
            torch.as_tensor(coalitions, dtype=torch.bool), x[:, 1:-1], tok.mask_token_id
        )
        with torch.no_grad():
            return torch.softmax(model(input_ids=x).logits.double(), -1).numpy()

    explainer = shap.KernelExplainer(f, np.zeros((1, n)), link="identity")
    values = explainer.shap_values(np.ones((1, n)), nsamples=n_samples, l1_reg=False, silent=True)
    return np.asarray(values).reshape(n, -1).T  # (classes, words)


def test_exact_shap_equals_the_shap_package(sharp):
    model, tok = sharp
    clf = load_model(model, tok)
    text = "not a good film but fun and charm"  # 8 words: 254 coalitions, both enumerate them
    ref = shap_package_values(model, tok, text, 300)
    exps = KernelShap(n_samples=300).explain(clf, text, target="all")
    assert np.ptp(ref) > 1e-2
    for exp in exps:
        np.testing.assert_allclose(exp.scores, ref[exp.target], atol=1e-6)


def test_sampled_shap_agrees_with_the_shap_package(sharp):
    model, tok = sharp
    clf = load_model(model, tok)
    text = TEXTS[1]  # 12 words: 4094 coalitions, 400 sampled by each
    (exp,) = KernelShap(n_samples=400, seed=0).explain(clf, text, target=0)
    np.random.seed(0)  # shap's KernelExplainer samples with numpy's global generator
    ref = shap_package_values(model, tok, text, 400)[0]
    assert abs(exp.scores.sum() - ref.sum()) < 1e-6  # both exactly efficient
    assert np.corrcoef(exp.scores, ref)[0, 1] > 0.95
    assert len(top(exp.scores) & top(ref)) >= 4
