"""The public run engine: windows, buckets, budgets, passes and the one progress rule."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from torch import nn

from tests.conftest import TEXTS, WORDS
from wordlight import (
    Information,
    LayerIntegratedGradients,
    Lime,
    Saliency,
    TorchClassifier,
    engine,
    load_model,
)
from wordlight.errors import InputError, ModelError
from wordlight.evaluation import compare, evaluate_faithfulness
from wordlight.models.protocol import Encoding, ModuleClassifier


class Stop(Exception):
    """What a caller's progress callback raises to cancel the work."""


def short_model(linear_model, max_length: int = 12) -> TorchClassifier:
    clf, module, tok = linear_model
    return TorchClassifier(
        forward=module.forward_embeddings, embedding=module.embedding, tokenize=tok,
        labels=clf.labels, pad_id=0, mask_id=3, prefix_ids=[2], max_length=max_length,
        module=module,
    )  # fmt: skip


# --- windows and merging ---------------------------------------------------------------
def test_windows_cover_a_long_text_and_merge_back_exactly(linear_model):
    clf = short_model(linear_model)  # room: 12 - 1 prefix token = 11 content tokens
    text = " ".join(WORDS * 3)
    (enc,) = clf.encode([text])
    n = len(enc.ids)
    windows = engine.make_windows([enc], clf, overlap=0.5)
    assert all(len(w.ids) <= 11 for w in windows)
    assert windows[0].start == 0 and windows[-1].start + len(windows[-1].ids) == n
    for w in windows:  # each window is a slice of the text's own ids
        assert w.ids == enc.ids[w.start : w.start + len(w.ids)]
    covered = np.zeros(n, int)
    for w in windows:
        covered[w.start : w.start + len(w.ids)] += 1
    assert covered.min() >= 1 and covered.max() >= 2  # every token, with overlap
    # each window reports its tokens' own positions: the merge must give back 0..n-1 exactly
    scores = [np.arange(w.start, w.start + len(w.ids), dtype=float) for w in windows]
    np.testing.assert_array_equal(engine.merge_scores(windows, scores, n), np.arange(n))


def test_mean_by_text_averages_each_texts_windows():
    windows = [engine.Window(0, 0, (5,)), engine.Window(1, 0, (5,)), engine.Window(0, 1, (6,))]
    values = np.array([[1.0, 3.0], [2.0, 2.0], [3.0, 5.0]])
    np.testing.assert_array_equal(engine.mean_by_text(values, windows, 2), [[2.0, 4.0], [2.0, 2.0]])


def test_collate_pads_and_wraps_in_special_tokens(linear_model):
    clf = short_model(linear_model)
    batch = engine.collate([engine.Window(0, 0, (7, 8, 9)), engine.Window(1, 0, (10,))], clf)
    assert batch.ids.tolist() == [[2, 7, 8, 9], [2, 10, 0, 0]]
    assert batch.attention_mask.tolist() == [[1, 1, 1, 1], [1, 1, 0, 0]]
    assert batch.content_mask.tolist() == [[False, True, True, True], [False, True, False, False]]
    assert batch.n_prefix == 1 and batch.lengths == (3, 1)


# --- buckets and the row budget ----------------------------------------------------------
def test_buckets_respect_the_budget_and_keep_every_window():
    rng = np.random.default_rng(0)
    windows = [engine.Window(i, 0, (1,) * int(k)) for i, k in enumerate(rng.integers(1, 60, 200))]
    for budget in (16, 100, 1000):
        groups = engine.length_buckets(windows, budget)
        assert sorted(j for g in groups for j in g) == list(range(len(windows)))
        for g in groups:
            width = max(len(windows[j].ids) for j in g) + 2
            assert len(g) == 1 or len(g) * width <= budget
        widths = [len(windows[j].ids) for g in groups for j in g]
        assert widths == sorted(widths)  # shortest first: little padding


def test_width_chunks_cut_rows_to_the_budget():
    widths = [3, 4, 4, 9, 10, 30]
    chunks = list(engine.width_chunks(widths, 20))
    rows = [i for c, _ in chunks for i in range(c.start, c.stop)]
    assert rows == list(range(len(widths)))
    for c, width in chunks:
        assert width == max(widths[c])
        assert c.stop - c.start == 1 or (c.stop - c.start) * width <= 20


