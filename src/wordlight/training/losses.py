"""Training losses, one per head type (see wordlight.models.decoding for the decoding rule).

- ``cross_entropy``: softmax cross-entropy over ``K`` logits.
- ``ordinal``: cumulative thresholds. ``K - 1`` logits; the target of threshold ``k = 1..K-1`` is
  ``t_k = 1[k <= y]``; the loss is the binary cross-entropy of ``sigmoid(logit_k)`` against ``t_k``,
  summed over thresholds and averaged over examples.
- ``mse``: mean squared error of the single output against the raw score.

Class weights (optional, one per class) weight each example by the weight of its class and divide
by the sum of those weights (the convention of ``torch.nn.functional.cross_entropy``).
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor

LOSSES = ("cross_entropy", "ordinal", "mse")
HEAD_OF_LOSS = {"cross_entropy": "classification", "ordinal": "ordinal", "mse": "regression"}


def ordinal_targets(labels: Tensor, n_classes: int) -> Tensor:
    """``(n, K - 1)`` float targets ``t_k = 1[k <= y]`` for ``k = 1..K-1``."""
    thresholds = torch.arange(1, n_classes, device=labels.device)
    return (labels[:, None] >= thresholds[None, :]).float()


def ordinal_loss(logits: Tensor, labels: Tensor, class_weights: Tensor | None = None) -> Tensor:
    targets = ordinal_targets(labels, logits.shape[-1] + 1)
    per_example = F.binary_cross_entropy_with_logits(logits, targets, reduction="none").sum(-1)
    return _weighted_mean(per_example, labels, class_weights)


def cross_entropy_loss(
    logits: Tensor, labels: Tensor, class_weights: Tensor | None = None
) -> Tensor:
    return F.cross_entropy(logits, labels, weight=class_weights)


def mse_loss(outputs: Tensor, scores: Tensor) -> Tensor:
    return F.mse_loss(outputs[..., 0], scores.to(outputs.dtype))


def compute_loss(
    loss: str,
    outputs: Tensor,
    labels: Tensor,
    scores: Tensor,
    class_weights: Tensor | None = None,
) -> Tensor:
    """The named loss of a batch: ``labels`` (long) for the class losses, ``scores`` for mse."""
    if loss == "cross_entropy":
        return cross_entropy_loss(outputs, labels, class_weights)
    if loss == "ordinal":
        return ordinal_loss(outputs, labels, class_weights)
    return mse_loss(outputs, scores)


def _weighted_mean(values: Tensor, labels: Tensor, class_weights: Tensor | None) -> Tensor:
    if class_weights is None:
        return values.mean()
    weights = class_weights.to(values.dtype)[labels]
    return (values * weights).sum() / weights.sum()
