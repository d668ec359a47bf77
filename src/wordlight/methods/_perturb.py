"""What every perturbation method shares: features (tokens or words) of a batch, perturbed
token-id batches, and one batched run of all of them through the model.

A feature is *removed* by replacing each of its token ids with the mask id (or the pad id);
positions, the attention mask and the special tokens stay as they are, so nothing is decoded to
text and re-tokenised (no token drift), and special tokens are never removed. All
perturbations of all windows of a batch go through the model together, in chunks of the row
budget; scores of a word feature are split evenly over its tokens, so the word sum is the
word's score.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import torch
from torch import Tensor

from wordlight import engine
from wordlight.engine import WindowBatch, forward_outputs
from wordlight.engine.budget import CPU_FORWARD_BUDGET
from wordlight.errors import InputError
from wordlight.methods.base import Explainer
from wordlight.models.protocol import TextClassifier

LEVELS = ("word", "token")
REPLACEMENTS = ("auto", "mask", "pad")
BLOCK_BUDGETS = 16  # model rows are built this many row budgets at a time
__all__ = ["CPU_FORWARD_BUDGET"]  # measured and defined in wordlight.engine.budget


class PerturbationWarning(UserWarning):
    """A perturbation result that is valid but weak: too few samples, a flat model output."""


@dataclass(frozen=True)
class Features:
    """Which feature each position of a batch belongs to (-1: special token or padding)."""

    index: Tensor  # (B, T) long
    counts: list[int]  # features per row

    @property
    def most(self) -> int:
        return max(self.counts)

    def spread(self, feature_scores: Tensor) -> Tensor:
        """(B, K, F) feature scores -> (B, K, T) token scores, split evenly over each
        feature's tokens (zero on special tokens and padding)."""
        b, _, f = feature_scores.shape
        idx = self.index.to(feature_scores.device)
        onehot = torch.zeros((b, idx.shape[1], f), dtype=feature_scores.dtype, device=idx.device)
        valid = idx >= 0
        onehot[(*valid.nonzero(as_tuple=True), idx[valid])] = 1.0
        size = onehot.sum(1).clamp(min=1.0)  # (B, F) tokens per feature
        return torch.einsum("bkf,btf->bkt", feature_scores / size.unsqueeze(1), onehot)


def features(model: TextClassifier, batch: WindowBatch, level: str) -> Features:
    """Tokens or words of each window as features 0..F_b-1, in text order. Special tokens
    (the model's pad, mask and template ids), also where the text itself spells them, belong
    to no feature: they are never removed. An InputError if a window has no feature left."""
    content = batch.content_mask & ~special_positions(model, batch.ids)
    none = torch.full_like(batch.ids, -1)
    if level == "word" and batch.word_ids is not None:
        raw = torch.where(content, batch.word_ids, none)
    else:
        raw = torch.where(content, content.long().cumsum(1) - 1, none)
    index = torch.full_like(raw, -1).cpu()
    counts = []
    for b, row in enumerate(raw.cpu()):
        valid = row >= 0
        if not valid.any():
            specials = batch.ids[b][batch.content_mask[b]].tolist()
            raise InputError(
                f"a text has only special tokens (ids {specials}); perturbation methods never "
                "remove them, so there is nothing to explain: give the text some words"
            )
        unique, inverse = torch.unique(row[valid], return_inverse=True)  # sorted = text order
        index[b, valid] = inverse
        counts.append(len(unique))
    return Features(index, counts)


def special_positions(model: TextClassifier, ids: Tensor) -> Tensor:
    """(B, T) True where ``ids`` holds one of the model's special token ids."""
    special = {int(model.pad_id), *model.prefix_ids, *model.suffix_ids}
    if model.mask_id is not None:
        special.add(int(model.mask_id))
    return torch.isin(ids, torch.tensor(sorted(special), dtype=ids.dtype, device=ids.device))


def forward_budget(method: Explainer, model: TextClassifier) -> int:
    """Tokens per forward pass: ``max_batch_tokens``, or the engine's "forward" default."""
    return engine.row_budget(model, method.max_batch_tokens, "forward")


