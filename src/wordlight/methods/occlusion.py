"""Occlusion (Zeiler & Fergus, 2014): slide a window of ``window`` tokens (or words) over the
text, ``stride`` at a time; a token's score is the mean drop f(x) - f(x without the window)
over the windows that contain it. With ``window=1`` it is leave-one-out."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from torch import Tensor

from wordlight.checks import bounded
from wordlight.engine.windows import WindowBatch
from wordlight.methods._perturb import (
    features,
    forward_budget,
    removal_scores,
    replacement_id,
)
from wordlight.methods.base import Attribution
from wordlight.methods.perturbation_base import PerturbationExplainer
from wordlight.models.protocol import TextClassifier


@dataclass(frozen=True, kw_only=True)
class Occlusion(PerturbationExplainer):
    name: ClassVar[str] = "occlusion"
    summary: ClassVar[str] = "mean output drop when a sliding window of words/tokens is masked"

    window: int = bounded(3, low=1, integer=True)  # features (words or tokens) masked together
    stride: int = bounded(1, low=1, integer=True)

    def attribute(self, model: TextClassifier, batch: WindowBatch, targets: Tensor) -> Attribution:
        feats = features(model, batch, self.level)
        token = replacement_id(model, self.replace)
        scores = removal_scores(
            model, batch, targets, feats, self.window, self.stride, token, self.output,
            forward_budget(self, model), self.name,
        )  # fmt: skip
        return Attribution(scores)
