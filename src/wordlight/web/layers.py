"""Layer runs for the page: a token x layer heatmap and each word's curve over the layers.

The run goes one layer at a time (a chunk), so it reports progress and can be cancelled between
layers; the chunks are joined into one ``LayerExplanation``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from wordlight.web.cache import cache_key
from wordlight.web.params import coerce_params
from wordlight.web.service import (
    ProgressFn,
    _no_progress,
    check_text,
    engine_progress,
    method_class,
)
from wordlight.web.state import AppState


def layer_view(
    state: AppState,
    model: str,
    method: str,
    params: Mapping[str, Any],
    text: str,
    target: str | int | None = None,
    progress: ProgressFn = _no_progress,
    threshold: float = 0.5,
) -> dict[str, Any]:
    """``{"layers": LayerExplanation.to_dict(), "curves": {"words", "layers", "values"}}``;
    ``threshold``, a multi-label model's label threshold, is set on a copy (the scores do not
    depend on it, so the cache keeps one entry)."""
    from wordlight import explain_layers

    cls = method_class(method, layers=True)
    values = coerce_params(cls, params)
    check_text(state, text)
    classifier = state.model(model)
    key = ("layers", cache_key(model, method, values, target), text)
    hit = state.cache.get(key)
    if hit is not None:
        return _with_threshold(hit, threshold)
    rows = cls(**values).resolve_layers(_layered(classifier))
    parts = []
    for i, layer in enumerate(rows):
        progress(1000 * i, 1000 * len(rows), f"layer {layer}")  # thousandths of the job
        report = engine_progress(progress, f"layer {layer}", i, len(rows))
        found = explain_layers(
            classifier, text, method, target=target, progress=report, layers=(layer,), **values
        )
        parts.append(found[0])
    progress(1000 * len(rows), 1000 * len(rows), "done")
    joined = _join(parts)
    view = {"model": model, "method": method, "layers": joined.to_dict(), "curves": curves(joined)}
    state.cache.put(key, view)
    return _with_threshold(view, threshold)


def _with_threshold(view: Mapping[str, Any], threshold: float) -> dict[str, Any]:
    return {**view, "layers": {**view["layers"], "label_threshold": threshold}}


def _layered(classifier: Any) -> Any:
    from wordlight.errors import ModelError

    if not hasattr(classifier, "n_layers"):
        raise ModelError(f"{type(classifier).__name__} has no encoder layers to look inside")
    return classifier


def _join(parts: list[Any]) -> Any:
    from dataclasses import replace

    first = parts[0]
    if len(parts) == 1:
        return first
    deltas = None
    if all(p.completeness_delta is not None for p in parts):
        deltas = np.concatenate([p.completeness_delta for p in parts])
    steps = None
    if all(p.n_steps is not None for p in parts):
        steps = tuple(s for p in parts for s in p.n_steps)
    return replace(
        first,
        layers=tuple(layer for p in parts for layer in p.layers),
        scores=np.concatenate([p.scores for p in parts]),
        completeness_delta=deltas,
        n_steps=steps,
        dims=None,
        params={**dict(first.params), "layers": None},
    )


def curves(layer_explanation: Any) -> dict[str, Any]:
    """Each word's score at every layer (the information curves of the page)."""
    scores = np.asarray(layer_explanation.word_scores(), dtype=np.float64)  # (rows, words)
    return {
        "words": [w.text for w in layer_explanation.words],
        "layers": list(layer_explanation.layers),
        "values": [[_finite(v) for v in row] for row in scores.T.tolist()],
    }


def _finite(x: float) -> float | None:
    return float(x) if np.isfinite(x) else None