def test_row_budget_defaults_by_kind_and_device(linear_model):
    clf = short_model(linear_model)
    assert engine.row_budget(clf) == engine.CPU_ROW_BUDGET == 1024
    assert engine.row_budget(clf, kind="forward") == engine.CPU_FORWARD_BUDGET == 2048
    assert engine.row_budget(clf, kind="hidden") == 8192
    assert engine.row_budget(clf, 77, "forward") == 77  # the caller's cap wins
    meta = TorchClassifier(  # weights on a non-CPU device: the accelerator default
        forward=lambda x, m: x.sum(1), embedding=nn.Embedding(4, 2, device="meta"),
        tokenize=linear_model[2], labels=["a", "b"],
    )  # fmt: skip
    assert engine.row_budget(meta) == engine.GPU_ROW_BUDGET == 16384
    for bad in (0, -3, True, 2.5):
        with pytest.raises(InputError, match="max_batch_tokens"):
            engine.row_budget(clf, bad)
    with pytest.raises(InputError, match="unknown pass kind"):
        engine.row_budget(clf, kind="sideways")  # type: ignore[arg-type]


def test_an_explainer_uses_the_engine_budget(linear_model):
    clf = short_model(linear_model)
    assert Saliency().row_budget(clf) == engine.row_budget(clf, None, "gradient")
    assert Saliency(max_batch_tokens=64).row_budget(clf) == 64


# --- validation, plan and passes -----------------------------------------------------------
def test_check_texts_and_encodings_give_one_line_errors(linear_model):
    assert engine.check_texts("one") == ["one"]
    for bad, message in ([], "no texts"), (["ok", 3], "text 1 is a int"), (["  "], "empty"):
        with pytest.raises(InputError, match=message):
            engine.check_texts(bad)
    clf = short_model(linear_model)
    with pytest.raises(InputError, match="at most 11"):
        engine.prepare(clf, " ".join(WORDS), budget=1024, one_window=True)
    with pytest.raises(InputError, match="no tokens the model knows"):
        engine.check_encodings([Encoding("?", (), (), ())])


def test_predict_through_the_engine_equals_the_models_own_forward(tiny_bert):
    model, tok = tiny_bert
    clf = load_model(model, tok)
    texts = [*TEXTS, "not good"]
    plan = engine.prepare(clf, texts, budget=16)  # a tiny budget: many passes
    assert [len(plan.windows_of(i)) for i in range(len(texts))] == [1] * len(texts)
    with clf.evaluating():
        probs = engine.text_probabilities(plan, engine.predict(clf, plan, 16))
    with torch.no_grad():
        enc = tok(texts, padding=True, return_tensors="pt")
        want = torch.softmax(model(**enc).logits, -1).numpy()
    np.testing.assert_allclose(probs, want, atol=1e-5)


def test_resolve_targets_by_name_index_and_all():
    probs = np.array([[0.2, 0.8], [0.6, 0.4]])
    labels = ("neg", "pos")
    assert engine.resolve_targets(None, labels, probs).tolist() == [[1], [0]]
    assert engine.resolve_targets("pos", labels, probs).tolist() == [[1], [1]]
    assert engine.resolve_targets("all", labels, probs).tolist() == [[0, 1], [0, 1]]
    assert engine.resolve_targets(["neg", 1], labels, probs).tolist() == [[0], [1]]


# --- the one progress rule ----------------------------------------------------------------
def calls_of(run) -> list[tuple[int, int]]:
    seen: list[tuple[int, int]] = []
    run(lambda done, total: seen.append((done, total)))
    return seen


def assert_monotone_to_the_end(seen: list[tuple[int, int]]) -> None:
    assert seen, "the callback was never called"
    done = [d for d, _ in seen]
    assert done == sorted(done)
    assert len({t for _, t in seen}) == 1 and seen[-1][0] == seen[-1][1]


