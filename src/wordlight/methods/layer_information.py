"""The information method (Guan et al., 2019) at every encoder layer: how much of each word's
information survives to layer k, for k = 1..L.

One batched fit per layer, with the ``information`` method itself (``methods/information.py``):
score_{k,i} = log(scale/σ_{k,i}) >= 0, the information layer k keeps about token i above the
σ = scale noise floor. The paper's information loss is H_{k,i} = K/2·log(2πe) + K·log σ_{k,i}
(K the hidden size, saved in the params): see :func:`information_loss`. Special tokens are not
perturbed, so they have no score (NaN). With ``normalised=True`` (the default) the entropy
weight is the same at every layer, so the rows compare.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
import torch
from torch import Tensor

from wordlight.errors import InputError
from wordlight.layer_explanation import LayerExplanation
from wordlight.methods._layer_base import LayerAttribution, LayerMethod
from wordlight.methods._windows import WindowBatch
from wordlight.methods.information import Information
from wordlight.models.protocol import LayeredClassifier, TextClassifier


@dataclass(frozen=True, kw_only=True)
class LayerInformation(LayerMethod):
    name: ClassVar[str] = "information"
    summary: ClassVar[str] = "information each layer keeps about each word, log(scale/sigma)"
    first_layer: ClassVar[int] = 1
    signed: ClassVar[bool] = False
    meaning: ClassVar[str] = Information.meaning

    # the information method's hyperparameters (see Information)
    rate: float = 0.1
    scale: float = 0.5
    normalised: bool = True
    samples: int = 8
    max_iterations: int = 2000
    tolerance: float = 0.02
    seed: int = 0
    regularization: str = "movies"
    regularization_size: int = 256
    solver: str = "newton"
    probes: int = 256
    rounds: int = 2

    def __post_init__(self) -> None:
        super().__post_init__()
        self.at_layer(1)  # the information method validates its own hyperparameters

    def at_layer(self, layer: int) -> Information:
        return Information(
            layer=layer, rate=self.rate, scale=self.scale, normalised=self.normalised,
            samples=self.samples, max_iterations=self.max_iterations, tolerance=self.tolerance,
            seed=self.seed, regularization=self.regularization,
            regularization_size=self.regularization_size, output=self.output,
            max_batch_tokens=self.max_batch_tokens, solver=self.solver, probes=self.probes,
            rounds=self.rounds,
        )  # fmt: skip

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
