"""The app's operations over declared models: explain (batched and cached), predict,
faithfulness badges, comparisons with an agreement matrix, layer runs in chunks.

Results are wordlight's own JSON (``Explanation.to_dict()``, ``LayerExplanation.to_dict()``).
Routes call these functions; jobs call them with a Progress to report and cancel between chunks.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

from wordlight.errors import InputError
from wordlight.web.cache import cache_key
from wordlight.web.params import coerce_params, is_unsigned
from wordlight.web.state import AppState, NotFound

ProgressFn = Callable[..., None]
FAITHFULNESS = ("comprehensiveness", "sufficiency")


def engine_progress(
    progress: ProgressFn, stage: str, chunk: int = 0, chunks: int = 1
) -> Callable[[int, int], None]:
    """The engine's ``progress=callback(done, total)`` for chunk ``chunk`` of ``chunks`` of a
    job, in thousandths of the job; a cancelled job's Progress raises from it, which stops the
    engine mid-run."""

    def callback(done: int, total: int) -> None:
        part = done / total if total else 1.0
        progress(int(1000 * (chunk + part)), 1000 * chunks, stage)

    return callback


def _no_progress(done: int, total: int, stage: str | None = None) -> None:
    return None


def method_class(method: str, layers: bool = False) -> type:
    from wordlight.methods import LAYER_METHODS, METHODS

    table: Mapping[str, type] = LAYER_METHODS if layers else METHODS
    if method not in table:
        kind = "layer method" if layers else "method"
        raise NotFound(f"unknown {kind} {method!r}; choose one of: {', '.join(table)}")
    return table[method]


def check_text(state: AppState, text: str) -> str:
    if len(text) > state.config.max_text_chars:
        raise TextTooLong(
            f"the text has {len(text)} characters; the limit is {state.config.max_text_chars}"
        )
    if not text.strip():
        raise InputError("the text is empty; type or pick some words to explain")
    return text


class TextTooLong(InputError):
    """A text over the app's cap: a 413."""


def explain_texts(
    state: AppState,
    model: str,
    method: str,
    params: Mapping[str, Any],
    texts: Sequence[str],
    target: str | int | None = None,
    progress: ProgressFn | None = None,
) -> list[dict[str, Any]]:
    """``Explanation.to_dict()`` per text: from the cache, or through the batcher (concurrent
    requests with the same model, method, parameters and target run as one engine call)."""
    cls = method_class(method)
    values = coerce_params(cls, params)
    classifier = state.model(model)
    for text in texts:
        check_text(state, text)
    key = cache_key(model, method, values, target)
    out: list[dict[str, Any] | None] = [state.cache.get((key, text)) for text in texts]
    missing = [i for i, hit in enumerate(out) if hit is None]
    run = _runner(classifier, method, values, target, progress)
    if progress is not None:  # a job: its own engine call, which reports progress as it goes
        for i in missing:
            out[i] = run([texts[i]])[0]
            state.cache.put((key, texts[i]), out[i])
        missing = []
    step = state.config.max_batch  # many texts (a data set's rows) go in batch-sized waves,
    for first in range(0, len(missing), step):  # so they never fill the bounded queue alone
        wave = missing[first : first + step]
        futures = [state.batcher.submit(key, texts[i], run) for i in wave]
        for i, future in zip(wave, futures, strict=True):
            out[i] = future.result()
            state.cache.put((key, texts[i]), out[i])
    return [r for r in out if r is not None]


def _runner(
    classifier: Any,
    method: str,
    values: Mapping[str, Any],
    target: str | int | None,
    progress: ProgressFn | None = None,
) -> Callable[[Sequence[str]], list[dict[str, Any]]]:
    report = False if progress is None else engine_progress(progress, method)

    def run(texts: Sequence[str]) -> list[dict[str, Any]]:
        from wordlight import explain

        found = explain(classifier, list(texts), method, target=target, progress=report, **values)
        return [e.to_dict() for e in found]

    return run


def prediction(explanation: Mapping[str, Any], threshold: float | None = None) -> dict[str, Any]:
    """The model's answer as the page shows it (from ``Explanation.to_dict()``). ``kind`` picks
    the renderer on the page, by the model's head: "distribution" (classes: ``values`` sum to
    one), "labels" (multi-label: each label's own sigmoid probability; ``predicted_labels`` are
    those above ``threshold``) or "value" (regression: ``value``, no class, no probability).
    ``predicted`` and ``summary`` are worded as every other view words them
    (:mod:`wordlight.viz.prediction`). ``threshold`` replaces the explanation's label threshold."""
    from wordlight.results import Explanation
    from wordlight.viz.prediction import predicted_text, prediction_line

    e = Explanation.from_dict(explanation)
    if threshold is not None:
        e = e.with_label_threshold(threshold)
    kind = {"multi_label": "labels", "regression": "value"}.get(e.head, "distribution")
    return {
        "kind": kind,
        "labels": list(e.labels),
        "values": e.probabilities.tolist(),
        "predicted": e.predicted_label if kind == "distribution" else predicted_text(e),
        "predicted_labels": list(e.predicted_labels),
        "value": e.value,
        "threshold": e.label_threshold if kind == "labels" else None,
        "summary": prediction_line(e, " · "),
        "true_label": e.true_label,
    }


