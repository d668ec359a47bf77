"""Gradient x input: the first-order Taylor term of each token embedding (signed)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from torch import Tensor

from wordlight.engine.passes import outputs_and_gradients
from wordlight.engine.windows import WindowBatch
from wordlight.methods.base import Attribution, Explainer
from wordlight.models.protocol import TextClassifier


@dataclass(frozen=True, kw_only=True)
class GradientXInput(Explainer):
    name: ClassVar[str] = "gradient_x_input"
    summary: ClassVar[str] = "gradient times the token embedding, summed over dimensions"

    def attribute(self, model: TextClassifier, batch: WindowBatch, targets: Tensor) -> Attribution:
        x = model.embed(batch.ids).detach()
        _, grads = outputs_and_gradients(model, x, batch.attention_mask, targets, self.output)
        scores = (grads * x.unsqueeze(1)).sum(dim=-1)
        return Attribution(scores * batch.content_mask.unsqueeze(1))