@pytest.mark.filterwarnings("ignore:information.*did not converge")
def test_a_callback_hears_every_consumer(tiny_bert, linear_model):
    clf = load_model(*tiny_bert)
    texts = [*TEXTS, "not good"]
    cases = {
        "explain": lambda cb: Saliency(max_batch_tokens=16).explain(clf, texts, progress=cb),
        "layers": lambda cb: LayerIntegratedGradients(n_steps=2).explain(clf, texts, progress=cb),
        "lime": lambda cb: Lime(n_samples=20, seed=0).explain(clf, texts[:2], progress=cb),
        "information": lambda cb: Information(
            max_iterations=20, layer=1, regularization="self"
        ).explain(clf, texts[:1], progress=cb),
    }
    exps = Saliency().explain(clf, texts)
    cases["faithfulness"] = lambda cb: evaluate_faithfulness(clf, exps, progress=cb)
    for name, run in cases.items():
        seen = calls_of(run)
        assert_monotone_to_the_end(seen)
        if name == "explain":
            assert seen[-1] == (len(texts), len(texts))  # one unit per window
    # nested work (LIME's perturbation passes) calls back before its window is done
    assert calls_of(cases["lime"])[0][0] == 0


def test_a_raising_callback_stops_the_work(tiny_bert):
    clf = load_model(*tiny_bert)
    texts = [*TEXTS, "not good"]
    calls = []

    def cancel(done: int, total: int) -> None:
        calls.append(done)
        raise Stop

    for run in (
        lambda: Saliency(max_batch_tokens=16).explain(clf, texts, progress=cancel),
        lambda: Lime(n_samples=20, seed=0).explain(clf, texts, progress=cancel),
        lambda: LayerIntegratedGradients(n_steps=2).explain(clf, texts, progress=cancel),
    ):
        calls.clear()
        with pytest.raises(Stop):
            run()
        assert len(calls) == 1  # nothing ran after the first call


def test_bars_true_false_none(tiny_bert, capsys):
    clf = load_model(*tiny_bert)
    Saliency().explain(clf, TEXTS, progress=False)
    assert capsys.readouterr().err == ""
    Saliency().explain(clf, TEXTS, progress=None)  # not a terminal, and quick: no bar
    assert capsys.readouterr().err == ""
    Saliency().explain(clf, TEXTS, progress=True)
    assert "saliency" in capsys.readouterr().err


def test_nested_progress_follows_the_enclosing_work():
    beats = []
    with engine.Progress(3, "outer", progress=lambda d, t: beats.append((d, t))) as outer:
        assert engine.current() is outer
        with engine.nested(5, "inner") as inner:
            for _ in range(5):
                inner.update()
        outer.update(3)
    assert beats == [(0, 3)] * 5 + [(3, 3)]
    assert engine.current() is None
    quiet = engine.nested(2, "alone")  # nothing encloses it: silent
    assert quiet.option is False


# --- consumers ------------------------------------------------------------------------------
def test_compare_caps_the_explaining_too(linear_model):
    clf = short_model(linear_model, max_length=64)
    texts, metric = ["great fun", "bad plot"], ["comprehensiveness"]
    for method, cap, want in (("saliency", 16, 16), (Saliency(max_batch_tokens=8), 16, 8),
                              ("saliency", None, None)):  # fmt: skip
        result = compare(clf, texts, [method], metric, max_batch_tokens=cap)
        assert result.explanations["saliency"][0].params["max_batch_tokens"] == want
    with pytest.raises(InputError, match="max_batch_tokens"):
        compare(clf, texts, ["saliency"], metric, max_batch_tokens=0)


def test_adapters_expose_their_weights_through_the_protocol(tiny_bert, linear_model):
    hf = load_model(*tiny_bert)
    assert isinstance(hf, ModuleClassifier)
    assert hf.module is tiny_bert[0] and hf.shared() == (tiny_bert[1],)
    assert [name for name, _ in hf.blocks()] == ["head", "layer 2", "layer 1", "embeddings"]
    clf, module, _ = linear_model
    assert isinstance(clf, ModuleClassifier) and clf.module is module
    assert [name for name, _ in clf.blocks()] == ["head", "embedding"]
    bare = TorchClassifier(
        forward=module.forward_embeddings, embedding=module.embedding,
        tokenize=linear_model[2], labels=["a", "b"],
    )  # fmt: skip
    with pytest.raises(ModelError, match="no torch module"):
        bare.blocks()
