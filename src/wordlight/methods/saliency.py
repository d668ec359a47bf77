"""Gradient saliency: how sensitive the output is to each token's embedding."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar, Literal

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

    signed: ClassVar[bool] = False  # with the default norm="l2"
    meaning: ClassVar[str] = (
        "gradient size (L2 norm) of the target's output at each word: how sensitive it is, "
        "not in which direction"
    )

    norm: Literal["l2", "signed"] = "l2"

    @classmethod
    def scores_signed(cls, params: Mapping[str, Any]) -> bool:
        return params.get("norm", "l2") != "l2"

    def attribute(self, model: TextClassifier, batch: WindowBatch, targets: Tensor) -> Attribution:
        x = model.embed(batch.ids).detach()
        _, grads = outputs_and_gradients(model, x, batch.attention_mask, targets, self.output)
        scores = grads.norm(dim=-1) if self.norm == "l2" else grads.sum(dim=-1)
        return Attribution(scores * batch.content_mask.unsqueeze(1))