def predict(
    state: AppState, model: str, texts: Sequence[str], threshold: float = 0.5
) -> list[dict[str, Any]]:
    """Class probabilities of texts (the forward pass of the cheapest method, cached)."""
    found = explain_texts(state, model, "saliency", {}, texts)
    return [prediction(e, threshold) for e in found]


def faithfulness(state: AppState, model: str, explanations: Sequence[Mapping[str, Any]]) -> list:
    """ERASER comprehensiveness and sufficiency (top 20% of tokens) of each explanation."""
    from wordlight import Explanation
    from wordlight.evaluation import evaluate_faithfulness

    items = [Explanation.from_dict(e) for e in explanations]
    values = evaluate_faithfulness(state.model(model), items, list(FAITHFULNESS), progress=False)
    return [{m: _finite(values[m][i]) for m in FAITHFULNESS} for i in range(len(items))]


def _finite(x: Any) -> float | None:
    x = float(x)
    return x if np.isfinite(x) else None


def explain_view(
    state: AppState,
    model: str,
    method: str,
    params: Mapping[str, Any],
    text: str,
    target: str | int | None = None,
    with_faithfulness: bool = False,
    progress: ProgressFn | None = None,
    threshold: float = 0.5,
) -> dict[str, Any]:
    """Everything the page shows for one method on one text. With ``progress`` (a job), the
    text runs on its own with the engine reporting to it (and cancelling through it).
    ``threshold``: a multi-label model's label threshold (the cached scores do not depend on it)."""
    found = explain_texts(state, model, method, params, [text], target, progress)[0]
    explanation = {**found, "label_threshold": threshold}  # a copy: the cache keeps its own
    return {
        "model": model,
        "method": method,
        "explanation": explanation,
        "prediction": prediction(explanation),
        "unsigned": is_unsigned(method, explanation.get("params", {})),
        "faithfulness": faithfulness(state, model, [explanation])[0] if with_faithfulness else None,
    }


def compare(
    state: AppState,
    runs: Sequence[tuple[str, str, Mapping[str, Any]]],
    text: str,
    target: str | int | None = None,
    progress: ProgressFn = _no_progress,
    threshold: float = 0.5,
) -> dict[str, Any]:
    """Each (model, method, params) on the same text with its faithfulness badge, and the
    Spearman rank correlation of every pair's word scores."""
    if not runs:
        raise InputError("choose at least one method to compare")
    if len(runs) > state.config.max_compare:
        raise InputError(f"{len(runs)} runs; compare at most {state.config.max_compare} at once")
    check_text(state, text)
    views = []
    for i, (model, method, params) in enumerate(runs):
        progress(i, len(runs), f"{model}: {method}")
        views.append(explain_view(state, model, method, params, text, target, True,
                                  threshold=threshold))  # fmt: skip
    progress(len(runs), len(runs), "done")
    names = [f"{v['model']}: {v['method']}" for v in views]
    matrix = [[rank_agreement(a["explanation"], b["explanation"]) for b in views] for a in views]
    return {"text": text, "results": views, "agreement": {"names": names, "matrix": matrix}}


def rank_agreement(a: Mapping[str, Any], b: Mapping[str, Any]) -> float | None:
    """Spearman's rho of two explanations' word scores over the words they share (by span)."""
    sa = {(w[1], w[2]): s for w, s in zip(a["words"], a["word_scores"], strict=True)}
    sb = {(w[1], w[2]): s for w, s in zip(b["words"], b["word_scores"], strict=True)}
    common = sorted(set(sa) & set(sb))
    if len(common) < 2:
        return None
    x = _ranks(np.array([sa[k] for k in common]))
    y = _ranks(np.array([sb[k] for k in common]))
    if x.std() == 0 or y.std() == 0:
        return None
    return float(np.corrcoef(x, y)[0, 1])


def _ranks(values: np.ndarray) -> np.ndarray:
    """Average ranks (ties share the mean of their positions), as Spearman's rho needs."""
    order = np.argsort(values, kind="stable")
    ranks = np.empty(len(values))
    ranks[order] = np.arange(len(values), dtype=np.float64)
    for v in np.unique(values):
        tie = values == v
        if tie.sum() > 1:
            ranks[tie] = ranks[tie].mean()
    return ranks
