"""The one decoding rule: raw head outputs -> class probabilities -> predicted class.

Training, evaluation, explanations and the app all go through these functions, so an ordinal model
predicts the same class everywhere. A model's head type is stored in its saved config
(``config.wordlight_head``; absent means a plain classifier, or ``problem_type="regression"``):

- ``"classification"``: ``K`` logits; probabilities ``softmax(logits)``.
- ``"ordinal"``: ``K - 1`` cumulative-threshold logits; ``sigmoid(logit_k)`` is ``P(y >= k)`` for
  ``k = 1..K-1``. Made non-increasing in ``k`` (running minimum), then
  ``P(y = k) = P(y >= k) - P(y >= k + 1)`` with ``P(y >= 0) = 1`` and ``P(y >= K) = 0``.
- ``"multi_label"``: ``K`` logits, one independent ``sigmoid`` per label (Hugging Face
  ``problem_type="multi_label_classification"``); the labels above a threshold are predicted.
- ``"regression"``: one output, the predicted score itself (no classes); Hugging Face
  ``problem_type="regression"``, or one label and no problem type (as Hugging Face reads it).

The predicted class is always the arg-max of the class probabilities (ties: the lower class).
"""

from __future__ import annotations

from typing import Any, Literal, cast, get_args

import torch
from torch import Tensor

from wordlight.errors import ModelError

Head = Literal["classification", "multi_label", "regression", "ordinal"]
HEADS: tuple[str, ...] = get_args(Head)
HEAD_FIELD = "wordlight_head"  # stored in config.json
LABELS_FIELD = "wordlight_labels"  # class names of an ordinal model (its head has K - 1 outputs)


def head_of(config: Any) -> Head:
    """The head type recorded in a Hugging Face config."""
    head = getattr(config, HEAD_FIELD, None)
    if head is None:
        problem = getattr(config, "problem_type", None)
        n_labels = int(getattr(config, "num_labels", 0) or 0)
        found: Head
        if problem == "multi_label_classification":
            found = "multi_label"
        elif problem == "regression" or (problem is None and n_labels == 1):
            found = "regression"
        else:
            found = "classification"
        if found == "regression" and n_labels != 1:
            raise ModelError(
                f"a regression model has one output, but this config has num_labels={n_labels}"
            )
        return found
    if head not in HEADS:
        raise ModelError(f"unknown head type {head!r} in the model config; expected one of {HEADS}")
    return cast(Head, str(head))


def n_outputs(head: str, n_classes: int) -> int:
    """How many numbers the head emits for ``n_classes`` classes."""
    counts = {"classification": n_classes, "multi_label": n_classes, "ordinal": n_classes - 1}
    return counts.get(head, 1)


def ordinal_probabilities(logits: Tensor) -> Tensor:
    """``(..., K - 1)`` threshold logits -> ``(..., K)`` class probabilities (rows sum to 1)."""
    above = torch.cummin(torch.sigmoid(logits), dim=-1).values
    ones = torch.ones_like(above[..., :1])
    cumulative = torch.cat([ones, above, torch.zeros_like(ones)], dim=-1)
    return cumulative[..., :-1] - cumulative[..., 1:]


def class_probabilities(logits: Tensor, head: str) -> Tensor:
    if head == "classification":
        return torch.softmax(logits, dim=-1)
    if head == "ordinal":
        return ordinal_probabilities(logits)
    if head == "multi_label":
        return torch.sigmoid(logits)
    raise ModelError(f"a {head} head has no class probabilities")


def log_class_probabilities(logits: Tensor, head: str) -> Tensor:
    """Log class probabilities: what the explanation adapter hands to methods as "logits", so a
    softmax over them gives back exactly ``class_probabilities``."""
    if head == "classification":
        return torch.log_softmax(logits, dim=-1)
    return torch.log(class_probabilities(logits, head).clamp_min(1e-12))


def predict(logits: Tensor, head: str) -> Tensor:
    """Predicted class indices (long), or predicted scores (float) for a regression head."""
    if head == "regression":
        return logits[..., 0]
    return class_probabilities(logits, head).argmax(dim=-1)
