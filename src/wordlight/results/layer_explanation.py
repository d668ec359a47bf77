"""LayerExplanation: one text's scores at every layer of an encoder, for one target class.

Rows are layers (``layers[r]``: 0 = the embedding block's output, k = encoder layer k), columns
are every position the model saw: the special tokens ([CLS], [SEP], <s> ...) are kept, because
deeper layers move attribution onto them (a BERT classifier reads only [CLS] after the last
layer). ``explanation(layer)`` gives the usual one-layer :class:`Explanation` over the text's own
tokens, which every renderer, ``top_words`` and ``to_frame`` already take. No maths or drawing here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from wordlight.errors import InputError
from wordlight.results.explanation import (
    Explanation,
    Token,
    Word,
    jsonable,
    predicted_label_set,
)
from wordlight.results.words import aggregate_words


@dataclass(frozen=True, eq=False)
class LayerExplanation:
    """``scores[r, i]``: layer ``layers[r]``'s score for position ``tokens[i]`` (special or not).

    ``dims`` (optional, not saved): the per-hidden-dimension values ``(rows, positions, hidden)``
    whose sum over the last axis is ``scores``. The same facts carry the same names as on
    :class:`Explanation`, one value per row here: ``completeness_delta[r]`` is row r's completeness
    delta (sum of the row minus f(x) - f(x')) for path methods, ``n_steps[r]`` the integration
    points row r used, ``max_token_error[r]`` the largest estimated |error| of one position's
    score in row r (``n_steps="auto"``). ``deltas`` and ``steps`` are the old names of the first
    two, kept as read-only aliases.
    """

    text: str
    tokens: tuple[Token, ...]  # every position, special tokens included
    special: tuple[bool, ...]  # True where tokens[i] is a special token
    layers: tuple[int, ...]
    scores: np.ndarray  # (rows, positions)
    target: int
    target_label: str
    labels: tuple[str, ...]
    probabilities: np.ndarray
    method: str
    params: Mapping[str, Any] = field(default_factory=dict)
    completeness_delta: np.ndarray | None = None  # (rows,)
    gap: float | None = None  # f(x) - f(x') for path methods
    n_steps: tuple[int, ...] | None = None  # (rows,) integration points per layer, path methods
    dims: np.ndarray | None = None  # (rows, positions, hidden), kept in memory only
    max_token_error: np.ndarray | None = None  # (rows,) largest token error estimate, "auto"
    words: tuple[Word, ...] = ()
    head: str = "classification"  # what ``probabilities`` mean, as on Explanation
    label_threshold: float = 0.5  # multi-label: labels above it are predicted

    def __post_init__(self) -> None:
        scores = np.asarray(self.scores, dtype=np.float64)
        if scores.shape != (len(self.layers), len(self.tokens)):
            raise ValueError(
                f"scores {scores.shape} do not match {len(self.layers)} layers x "
                f"{len(self.tokens)} tokens"
            )
        if len(self.special) != len(self.tokens):
            raise ValueError(f"{len(self.special)} special flags for {len(self.tokens)} tokens")
        object.__setattr__(self, "scores", scores)
        object.__setattr__(self, "probabilities", np.asarray(self.probabilities, np.float64))
        if self.completeness_delta is not None:
            delta = np.asarray(self.completeness_delta, np.float64)
            object.__setattr__(self, "completeness_delta", delta)
        if self.max_token_error is not None:
            errors = np.asarray(self.max_token_error, np.float64)
            object.__setattr__(self, "max_token_error", errors)
        if not self.words:
            object.__setattr__(self, "words", self.explanation(self.layers[0]).words)

    # --- views -------------------------------------------------------------------------
    @property
    def deltas(self) -> np.ndarray | None:
        """Old name of ``completeness_delta`` (read-only)."""
        return self.completeness_delta

    @property
    def steps(self) -> tuple[int, ...] | None:
        """Old name of ``n_steps`` (read-only)."""
        return self.n_steps

    @property
    def content(self) -> np.ndarray:
        """Indices of the text's own tokens (not special) in ``tokens``."""
        return np.flatnonzero(~np.asarray(self.special, dtype=bool))

    @property
    def token_labels(self) -> list[str]:
        """A label per position: the text it covers, or the special token's name."""
        return [t.text for t in self.tokens]

    @property
    def predicted_labels(self) -> tuple[str, ...]:
        """As on Explanation: the labels above ``label_threshold`` (multi-label), none
        (regression) or the one predicted label."""
        return predicted_label_set(self.head, self.labels, self.probabilities, self.label_threshold)

    @property
    def value(self) -> float | None:
        """Regression: the model's predicted value; None for the other heads."""
        return float(self.probabilities[0]) if self.head == "regression" else None

    def row(self, layer: int) -> int:
        """The row of ``layer``, or an InputError listing the layers this result has."""
        if layer not in self.layers:
            valid = ", ".join(str(x) for x in self.layers)
            raise InputError(f"layer {layer!r} is not in this result; it has layers {valid}")
        return self.layers.index(layer)

    def word_scores(self, how: str = "sum") -> np.ndarray:
        """(rows, words): each row's token scores aggregated into words (sign kept)."""
        content = self.content
        return aggregate_words(self.scores[:, content], [w.token_indices for w in self.words], how)

    def explanation(self, layer: int, word_aggregation: str = "sum") -> Explanation:
        """Layer ``layer`` as an ordinary Explanation over the text's own tokens."""
        r = self.row(layer)
        content = self.content
        return Explanation(
            text=self.text,
            tokens=tuple(self.tokens[i] for i in content),
            scores=self.scores[r, content],
            target=self.target,
            target_label=self.target_label,
            labels=self.labels,
            probabilities=self.probabilities,
            method=self.method,
            params={**self.params, "layer": layer},
            completeness_delta=(
                None if self.completeness_delta is None else float(self.completeness_delta[r])
            ),
            n_steps=None if self.n_steps is None else self.n_steps[r],
            max_token_error=(
                None if self.max_token_error is None else float(self.max_token_error[r])
            ),
            word_aggregation=word_aggregation,
            words=self.words,
            head=self.head,
            label_threshold=self.label_threshold,
        )

    def __repr__(self) -> str:
        return (
            f"LayerExplanation(method={self.method!r}, target={self.target_label!r}, "
            f"layers={list(self.layers)}, text={self.text[:40]!r})"
        )

    # --- serialisation -----------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """JSON-ready; ``LayerExplanation.from_dict(d)`` rebuilds it (``dims`` is not saved)."""
        return {
            "kind": "layers",
            "text": self.text,
            "tokens": [[t.text, t.start, t.end] for t in self.tokens],
            "special": list(self.special),
            "layers": list(self.layers),
            "scores": self.scores.tolist(),
            "words": [[w.text, w.start, w.end, list(w.token_indices)] for w in self.words],
            "target": self.target,
            "target_label": self.target_label,
            "labels": list(self.labels),
            "probabilities": self.probabilities.tolist(),
            "method": self.method,
            "params": jsonable(dict(self.params)),
            "completeness_delta": (
                None if self.completeness_delta is None else self.completeness_delta.tolist()
            ),
            "gap": self.gap,
            "n_steps": None if self.n_steps is None else list(self.n_steps),
            "max_token_error": (
                None if self.max_token_error is None else self.max_token_error.tolist()
            ),
            "head": self.head,
            "label_threshold": self.label_threshold,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> LayerExplanation:
        deltas = data.get("completeness_delta", data.get("deltas"))  # 0.1.0 wrote "deltas"
        steps = data.get("n_steps", data.get("steps"))  # and "steps"
        return cls(
            text=data["text"],
            tokens=tuple(Token(t, int(s), int(e)) for t, s, e in data["tokens"]),
            special=tuple(bool(s) for s in data["special"]),
            layers=tuple(int(x) for x in data["layers"]),
            scores=np.asarray(data["scores"], dtype=np.float64),
            target=int(data["target"]),
            target_label=data["target_label"],
            labels=tuple(data["labels"]),
            probabilities=np.asarray(data["probabilities"], dtype=np.float64),
            method=data["method"],
            params=dict(data.get("params", {})),
            completeness_delta=None if deltas is None else np.asarray(deltas, dtype=np.float64),
            gap=data.get("gap"),
            n_steps=None if steps is None else tuple(int(n) for n in steps),
            max_token_error=data.get("max_token_error"),
            words=tuple(
                Word(t, int(s), int(e), tuple(int(i) for i in idx))
                for t, s, e, idx in data.get("words", [])
            ),
            head=str(data.get("head") or "classification"),
            label_threshold=float(data.get("label_threshold", 0.5)),
        )
