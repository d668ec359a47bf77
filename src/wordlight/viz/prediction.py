"""What the model answered, worded once for every view: the terminal and HTML views of single
explanations, the layer report, table and heatmap, and the app.

The model's head decides the words: a class and its probability (classification, ordinal), each
label's own sigmoid probability and the labels above the threshold (multi-label: no
distribution), or the predicted value (regression: no class, no probability). The functions take
an :class:`~wordlight.results.Explanation` or a :class:`~wordlight.results.LayerExplanation`.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol

import numpy as np

from wordlight.results.explanation import predicted_label_set


class Answered(Protocol):
    """The facts of a result the views word (both result types have them)."""

    @property
    def head(self) -> str: ...
    @property
    def labels(self) -> tuple[str, ...]: ...
    @property
    def probabilities(self) -> np.ndarray: ...
    @property
    def target(self) -> int: ...
    @property
    def target_label(self) -> str: ...
    @property
    def label_threshold(self) -> float: ...


def label_probabilities(result: Answered) -> list[tuple[str, float, bool]]:
    """``(label, probability, predicted)`` per label; for multi-label each label's sigmoid and
    whether it is above the threshold, otherwise the distribution and the argmax."""
    on = set(predicted_label_set(result.head, result.labels, result.probabilities,
                                 result.label_threshold))  # fmt: skip
    return [
        (n, float(p), n in on) for n, p in zip(result.labels, result.probabilities, strict=True)
    ]


def predicted_text(result: Answered) -> str:
    """The prediction alone: ``positive (0.91)``, ``value: 3.71`` (regression) or the labels
    above the threshold, ``a, c`` or ``none`` (multi-label)."""
    r = result
    if r.head == "regression":
        return f"value: {float(r.probabilities[0]):.2f}"
    if r.head == "multi_label":
        return ", ".join(n for n, _, on in label_probabilities(r) if on) or "none"
    probs = r.probabilities
    if not len(probs):
        return "?"
    best = int(np.argmax(probs))
    return f"{r.labels[best]} ({float(probs[best]):.2f})"


def prediction_parts(result: Answered) -> list[str]:
    """The answer as short phrases, e.g. ``["predicted: positive (0.91)", "target: positive
    (0.91)"]``, ``["value: 3.71"]`` (regression) or ``["labels: a 0.81, b 0.10", "predicted:
    a", "target: a"]`` (multi-label; "predicted: none" when no label is above the threshold)."""
    r = result
    if r.head == "regression":
        return [predicted_text(r)]
    if r.head == "multi_label":
        each = ", ".join(f"{n} {p:.2f}" for n, p, _ in label_probabilities(r))
        return [f"labels: {each}", f"predicted: {predicted_text(r)}", f"target: {r.target_label}"]
    target = f"target: {r.target_label}"
    if 0 <= r.target < len(r.probabilities):
        target += f" ({float(r.probabilities[r.target]):.2f})"
    return [f"predicted: {predicted_text(r)}", target]


def prediction_line(result: Answered, sep: str = " | ") -> str:
    """:func:`prediction_parts` on one line."""
    return sep.join(prediction_parts(result))


def explained(result: Answered) -> str:
    """What the scores push towards, for titles: the target label, or "the value" (regression)."""
    return "the value" if result.head == "regression" else result.target_label


def directions(results: Iterable[Answered]) -> tuple[str, str]:
    """How the signed legend words a negative and a positive score for these results: "against
    / towards the target" (classes, labels), "lowering / raising the value" (regression), both
    when a view mixes them."""
    regression = {r.head == "regression" for r in results}
    if regression == {True}:
        return "lowering the value", "raising the value"
    if regression == {True, False}:
        return ("against the target or lowering the value",
                "towards the target or raising the value")  # fmt: skip
    return "against the target", "towards the target"
