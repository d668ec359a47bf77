"""The corpus report's DuckDB aggregations against the same numbers computed in plain Python
from the Explanations read back, and the HTML page with its embedded PNGs."""

from __future__ import annotations

import json
import re
from collections import defaultdict

import numpy as np
import pytest

import wordlight
from wordlight.batch.report_data import bootstrap_ci, corpus_summary
from wordlight.cli.main import main


def _by_class(explanations, outcome="all"):
    """{class: {word: [scores]}} in plain Python."""
    out: dict = defaultdict(lambda: defaultdict(list))
    for e in explanations:
        correct = e.predicted_label == e.true_label
        if (outcome == "correct" and not correct) or (outcome == "wrong" and correct):
            continue
        for w, s in zip(e.words, e.word_scores, strict=True):
            if re.search(r"\w", w.text):
                out[e.target_label][w.text.lower()].append(float(s))
    return out


@pytest.mark.parametrize("outcome", ["all", "correct", "wrong"])
def test_per_class_words_match_plain_python(small_run, outcome):
    summary = corpus_summary(small_run, min_count=3, top=4, n_boot=200)
    explanations = wordlight.load_explanations(small_run)
    expected = _by_class(explanations, outcome)
    assert summary["rows"] == 120 and summary["texts"] == 40
    assert summary["classes"] == ["negative", "neutral", "positive"]
    for label in summary["classes"]:
        means = {w: np.mean(s) for w, s in expected[label].items() if len(s) >= 3}
        towards = sorted((w for w in means if means[w] > 0), key=lambda w: (-means[w], w))[:4]
        against = sorted((w for w in means if means[w] < 0), key=lambda w: (means[w], w))[:4]
        got = summary["per_class"][label][outcome]
        assert [w["word"] for w in got["towards"]] == towards
        assert [w["word"] for w in got["against"]] == against
        for w in got["towards"] + got["against"]:
            assert w["mean"] == pytest.approx(means[w["word"]], rel=1e-9, abs=1e-15)
            assert w["count"] == len(expected[label][w["word"]])
            low, high = w["ci"]
            assert low <= w["mean"] <= high


def test_flipping_words_and_histograms(small_run):
    summary = corpus_summary(small_run, min_count=3, top=50, n_boot=50)
    expected = _by_class(wordlight.load_explanations(small_run))
    flips = {}
    for word in {w for per in expected.values() for w in per}:
        towards = [c for c in sorted(expected) if len(expected[c][word]) >= 3
                   and np.mean(expected[c][word]) > 0]  # fmt: skip
        if len(towards) >= 2:
            flips[word] = towards
    assert {f["word"]: f["classes"] for f in summary["flipping"]} == flips
    hist = summary["distributions"]["confidence"]
    assert sum(hist["counts"]) == hist["n"] == 120
    n_words = sum(len(s) for per in expected.values() for s in per.values())
    assert summary["distributions"]["word_score"]["n"] == n_words


def test_bootstrap_interval_covers_the_mean_like_the_normal_one():
    rng = np.random.default_rng(0)
    x = rng.normal(1.0, 2.0, size=400)
    low, high = bootstrap_ci(x, 2000, np.random.default_rng(1))
    half = 1.96 * x.std(ddof=1) / np.sqrt(len(x))
    assert low == pytest.approx(x.mean() - half, abs=0.05)
    assert high == pytest.approx(x.mean() + half, abs=0.05)


def test_corpus_report_cli_writes_html_with_pngs_and_json(small_run, tmp_path, capsys):
    out = tmp_path / "report.html"
    assert main(["corpus-report", str(small_run), "--out", str(out), "--min-count", "3"]) == 0
    page = out.read_text()
    assert page.count("data:image/png;base64,") == 4  # one per class + the distributions
    assert "<script" not in page and "http" not in page  # self-contained
    summary = json.loads(out.with_suffix(".json").read_text())
    assert summary["rows"] == 120 and set(summary["per_class"]) == {
        "negative",
        "neutral",
        "positive",
    }
    assert main(["corpus-report", str(tmp_path), "--out", str(out)]) == 2
    assert "not a wordlight run directory" in capsys.readouterr().err
