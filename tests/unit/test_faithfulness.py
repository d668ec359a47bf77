"""Known answers for every removal metric on the bag-of-words linear model of conftest, where the
probability of any token sequence has a closed form computed here with numpy alone."""

from __future__ import annotations

import math

import numpy as np
import pytest
import scipy.stats

from wordlight import Explanation, Token
from wordlight.evaluation import (
    aopc_comprehensiveness,
    aopc_sufficiency,
    comprehensiveness,
    deletion_auc,
    deletion_curves,
    evaluate_faithfulness,
    ferret_aopc_comprehensiveness,
    ferret_aopc_sufficiency,
    insertion_auc,
    kendall_tau_loo,
    sufficiency,
)
from wordlight.evaluation._rank import kendall_tau_b, spearman

TEXT = "the movie was good but the plot was awful and very boring"


def closed_p(module, ids, target):
    """softmax(sum of [cls] + token contributions + bias)[target], by hand."""
    e = module.embedding.weight.detach().numpy().astype(float)
    w = module.head.weight.detach().numpy().astype(float)
    b = module.head.bias.detach().numpy().astype(float)
    logits = e[[2, *ids]].sum(0) @ w.T + b
    z = np.exp(logits - logits.max())
    return float(z[target] / z.sum())


def hand_explanation(clf, text, scores, target=1):
    enc = clf.encode([text])[0]
    tokens = tuple(Token(text[s:e], s, e) for s, e in enc.offsets)
    return Explanation(
        text=text, tokens=tokens, scores=np.asarray(scores, float), target=target,
        target_label=clf.labels[target], labels=clf.labels, probabilities=np.array([0.5, 0.5]),
        method="hand",
    )  # fmt: skip


@pytest.fixture()
def setup(linear_model):
    clf, module, _ = linear_model
    ids = list(clf.encode([TEXT])[0].ids)
    rng = np.random.default_rng(3)
    scores = rng.normal(size=len(ids))
    return clf, module, ids, scores


def order_of(scores):
    return list(np.argsort(-np.asarray(scores), kind="stable"))


def drop(ids, removed):
    return [t for p, t in enumerate(ids) if p not in set(removed)]


def test_comprehensiveness_and_sufficiency_closed_form(setup):
    clf, module, ids, scores = setup
    e = hand_explanation(clf, TEXT, scores)
    n, k = len(ids), math.ceil(0.2 * len(ids))
    top = order_of(scores)[:k]
    p = closed_p(module, ids, 1)
    want_c = p - closed_p(module, drop(ids, top), 1)
    want_s = p - closed_p(module, [ids[i] for i in sorted(top)], 1)
    assert n == 12 and k == 3
    assert comprehensiveness(clf, [e], 0.2)[0] == pytest.approx(want_c, abs=1e-6)
    assert sufficiency(clf, [e], 0.2)[0] == pytest.approx(want_s, abs=1e-6)


def test_aopc_is_the_mean_over_eraser_bins(setup):
    clf, module, ids, scores = setup
    e = hand_explanation(clf, TEXT, scores)
    p, order = closed_p(module, ids, 1), order_of(scores)
    comp, suff = [], []
    for b in (0.01, 0.05, 0.1, 0.2, 0.5):
        top = order[: max(1, math.ceil(b * len(ids)))]
        comp.append(p - closed_p(module, drop(ids, top), 1))
        suff.append(p - closed_p(module, [ids[i] for i in sorted(top)], 1))
    assert aopc_comprehensiveness(clf, [e])[0] == pytest.approx(np.mean(comp), abs=1e-6)
    assert aopc_sufficiency(clf, [e])[0] == pytest.approx(np.mean(suff), abs=1e-6)


def test_ferret_aopc_follows_ferrets_rules(setup):
    clf, module, ids, scores = setup
    e = hand_explanation(clf, TEXT, scores)
    p, order, n = closed_p(module, ids, 1), order_of(scores), len(ids)
    seen, comp, suff = None, [], []
    for t in np.arange(0.1, 1.01, 0.1):
        v = int(round(t, 1) * n)
        chosen = {i for i in order[:v] if scores[i] > 0} if v > 0 else None
        if chosen is None or chosen == seen:
            continue
        seen = chosen
        comp.append(p - closed_p(module, drop(ids, chosen), 1))
        suff.append(p - closed_p(module, [ids[i] for i in sorted(chosen)], 1))
    assert ferret_aopc_comprehensiveness(clf, [e])[0] == pytest.approx(np.mean(comp), abs=1e-6)
    assert ferret_aopc_sufficiency(clf, [e])[0] == pytest.approx(np.mean(suff), abs=1e-6)


