"""The Explanation result type: what a method found for one text and one target class.

No maths and no rendering live here: only the data, its word view and (de)serialisation.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from wordlight.results.views import view
from wordlight.results.words import WORD_AGGREGATIONS, aggregate_words, group_words


@dataclass(frozen=True)
class Token:
    """One model token with its character span ``text[start:end]`` in the explained text."""

    text: str
    start: int
    end: int


@dataclass(frozen=True)
class Word:
    """A word of the text and the indices of the tokens it is made of."""

    text: str
    start: int
    end: int
    token_indices: tuple[int, ...]


@dataclass(frozen=True, eq=False)
class Explanation:
    """Signed attribution of one text towards one target class.

    ``scores[i]`` belongs to ``tokens[i]``; positive pushes the model towards ``target_label``,
    negative away from it. Special tokens ([CLS], <s>, padding) are not listed.
    """

    text: str
    tokens: tuple[Token, ...]
    scores: np.ndarray
    target: int
    target_label: str
    labels: tuple[str, ...]
    probabilities: np.ndarray
    method: str
    params: Mapping[str, Any] = field(default_factory=dict)
    completeness_delta: float | None = None
    n_steps: int | None = None
    # path methods with n_steps="auto": the largest estimated |error| of one token's score
    max_token_error: float | None = None
    word_aggregation: str = "sum"
    true_label: str | None = None
    words: tuple[Word, ...] = ()
    word_scores: np.ndarray = field(default_factory=lambda: np.zeros(0))
    # what ``probabilities`` mean (the model's head): "classification"/"ordinal" a distribution
    # over ``labels``; "multi_label" each label's own sigmoid probability; "regression" the
    # predicted value itself (one number, no classes)
    head: str = "classification"
    label_threshold: float = 0.5  # multi-label: labels above it are predicted

    def __post_init__(self) -> None:
        scores = np.asarray(self.scores, dtype=np.float64)
        if scores.shape != (len(self.tokens),):
            raise ValueError(f"scores of shape {scores.shape} for {len(self.tokens)} tokens")
        object.__setattr__(self, "scores", scores)
        object.__setattr__(self, "probabilities", np.asarray(self.probabilities, np.float64))
        if not self.words:
            spans = [(t.start, t.end) for t in self.tokens]
            words = tuple(
                Word(self.text[s:e], s, e, idx) for s, e, idx in group_words(self.text, spans)
            )
            object.__setattr__(self, "words", words)
        word_scores = aggregate_words(
            scores, [w.token_indices for w in self.words], self.word_aggregation
        )
        object.__setattr__(self, "word_scores", word_scores)

    # --- views -------------------------------------------------------------------------
    @property
    def predicted(self) -> int:
        """Index of the class the model predicts for the text."""
        return int(np.argmax(self.probabilities))

    @property
    def predicted_label(self) -> str:
        return self.labels[self.predicted]

    @property
    def predicted_labels(self) -> tuple[str, ...]:
        """Multi-label: the labels whose probability is above ``label_threshold`` (maybe none);
        regression: none; otherwise the one predicted label."""
        return predicted_label_set(self.head, self.labels, self.probabilities, self.label_threshold)

    @property
    def value(self) -> float | None:
        """Regression: the model's predicted value; None for the other heads."""
        return float(self.probabilities[0]) if self.head == "regression" else None

    def with_label_threshold(self, threshold: float) -> Explanation:
        """The same explanation with multi-label predictions cut at ``threshold`` (0..1)."""
        return replace(self, label_threshold=check_label_threshold(threshold))

    @property
    def total(self) -> float:
        """Sum of the token scores (for IG: f(x) - f(baseline) up to the completeness delta)."""
        return float(self.scores.sum())

    def with_word_aggregation(self, how: str) -> Explanation:
        """The same explanation with words scored by ``how`` (sum, mean or max_abs)."""
        if how not in WORD_AGGREGATIONS:
            from wordlight.errors import one_of

            raise one_of("word aggregation", how, WORD_AGGREGATIONS)
        return replace(self, word_aggregation=how)

    def top_words(self, k: int = 5) -> list[tuple[str, float]]:
        """The k words with the largest absolute score, sign kept."""
        order = np.argsort(-np.abs(self.word_scores), kind="stable")[:k]
        return [(self.words[i].text, float(self.word_scores[i])) for i in order]

    def to_frame(self, level: str = "word") -> Any:
        """A pandas DataFrame of words (or tokens) and their scores."""
        return view("frame")(self, level)

    def _repr_html_(self) -> str:
        return str(view("html")([self], standalone=False))

    def __repr__(self) -> str:
        top = ", ".join(f"{w}={s:+.3f}" for w, s in self.top_words(3))
        p = self.probabilities[self.target]
        shown = f"value={p:.3f}" if self.head == "regression" else f"p={p:.3f}"
        return (
            f"Explanation(method={self.method!r}, target={self.target_label!r}, "
            f"{shown}, text={self.text[:40]!r}, top=[{top}])"
        )

    # --- serialisation -----------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict; ``Explanation.from_dict(e.to_dict())`` rebuilds ``e``."""
        return {
            "text": self.text,
            "tokens": [[t.text, t.start, t.end] for t in self.tokens],
            "scores": self.scores.tolist(),
            "words": [[w.text, w.start, w.end, list(w.token_indices)] for w in self.words],
            "word_scores": self.word_scores.tolist(),
            "target": self.target,
            "target_label": self.target_label,
            "labels": list(self.labels),
            "probabilities": self.probabilities.tolist(),
            "method": self.method,
            "params": jsonable(dict(self.params)),
            "completeness_delta": self.completeness_delta,
            "n_steps": self.n_steps,
            "max_token_error": self.max_token_error,
            "word_aggregation": self.word_aggregation,
            "true_label": self.true_label,
            "head": self.head,
            "label_threshold": self.label_threshold,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Explanation:
        return cls(
            text=data["text"],
            tokens=tuple(Token(t, int(s), int(e)) for t, s, e in data["tokens"]),
            scores=np.asarray(data["scores"], dtype=np.float64),
            target=int(data["target"]),
            target_label=data["target_label"],
            labels=tuple(data["labels"]),
            probabilities=np.asarray(data["probabilities"], dtype=np.float64),
            method=data["method"],
            params=dict(data.get("params", {})),
            completeness_delta=data.get("completeness_delta"),
            n_steps=data.get("n_steps"),
            max_token_error=data.get("max_token_error"),
            word_aggregation=data.get("word_aggregation", "sum"),
            true_label=data.get("true_label"),
            words=tuple(
                Word(t, int(s), int(e), tuple(int(i) for i in idx))
                for t, s, e, idx in data.get("words", [])
            ),
            head=str(data.get("head") or "classification"),  # older files: classification
            label_threshold=float(data.get("label_threshold", 0.5)),
        )


def jsonable(value: Any) -> Any:
    """``value`` with numpy scalars made Python ones and anything else unknown its repr."""
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, np.generic):
        return value.item()
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return repr(value)


def predicted_label_set(
    head: str, labels: tuple[str, ...], probabilities: np.ndarray, threshold: float
) -> tuple[str, ...]:
    """What a model with ``head`` predicts from its ``probabilities`` (the one rule of both
    result types): the labels above ``threshold`` (multi-label, maybe none), nothing
    (regression: a value, no label) or the one most probable label."""
    if head == "multi_label":
        above = np.asarray(probabilities) > threshold
        return tuple(name for name, on in zip(labels, above, strict=True) if on)
    if head == "regression" or not len(probabilities):
        return ()
    return (labels[int(np.argmax(probabilities))],)


def check_label_threshold(threshold: object) -> float:
    """``threshold`` as a float in [0, 1], or an InputError saying what was given."""
    numeric = isinstance(threshold, int | float) and not isinstance(threshold, bool)
    if numeric and 0.0 <= float(threshold) <= 1.0:  # type: ignore[arg-type]
        return float(threshold)  # type: ignore[arg-type]
    from wordlight.errors import InputError

    raise InputError(f"label_threshold must lie in [0, 1], got {threshold!r}")
