"""compare(): known answers on the linear bag model (an oracle explanation ranks exactly like
leave-one-out, its negation exactly against it), identities with the metric functions, the
table's statistics against numpy, round trips and bad input."""

from __future__ import annotations

import html
import json
import re
from dataclasses import dataclass
from typing import ClassVar

import numpy as np
import pytest
import torch

from wordlight import InputError, explain
from wordlight.evaluation import evaluate_faithfulness, evaluate_plausibility
from wordlight.evaluation.compare import Comparison, compare
from wordlight.methods.base import Attribution, Explainer

# no word repeats within a text (no ties in the oracle's ranking), and the linear bag model's
# logits stay moderate on these texts (no saturated probabilities)
TEXTS = ["is good very to has than", "it movie boring plot", "a movie acting fun",
         "the film was"]  # fmt: skip
METRICS = ["comprehensiveness", "sufficiency", "kendall_tau_loo", "deletion_auc"]


@dataclass(frozen=True, kw_only=True)
class Oracle(Explainer):
    """Each token's exact push on logit(target) - logit(other) in the linear bag model."""

    name: ClassVar[str] = "oracle"
    summary: ClassVar[str] = "test only"
    sign: ClassVar[float] = 1.0

    def attribute(self, model, batch, targets):
        module = model._module
        w = module.head.weight  # (2, dim)
        diff = w[targets[:, 0]] - w[1 - targets[:, 0]]  # (B, dim)
        emb = module.embedding(batch.ids)  # (B, T, dim)
        scores = torch.einsum("btd,bd->bt", emb, diff) * batch.content_mask * self.sign
        return Attribution(scores.unsqueeze(1).detach())


@dataclass(frozen=True, kw_only=True)
class AntiOracle(Oracle):
    name: ClassVar[str] = "anti_oracle"
    sign: ClassVar[float] = -1.0


def test_oracle_ranks_like_leave_one_out_and_wins(linear_model):
    clf, _, _ = linear_model
    c = compare(clf, TEXTS, [Oracle(), AntiOracle(), "gradient_x_input"], METRICS,
                progress=False)  # fmt: skip
    assert c.methods == ("oracle", "anti_oracle", "gradient_x_input")
    np.testing.assert_allclose(c.values["oracle"]["kendall_tau_loo"], 1.0)
    np.testing.assert_allclose(c.values["anti_oracle"]["kendall_tau_loo"], -1.0)
    assert c.best("kendall_tau_loo") == "oracle"
    assert c.best("comprehensiveness") == "oracle"
    assert c.best("sufficiency") == "oracle"  # lower is better: direction-aware
    assert c.best("deletion_auc") == "oracle"  # lower is better
    assert "**1.000 ± 0.000**" in c.to_markdown()


def test_values_are_the_metric_functions_and_table_is_numpy(linear_model):
    clf, _, _ = linear_model
    rationales = [[1] + [0] * (len(t.split()) - 1) for t in TEXTS]
    metrics = [*METRICS, "token_f1", "auprc"]
    c = compare(clf, TEXTS, ["saliency", "gradient_x_input"], metrics, rationales=rationales,
                level="word", progress=False)  # fmt: skip
    for method in c.methods:
        found = explain(clf, TEXTS, method, progress=False)
        want = evaluate_faithfulness(clf, found, METRICS, level="word", progress=False)
        want.update(evaluate_plausibility(found, rationales, ["token_f1", "auprc"], level="word"))
        for metric in metrics:
            np.testing.assert_allclose(c.values[method][metric], want[metric], equal_nan=True)
    table = c.table()
    assert list(table.index) == ["saliency", "gradient_x_input"]
    v = c.values["saliency"]["comprehensiveness"]
    assert table.loc["saliency", "comprehensiveness"] == pytest.approx(v.mean())
    assert table.loc["saliency", "comprehensiveness_std"] == pytest.approx(v.std(ddof=1))
    assert table.loc["saliency", "n_texts"] == len(TEXTS)
    assert table.loc["saliency", "seconds_per_text"] == pytest.approx(
        c.seconds["saliency"] / len(TEXTS)
    )


def test_round_trip_and_html(linear_model, tmp_path):
    clf, _, _ = linear_model
    texts = [*TEXTS[:2], "bad <b>acting</b> & plot"]
    c = compare(clf, texts, ["saliency", "gradient_x_input"], ["kendall_tau_loo"],
                progress=False)  # fmt: skip
    back = Comparison.from_dict(json.loads(json.dumps(c.to_dict())))
    assert back.to_markdown() == c.to_markdown() and back.texts == c.texts
    for m in c.methods:
        for a, b in zip(back.explanations[m], c.explanations[m], strict=True):
            np.testing.assert_allclose(a.scores, b.scores)
    page = c.save_html(tmp_path / "r.html").read_text(encoding="utf-8")
    assert "<b>" not in page and "&lt;" in page
    assert "http" not in page and "<script" not in page
    # each highlighted cell gives back its text exactly
    cells = re.findall(r'<div data-wl="text"[^>]*>(.*?)</div>', page)
    assert len(cells) == 2 * len(texts)
    shown = [html.unescape(re.sub(r"<[^>]+>", "", cell)) for cell in cells]
    assert shown == [t for t in texts for _ in range(2)]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"methods": []}, "no methods given"),
        ({"methods": ["saliency", "saliency"]}, "given twice"),
        ({"methods": ["nope"]}, "unknown method 'nope'"),
        ({"metrics": []}, "no metrics given"),
        ({"metrics": ["accuracy"]}, "unknown metric 'accuracy'"),
        ({"metrics": ["token_f1"]}, "needs human rationales"),
        ({"metrics": ["token_f1"], "rationales": [[1]]}, "1 rationales for 4 texts"),
        ({"level": "char"}, "unknown level 'char'"),
        ({"target": "all"}, "one explanation per text"),
    ],
)
def test_bad_input(linear_model, kwargs, message):
    clf, _, _ = linear_model
    args = {"methods": ["saliency"], "metrics": ["comprehensiveness"], **kwargs}
    with pytest.raises(InputError, match=message):
        compare(clf, TEXTS, progress=False, **args)
    with pytest.raises(InputError, match="no texts given"):
        compare(clf, [], ["saliency"])
