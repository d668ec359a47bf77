"""Leave-one-out: a word's (or token's) score is f(x) - f(x with that word masked)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from torch import Tensor

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
class LeaveOneOut(PerturbationExplainer):
    name: ClassVar[str] = "leave_one_out"
    summary: ClassVar[str] = "output drop when one word/token is masked; one pass per word"

    def attribute(self, model: TextClassifier, batch: WindowBatch, targets: Tensor) -> Attribution:
        feats = features(model, batch, self.level)
        token = replacement_id(model, self.replace)
        scores = removal_scores(
            model, batch, targets, feats, 1, 1, token, self.output, forward_budget(self, model),
            self.name,
        )  # fmt: skip
        return Attribution(scores)
