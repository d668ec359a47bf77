"""Gradient saliency: how sensitive the output is to each token's embedding."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar, Literal

from torch import Tensor

from wordlight.engine.passes import outputs_and_gradients
from wordlight.engine.windows import WindowBatch
from wordlight.methods.base import Attribution, Explainer
from wordlight.models.protocol import TextClassifier


@dataclass(frozen=True, kw_only=True)
class Saliency(Explainer):
    """``l2``: the gradient's L2 norm per token (unsigned, >= 0); ``signed``: the gradient
    summed over the embedding dimensions (signed, but it depends on the embedding basis)."""

    name: ClassVar[str] = "saliency"
    summary: ClassVar[str] = "gradient of the output w.r.t. each token embedding (L2 or signed)"

    norm: Literal["l2", "signed"] = "l2"

    def attribute(self, model: TextClassifier, batch: WindowBatch, targets: Tensor) -> Attribution:
        x = model.embed(batch.ids).detach()
        _, grads = outputs_and_gradients(model, x, batch.attention_mask, targets, self.output)
        scores = grads.norm(dim=-1) if self.norm == "l2" else grads.sum(dim=-1)
        return Attribution(scores * batch.content_mask.unsqueeze(1))
