"""Regression targets standardised for training, and a saved model that answers in their units.

A freshly initialised head outputs values near 0 with a small spread; fitted with ``--loss mse``
straight to unscaled targets (ratings 1-10, scores around 50) it spends the run moving its bias
and ends nearly constant. So the trainer fits ``z = (y - mean) / std``, with the mean and the
(population) standard deviation of the training split's scores, and reports every metric after
mapping the outputs back, ``y = std * z + mean``. After training that affine map is folded into
the model's final linear layer (``W <- std * W``, ``b <- std * b + mean``): the saved model outputs
values in the original units, so every explainer works unchanged and completeness holds in those
units. The config keeps the two numbers (``wordlight_target_mean``, ``wordlight_target_std``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch

from wordlight.errors import ModelError

MEAN_FIELD = "wordlight_target_mean"
STD_FIELD = "wordlight_target_std"


@dataclass(frozen=True)
class TargetScale:
    """``y = std * z + mean``: the map from the trained output ``z`` to the target's units."""

    mean: float = 0.0
    std: float = 1.0

    @classmethod
    def of(cls, scores: Sequence[float]) -> TargetScale:
        """The mean and population std of ``scores``; std 1 when they are all equal."""
        y = np.asarray(scores, dtype=np.float64)
        mean, std = float(y.mean()), float(y.std())
        return cls(mean, std if std > 1e-12 * max(1.0, abs(mean)) else 1.0)

    def standardise(self, scores: torch.Tensor) -> torch.Tensor:
        return (scores - self.mean) / self.std

    def restore(self, outputs: np.ndarray) -> np.ndarray:
        return np.asarray(outputs, dtype=np.float64) * self.std + self.mean


def output_layer(model: Any) -> torch.nn.Linear:
    """The model's final linear layer with one output (a peft model's trained copy of it)."""
    found = [m for m in model.modules() if isinstance(m, torch.nn.Linear) and m.out_features == 1]
    if not found or found[-1].bias is None:
        raise ModelError(
            f"{type(model).__name__} has no final linear layer with one output and a bias; "
            "wordlight cannot make its regression output answer in the targets' units"
        )
    return found[-1]


def fold_into_head(model: Any, scale: TargetScale, outputs: Callable[[], np.ndarray]) -> None:
    """Fold ``y = std * z + mean`` into the final linear layer and record it in the config;
    ``outputs()`` (the model's outputs on a few texts) checks that the model now answers
    ``std * z + mean`` (a ModelError otherwise, e.g. an architecture whose last layer is not
    its output)."""
    before = outputs()
    layer = output_layer(model)
    with torch.no_grad():
        layer.weight.mul_(scale.std)
        layer.bias.mul_(scale.std).add_(scale.mean)
    after = outputs()
    expected = scale.restore(before)
    if not np.allclose(after, expected, rtol=1e-4, atol=1e-4 * scale.std):
        raise ModelError(
            f"folding the target scale into {type(model).__name__}'s last linear layer did not "
            "rescale its output; train this architecture with targets already scaled"
        )
    model.config.update({MEAN_FIELD: scale.mean, STD_FIELD: scale.std})
