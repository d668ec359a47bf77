"""Reference inputs x' for path methods. Special tokens always stay as they are."""

from __future__ import annotations

from typing import Literal, get_args

import torch
from torch import Tensor

from wordlight.engine.windows import WindowBatch
from wordlight.errors import InputError
from wordlight.models.protocol import TextClassifier

Baseline = Literal["pad", "mask", "zero"]
TokenBaseline = Literal["pad", "mask"]  # baselines that are texts: every layer has activations
BASELINES: tuple[str, ...] = get_args(Baseline)
TOKEN_BASELINES: tuple[str, ...] = get_args(TokenBaseline)


def baseline_embeddings(model: TextClassifier, batch: WindowBatch, kind: str) -> Tensor:
    """pad/mask: every text token replaced by [PAD]/[MASK]; zero: its embedding set to 0."""
    if kind == "zero":
        x = model.embed(batch.ids)
        return x.masked_fill(batch.content_mask.unsqueeze(-1), 0.0)
    return model.embed(baseline_ids(model, batch, kind))


def baseline_ids(model: TextClassifier, batch: WindowBatch, kind: str) -> Tensor:
    """The baseline text: every text token replaced by [PAD] (``pad``) or [MASK] (``mask``)."""
    if kind == "mask" and model.mask_id is None:
        raise InputError("this model's tokenizer has no mask token; use baseline='pad' or 'zero'")
    token = model.pad_id if kind == "pad" else int(model.mask_id)  # type: ignore[arg-type]
    return torch.where(batch.content_mask, torch.full_like(batch.ids, token), batch.ids)