def test_deletion_and_insertion_curves_closed_form(setup):
    clf, module, ids, scores = setup
    e = hand_explanation(clf, TEXT, scores)
    order, n = order_of(scores), len(ids)
    dele = [closed_p(module, drop(ids, order[:k]), 1) for k in range(n + 1)]
    ins = [closed_p(module, [ids[i] for i in sorted(order[:k])], 1) for k in range(n + 1)]
    x = np.arange(n + 1) / n
    curve = deletion_curves(clf, [e])[0]
    np.testing.assert_allclose(curve.probabilities, dele, atol=1e-6)
    assert deletion_auc(clf, [e])[0] == pytest.approx(np.trapezoid(dele, x), abs=1e-6)
    assert insertion_auc(clf, [e])[0] == pytest.approx(np.trapezoid(ins, x), abs=1e-6)
    assert curve.auc == pytest.approx(np.trapezoid(dele, x), abs=1e-6)


def test_curve_points_are_capped(setup):
    clf, module, ids, scores = setup
    e = hand_explanation(clf, TEXT, scores)
    curve = deletion_curves(clf, [e], max_points=5)[0]
    ks = np.unique(np.round(np.linspace(0, len(ids), 5)).astype(int))
    want = [closed_p(module, drop(ids, order_of(scores)[:k]), 1) for k in ks]
    np.testing.assert_allclose(curve.fractions, ks / len(ids))
    np.testing.assert_allclose(curve.probabilities, want, atol=1e-6)


def test_kendall_tau_is_one_for_the_exact_leave_one_out(setup):
    clf, module, _, _ = setup
    text = "the movie was good but a plot is awful and very boring"  # no repeated word: no ties
    ids = list(clf.encode([text])[0].ids)
    p = closed_p(module, ids, 1)
    loo = np.array([p - closed_p(module, drop(ids, [i]), 1) for i in range(len(ids))])
    assert kendall_tau_loo(clf, [hand_explanation(clf, text, loo)])[0] == pytest.approx(1.0)
    assert kendall_tau_loo(clf, [hand_explanation(clf, text, -loo)])[0] == pytest.approx(-1.0)
    noisy = loo + np.random.default_rng(0).normal(scale=np.std(loo), size=len(loo))
    want = scipy.stats.kendalltau(noisy, loo).statistic
    got = kendall_tau_loo(clf, [hand_explanation(clf, text, noisy)])[0]
    assert got == pytest.approx(want, abs=1e-6)


def test_rank_correlations_match_scipy_with_ties():
    rng = np.random.default_rng(1)
    for _ in range(5):
        x, y = rng.integers(0, 4, 15).astype(float), rng.normal(size=15)
        assert kendall_tau_b(x, y) == pytest.approx(scipy.stats.kendalltau(x, y).statistic)
        assert spearman(x, y) == pytest.approx(scipy.stats.spearmanr(x, y).statistic)
    assert math.isnan(kendall_tau_b(np.ones(4), np.arange(4.0)))


def test_word_level_removes_whole_words(setup):
    clf, _, _, scores = setup
    # whitespace tokenizer: one token per word, so both levels agree exactly
    e = hand_explanation(clf, TEXT, scores)
    tok = evaluate_faithfulness(clf, [e], ["aopc_comprehensiveness"], level="token")
    word = evaluate_faithfulness(clf, [e], ["aopc_comprehensiveness"], level="word")
    assert tok["aopc_comprehensiveness"][0] == pytest.approx(word["aopc_comprehensiveness"][0])


def test_many_texts_in_one_call_match_one_by_one(setup):
    clf, _, _, _ = setup
    texts = [TEXT, "a bad plot", "great fun film with more than enough charm and good acting"]
    rng = np.random.default_rng(5)
    es = [hand_explanation(clf, t, rng.normal(size=len(clf.encode([t])[0].ids))) for t in texts]
    together = evaluate_faithfulness(clf, es, max_batch_tokens=16)
    for i, e in enumerate(es):
        alone = evaluate_faithfulness(clf, [e])
        for name, values in together.items():
            np.testing.assert_allclose(values[i], alone[name][0], atol=1e-6, equal_nan=True)