def replacement_id(model: TextClassifier, replace: str) -> int:
    """The id that stands for a removed token: [MASK] when the model has one ("auto")."""
    if replace == "pad" or (replace == "auto" and model.mask_id is None):
        return int(model.pad_id)
    if model.mask_id is None:
        raise InputError("this model's tokenizer has no mask token; use replace='pad' or 'auto'")
    return int(model.mask_id)


def perturbed_outputs(
    model: TextClassifier,
    batch: WindowBatch,
    feats: Features,
    rows: Tensor,
    present: Tensor,
    token: int,
    output: str,
    budget: int,
    desc: str,
) -> Tensor:
    """Model outputs (R, classes) of window ``rows[r]`` with the features where
    ``present[r]`` (R, F) is False removed; R may span every window of the batch. Identical
    perturbations (random samples repeat, most often for short texts) go through the model once."""
    key = torch.cat((rows[:, None], present.long()), dim=1)
    unique, inverse = torch.unique(key, dim=0, return_inverse=True)  # sorted: window-major
    rows, present = unique[:, 0], unique[:, 1:].bool()
    n_rows, width = len(rows), batch.ids.shape[1]
    block = max(1, BLOCK_BUDGETS * budget // width)
    parts = []
    with engine.nested(n_rows, desc, "row") as bar:
        for start in range(0, n_rows, block):
            r = rows[start : start + block]
            idx = feats.index[r]
            keep = present[start : start + block].gather(1, idx.clamp(min=0))
            removed = (idx >= 0) & ~keep
            ids = batch.ids[r.to(batch.ids.device)]
            ids = torch.where(removed.to(ids.device), torch.full_like(ids, token), ids)
            mask = batch.attention_mask[r.to(ids.device)]
            with torch.inference_mode():
                x = model.embed(ids)
            parts.append(forward_outputs(model, x, mask, output, budget).cpu())
            bar.update(len(r))
    return torch.cat(parts).double()[inverse]


def warn(message: str) -> None:
    warnings.warn(message, PerturbationWarning, stacklevel=3)


def window_starts(n_features: int, window: int, stride: int) -> list[int]:
    """Starts of windows of ``window`` features every ``stride``; the last window ends at the
    last feature, so every feature is covered (with stride 1: Captum's Occlusion windows)."""
    if n_features <= window:
        return [0]
    starts = list(range(0, n_features - window + 1, stride))
    if starts[-1] != n_features - window:
        starts.append(n_features - window)
    return starts


def removal_scores(
    model: TextClassifier,
    batch: WindowBatch,
    targets: Tensor,
    feats: Features,
    window: int,
    stride: int,
    token: int,
    output: str,
    budget: int,
    desc: str,
) -> Tensor:
    """Occlusion: each feature's score is the mean of f(x) - f(x without the window) over the
    sliding windows that contain it; (B, K, T)."""
    rows, presents, covers = [], [], []
    for b, n in enumerate(feats.counts):
        cover = torch.zeros((len(window_starts(n, window, stride)), feats.most), dtype=torch.bool)
        for w, s in enumerate(window_starts(n, window, stride)):
            cover[w, s : min(s + window, n)] = True
        covers.append(cover)
        rows.extend([b] * (len(cover) + 1))
        presents.extend([torch.ones((1, feats.most), dtype=torch.bool), ~cover])
    row_t = torch.tensor(rows, dtype=torch.long)
    out = perturbed_outputs(
        model, batch, feats, row_t, torch.cat(presents), token, output, budget, desc
    )
    values = out.gather(1, targets.cpu()[row_t])  # (R, K)
    scores = torch.zeros((*targets.shape, feats.most), dtype=torch.float64)
    start = 0
    for b, cover in enumerate(covers):
        full, removed = values[start], values[start + 1 : start + 1 + len(cover)]
        start += 1 + len(cover)
        c = cover.double()
        scores[b] = (full - removed).T @ c / c.sum(0).clamp(min=1.0)
    return feats.spread(scores).to(batch.ids.device).float()
