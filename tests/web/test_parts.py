"""The app's parts on their own: batcher, cache, parameter adapter, word diff, rank agreement."""

from __future__ import annotations

import threading
import time

import numpy as np
import pytest

from wordlight.errors import InputError
from wordlight.web.batching import Batcher, QueueFull
from wordlight.web.cache import ResultCache
from wordlight.web.diff import word_diff
from wordlight.web.params import coerce_params, describe_method
from wordlight.web.service import rank_agreement


def test_concurrent_requests_with_one_key_run_as_one_call():
    calls: list[list[str]] = []
    gate = threading.Event()

    def run(texts):
        gate.wait(5)
        calls.append(list(texts))
        return [t.upper() for t in texts]

    batcher = Batcher(workers=1, max_queue=64, max_batch=32, wait_s=0)
    try:
        first = batcher.submit("k", "first", run)  # occupies the worker
        time.sleep(0.05)
        futures = [batcher.submit("k", f"t{i}", run) for i in range(10)]
        other = batcher.submit("other", "x", run)
        gate.set()
        assert [f.result(5) for f in futures] == [f"T{i}" for i in range(10)]
        assert first.result(5) == "FIRST" and other.result(5) == "X"
        assert calls[0] == ["first"] and calls[1] == [f"t{i}" for i in range(10)]
        assert calls[2] == ["x"] and batcher.batches == 3 and batcher.requests == 12
    finally:
        gate.set()
        batcher.close()


def test_one_bad_text_fails_alone():
    def run(texts):
        if "bad" in texts:
            raise InputError("bad text")
        return list(texts)

    batcher = Batcher(workers=1, wait_s=0.05)
    try:
        futures = [batcher.submit("k", t, run) for t in ("a", "bad", "c")]
        assert futures[0].result(5) == "a" and futures[2].result(5) == "c"
        with pytest.raises(InputError, match="bad text"):
            futures[1].result(5)
    finally:
        batcher.close()


def test_full_queue_raises_at_once():
    gate = threading.Event()
    batcher = Batcher(workers=1, max_queue=2, wait_s=0)
    try:
        batcher.submit("k", "busy", lambda t: (gate.wait(5), list(t))[1])
        time.sleep(0.05)
        batcher.submit("k", "1", list)
        batcher.submit("k", "2", list)
        start = time.perf_counter()
        with pytest.raises(QueueFull):
            batcher.submit("k", "3", list)
        assert time.perf_counter() - start < 0.1
    finally:
        gate.set()
        batcher.close()


def test_cache_is_lru_and_bounded_in_bytes():
    cache = ResultCache(max_bytes=30)
    cache.put("a", "x" * 8)  # 10 bytes as JSON
    cache.put("b", "y" * 8)
    assert cache.get("a") == "x" * 8  # a is now the most recent
    cache.put("c", "z" * 8)
    cache.put("d", "w" * 8)  # 40 bytes > 30: the least recent (b) goes
    assert cache.get("b") is None and cache.get("a") is not None
    assert cache.size_bytes <= 30 and len(cache) == 3
    cache.put("huge", "h" * 100)  # larger than the budget: not kept, nothing else dropped
    assert cache.get("huge") is None and len(cache) == 3


def test_every_registered_method_gets_a_form_and_coerces_its_defaults():
    from wordlight import METHODS
    from wordlight.methods import LAYER_METHODS

    for cls in [*METHODS.values(), *LAYER_METHODS.values()]:
        form = describe_method(cls)
        assert form, cls
        values = {p["name"]: p["default"] for p in form if p["default"] is not None}
        cls(**coerce_params(cls, values))  # the defaults round-trip through the form


def test_coerce_params():
    from wordlight import IntegratedGradients, Lime

    assert coerce_params(IntegratedGradients, {"n_steps": "auto"}) == {"n_steps": "auto"}
    assert coerce_params(IntegratedGradients, {"n_steps": "12"}) == {"n_steps": 12}
    assert coerce_params(Lime, {"n_samples": "64"})["n_samples"] == 64
    for bad in ({"n_steps": "x"}, {"n_steps": 1.5}, {"baseline": "/etc"}, {"tolerance": "nan"},
                {"unknown": 1}):  # fmt: skip
        with pytest.raises(InputError):
            coerce_params(IntegratedGradients, bad)


def explanation(words, scores, probs=(0.3, 0.7)):
    spans, pos = [], 0
    for w in words:
        spans.append([w, pos, pos + len(w), [len(spans)]])
        pos += len(w) + 1
    text = " ".join(words)
    return {"text": text, "tokens": [[w, a, b] for w, a, b, _ in spans], "scores": list(scores),
            "target": 1, "target_label": "pos", "method": "saliency", "words": spans,
            "word_scores": list(scores), "labels": ["neg", "pos"],
            "probabilities": list(probs)}  # fmt: skip


def test_word_diff():
    before = explanation(["the", "film", "was", "good"], [0.0, 0.1, 0.0, 0.8], (0.2, 0.8))
    after = explanation(
        ["the", "film", "was", "not", "good"], [0.0, 0.1, 0.0, -0.5, 0.3], (0.6, 0.4)
    )
    d = word_diff(before, after)
    assert [r["op"] for r in d["rows"]] == ["equal", "equal", "equal", "insert", "equal"]
    assert (
        d["rows"][3]["after"] == {"word": "not", "score": -0.5} and d["rows"][3]["before"] is None
    )
    assert d["rows"][4]["change"] == pytest.approx(-0.5)
    assert (
        d["prediction"]["predicted_before"] == "pos" and d["prediction"]["predicted_after"] == "neg"
    )
    np.testing.assert_allclose(d["prediction"]["change"], [0.4, -0.4])


def test_rank_agreement_is_spearman():
    from scipy.stats import spearmanr

    words = ["a", "b", "c", "d", "e"]
    x, y = [0.1, 0.5, 0.5, -0.2, 0.9], [0.3, 0.1, 0.4, 0.0, 0.2]
    got = rank_agreement(explanation(words, x), explanation(words, y))
    assert got == pytest.approx(spearmanr(x, y)[0])
    assert rank_agreement(explanation(["a"], [1.0]), explanation(["a"], [2.0])) is None


def test_many_texts_go_in_waves_through_a_small_queue():
    from tests.web.conftest import build_app
    from wordlight.web.service import explain_texts

    app = build_app(max_queue=4, max_batch=4)
    state = app.state.wordlight
    try:
        texts = [f"good movie {'fun ' * i}" for i in range(11)]
        found = explain_texts(state, "linear", "saliency", {}, texts)
        assert [e["text"] for e in found] == texts
        assert state.batcher.requests == 11 and state.batcher.batches <= 11
    finally:
        state.close()
