"""Token ids, padded batches, epoch batch orders and batched prediction."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np
import torch
from torch import Tensor


def encode(tokenizer: Any, texts: Sequence[str], max_length: int) -> list[list[int]]:
    """Token ids with special tokens, truncated to ``max_length``."""
    batch = tokenizer(list(texts), truncation=True, max_length=max_length)
    return [list(ids) for ids in batch["input_ids"]]


def pad_batch(rows: Sequence[Sequence[int]], pad_id: int) -> tuple[Tensor, Tensor]:
    """Right-padded ``input_ids`` and ``attention_mask`` for a list of id lists."""
    width = max(len(r) for r in rows)
    ids = torch.full((len(rows), width), pad_id, dtype=torch.long)
    mask = torch.zeros((len(rows), width), dtype=torch.long)
    for i, row in enumerate(rows):
        ids[i, : len(row)] = torch.tensor(row, dtype=torch.long)
        mask[i, : len(row)] = 1
    return ids, mask


def epoch_batches(
    rows: Sequence[int],
    lengths: Sequence[int],
    batch_size: int,
    generator: torch.Generator,
    group_by_length: bool = True,
) -> Iterator[list[int]]:
    """One epoch of shuffled batches of ``rows``; with ``group_by_length`` rows are sorted by
    length inside chunks of 50 batches so each batch pads little, and the batch order is shuffled
    again."""
    perm = [rows[i] for i in torch.randperm(len(rows), generator=generator).tolist()]
    if not group_by_length:
        yield from (perm[i : i + batch_size] for i in range(0, len(perm), batch_size))
        return
    chunk = batch_size * 50
    batches: list[list[int]] = []
    for start in range(0, len(perm), chunk):
        part = sorted(perm[start : start + chunk], key=lambda i: lengths[i], reverse=True)
        batches.extend(part[i : i + batch_size] for i in range(0, len(part), batch_size))
    for j in torch.randperm(len(batches), generator=generator).tolist():
        yield batches[j]


@torch.no_grad()
def predict_logits(
    model: Any, tokenizer: Any, texts: Sequence[str], batch_size: int = 128, max_length: int = 128
) -> np.ndarray:
    """``(len(texts), n_outputs)`` raw head outputs in eval mode (batches sorted by length, order
    kept). Decode them with wordlight.models.decoding."""
    was_training = model.training
    model.eval()
    ids = encode(tokenizer, texts, max_length)
    order = np.argsort([len(r) for r in ids], kind="stable")
    pad_id = int(tokenizer.pad_token_id or 0)
    device = next(model.parameters()).device
    out: list[np.ndarray] = []
    for start in range(0, len(order), batch_size):
        input_ids, mask = pad_batch([ids[i] for i in order[start : start + batch_size]], pad_id)
        logits = model(input_ids=input_ids.to(device), attention_mask=mask.to(device)).logits
        out.append(logits.float().cpu().numpy())
    model.train(was_training)
    result = np.empty((len(ids), out[0].shape[1]), dtype=np.float32)
    result[order] = np.concatenate(out)
    return result
