"""The information method (Guan et al., 2019) at every encoder layer: how much of each word's
information survives to layer k, for k = 1..L.

One batched fit per layer, with the ``information`` method itself (``methods/information.py``):
score_{k,i} = log(scale/σ_{k,i}) >= 0, the information layer k keeps about token i above the
σ = scale noise floor. The paper's information loss is H_{k,i} = K/2·log(2πe) + K·log σ_{k,i}
(K the hidden size, saved in the params): see :func:`information_loss`. Special tokens are not
perturbed, so they have no score (NaN). With ``normalised=True`` (the default) the entropy
weight is the same at every layer, so the rows compare.

A ``LayerInformation`` wraps an :class:`Information` (its field ``information``) and runs it at
each layer, so every hyperparameter of the information method (``lr``, ``cache_dir``,
``published`` ...) applies per layer. They can be given directly as keywords too:
``LayerInformation(rate=0.2, layers=(1, 2))`` is
``LayerInformation(information=Information(rate=0.2), layers=(1, 2))``.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np
import torch
from torch import Tensor

from wordlight.engine.windows import WindowBatch
from wordlight.errors import InputError
from wordlight.methods._layer_base import LayerAttribution, LayerMethod
from wordlight.methods.information import Information
from wordlight.models.protocol import LayeredClassifier, TextClassifier
from wordlight.results import LayerExplanation

# the fields of Information a layer method sets itself (the layer, per row) or owns
_OWN = ("layer", "output", "max_batch_tokens", "window_overlap")
FORWARDED: tuple[str, ...] = tuple(
    f.name for f in dataclasses.fields(Information) if f.name not in _OWN
)


@dataclass(frozen=True, kw_only=True, init=False)
class LayerInformation(LayerMethod):
    """The information method at every layer; keywords in ``FORWARDED`` go to ``information``."""

    name: ClassVar[str] = "information"
    summary: ClassVar[str] = "information each layer keeps about each word, log(scale/sigma)"
    first_layer: ClassVar[int] = 1
    signed: ClassVar[bool] = False
    meaning: ClassVar[str] = Information.meaning

    information: Information = field(default_factory=Information)  # run at each layer

    def __init__(self, *, information: Information | None = None, **params: Any) -> None:
        forwarded = {k: params.pop(k) for k in list(params) if k in FORWARDED}
        own = {f.name: f for f in dataclasses.fields(LayerMethod)}
        unknown = [k for k in params if k not in own]
        if unknown:
            names = ", ".join([*own, "information", *FORWARDED])
            raise InputError(
                f"information has no parameter {unknown[0]!r}; its parameters are: {names}"
            )
        for name, f in own.items():
            default = f.default_factory() if callable(f.default_factory) else f.default
            object.__setattr__(self, name, params.get(name, default))
        inner = dataclasses.replace(information or Information(), **forwarded)
        object.__setattr__(self, "information", inner)
        self.__post_init__()

    def at_layer(self, layer: int) -> Information:
        """The wrapped Information at ``layer``, with this method's output and row budget."""
        return dataclasses.replace(
            self.information, layer=layer, output=self.output,
            max_batch_tokens=self.max_batch_tokens,
        )  # fmt: skip

    def params(self) -> dict[str, Any]:
        """Flat, as saved in results: the layer method's fields and the forwarded ones."""
        out = {k: v for k, v in super().params().items() if k != "information"}
        return {**out, **{k: getattr(self.information, k) for k in FORWARDED}}

    def attribute_layers(
        self, model: LayeredClassifier, batch: WindowBatch, targets: Tensor, rows: tuple[int, ...]
    ) -> LayerAttribution:
        parts = []
        for layer in rows:
            scores = self.at_layer(layer).attribute(model, batch, targets[:, None]).scores[:, 0]
            parts.append(scores.masked_fill(~batch.content_mask, math.nan))
        return LayerAttribution(torch.stack(parts, dim=1))

    def extra_params(self, model: TextClassifier) -> dict[str, Any]:
        layered: Any = model
        ids = torch.tensor([[model.pad_id]], device=model.device)
        with torch.no_grad():
            return {"hidden_size": int(layered.embedding_output(ids).shape[-1])}


def sigmas(result: LayerExplanation) -> np.ndarray:
    """σ (rows, positions) of a layer information result: scale·exp(−score); NaN on specials."""
    _check(result)
    return float(result.params["scale"]) * np.exp(-result.scores)


def information_loss(result: LayerExplanation, *, words: bool = False) -> np.ndarray:
    """H = K/2·log(2πe) + K·log σ per token (rows, positions), or per word (rows, words): a
    word's H is the sum of its tokens' (information adds up). Lower H: the layer keeps more."""
    _check(result)
    k = int(result.params["hidden_size"])
    h = k * (0.5 * math.log(2 * math.pi * math.e) + np.log(sigmas(result)))
    if not words:
        return h
    content = h[:, result.content]
    return np.stack([content[:, list(w.token_indices)].sum(1) for w in result.words], axis=1)


def _check(result: LayerExplanation) -> None:
    if result.method != LayerInformation.name:
        raise InputError(f"needs a layer information result, not {result.method!r}")
