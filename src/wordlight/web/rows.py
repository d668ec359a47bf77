"""Rows of a declared data set, filtered by true label, correct or wrong prediction, confidence,
length and extra columns (``column == value``, AND-ed), picked by index or at random."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from wordlight.errors import InputError
from wordlight.web.service import predict
from wordlight.web.state import AppState, NotFound

MAX_PREDICTED_ROWS = 2000  # rows a prediction filter looks at (the first ones)
MAX_LISTED_VALUES = 20  # an extra column with at most this many distinct values lists them


@dataclass(frozen=True)
class RowFilter:
    label: str | None = None
    correct: bool | None = None
    min_confidence: float | None = None
    max_confidence: float | None = None
    min_words: int | None = None
    max_words: int | None = None
    model: str | None = None  # needed by the prediction filters
    columns: tuple[tuple[str, str], ...] = ()  # (extra column, value) pairs, all must match

    @property
    def needs_predictions(self) -> bool:
        return (
            self.correct is not None
            or self.min_confidence is not None
            or self.max_confidence is not None
        )


def dataset_info(state: AppState, name: str) -> dict[str, Any]:
    data = state.dataset(name)
    lengths = [len(t.split()) for t in data.texts]
    return {
        "name": name,
        "rows": len(data),
        "labels": list(data.label_names),
        "task": data.task,
        "lengths": [min(lengths, default=0), max(lengths, default=0)],
        "columns": [_column_info(name, values) for name, values in data.extra.items()],
    }


def _column_info(name: str, values: tuple[Any, ...]) -> dict[str, Any]:
    numeric = all(isinstance(v, int | float) and not isinstance(v, bool) for v in values)
    distinct = sorted(set(values), key=lambda v: (v, "") if numeric else (0, str(v)))
    listed = distinct if len(distinct) <= MAX_LISTED_VALUES else None
    return {"name": name, "kind": "number" if numeric else "text", "values": listed}


def matches(cell: Any, value: str) -> bool:
    """An extra column's cell equals a query value: numbers compare as numbers ("3" == 3.0)."""
    if isinstance(cell, int | float) and not isinstance(cell, bool):
        try:
            return float(value) == float(cell)
        except ValueError:
            return False
    return str(cell) == value


def get_rows(
    state: AppState,
    name: str,
    filters: RowFilter,
    *,
    index: int | None = None,
    random: bool = False,
    seed: int | None = None,
    offset: int = 0,
    limit: int = 20,
) -> dict[str, Any]:
    data = state.dataset(name)
    if filters.label is not None and filters.label not in data.label_names:
        raise InputError(
            f"unknown label {filters.label!r}; this data set has: {', '.join(data.label_names)}"
        )
    for column, _ in filters.columns:
        if column not in data.extra:
            found = ", ".join(data.extra) or "none"
            raise InputError(f"unknown column {column!r}; this data set has extra columns: {found}")
    if index is not None and not 0 <= index < len(data):
        raise NotFound(f"row {index} does not exist; {name} has rows 0..{len(data) - 1}")
    candidates = [index] if index is not None else list(range(len(data)))
    preds: dict[int, dict[str, Any]] = {}
    if filters.needs_predictions or filters.model is not None:
        if filters.model is None:
            raise InputError("filtering by prediction needs a model; pass model=NAME")
        if filters.needs_predictions:
            candidates = candidates[:MAX_PREDICTED_ROWS]
        preds = _predictions(state, filters.model, name, candidates, filters.needs_predictions)
    chosen = [i for i in candidates if _keep(data, i, filters, preds.get(i))]
    if random and chosen:
        rng = np.random.default_rng(seed)
        chosen = [chosen[int(rng.integers(len(chosen)))]]
        offset = 0
    page = chosen[offset : offset + limit]
    if filters.model is not None and not filters.needs_predictions:
        preds = _predictions(state, filters.model, name, page, True)
    return {
        "dataset": name,
        "total": len(chosen),
        "rows": [_row(data, i, preds.get(i)) for i in page],
    }


def _predictions(
    state: AppState, model: str, name: str, indices: list[int], compute: bool
) -> dict[int, dict[str, Any]]:
    if not compute or not indices:
        return {}
    data = state.dataset(name)
    found = predict(state, model, [data.texts[i] for i in indices])
    out = {}
    for i, p in zip(indices, found, strict=True):
        best = int(np.argmax(p["values"]))
        truth = data.label_names[data.labels[i]]
        out[i] = {
            "predicted": p["predicted"],
            "confidence": float(p["values"][best]),
            "correct": p["predicted"] == truth,
        }
    return out


def _keep(data: Any, i: int, f: RowFilter, pred: dict[str, Any] | None) -> bool:
    words = len(data.texts[i].split())
    if f.label is not None and data.label_names[data.labels[i]] != f.label:
        return False
    if any(not matches(data.extra[c][i], v) for c, v in f.columns):
        return False
    if f.min_words is not None and words < f.min_words:
        return False
    if f.max_words is not None and words > f.max_words:
        return False
    if pred is not None:
        if f.correct is not None and pred["correct"] != f.correct:
            return False
        if f.min_confidence is not None and pred["confidence"] < f.min_confidence:
            return False
        if f.max_confidence is not None and pred["confidence"] > f.max_confidence:
            return False
    return True


def _row(data: Any, i: int, pred: dict[str, Any] | None) -> dict[str, Any]:
    return {
        "index": i,
        "id": data.ids[i] if data.ids else None,
        "text": data.texts[i],
        "label": data.label_names[data.labels[i]],
        "score": float(data.scores[i]),
        "words": len(data.texts[i].split()),
        "extra": {name: values[i] for name, values in data.extra.items()},
        **(pred or {}),
    }
