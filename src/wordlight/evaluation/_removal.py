"""Token-id removal, the one perturbation every metric uses.

A text's content tokens are re-encoded with the model's own ``encode`` (never decoded and
re-tokenised); a *unit* is one content token (``level="token"``) or the tokens of one word
(``level="word"``). Removing a unit deletes its token ids from the sequence; the model's special
tokens ([CLS]/[SEP], <s>/</s>) are added around what is left and never removed, and content tokens
whose id is a special id (pad, mask or a prefix/suffix id typed into the text) are not units.
The same policy holds for every method, so metrics compare methods on equal terms.

All rows (texts x removal levels x metrics) go through one batched pass: sorted by length,
chunked under the row budget, long sequences split into windows as ``explain`` does.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import torch
from tqdm.auto import tqdm

from wordlight.errors import InputError, one_of
from wordlight.methods._engine import forward_outputs
from wordlight.methods._windows import WindowBatch, collate, length_buckets, make_windows
from wordlight.methods.base import CPU_ROW_BUDGET, GPU_ROW_BUDGET, GROUP_TOKENS, _mean_by_text
from wordlight.models.protocol import Encoding, TextClassifier
from wordlight.results import Explanation

LEVELS = ("token", "word")


@dataclass(frozen=True)
class Item:
    """One explanation ready for removal: its content ids, its units and their scores."""

    ids: tuple[int, ...]
    units: tuple[tuple[int, ...], ...]  # content-token positions of each unit
    scores: np.ndarray  # (n_units,) the explanation's score of each unit
    target: int

    @property
    def n(self) -> int:
        return len(self.units)

    def order(self) -> np.ndarray:
        """Unit indices from the highest score to the lowest (ties: text order)."""
        return np.argsort(-self.scores, kind="stable")

    def kept_ids(self, keep: np.ndarray) -> tuple[int, ...]:
        """The content ids left when the units with ``keep[u] == False`` are deleted."""
        drop = {p for u in np.nonzero(~keep)[0] for p in self.units[u]}
        return tuple(t for p, t in enumerate(self.ids) if p not in drop)


def special_ids(model: TextClassifier) -> set[int]:
    ids = {*model.prefix_ids, *model.suffix_ids, model.pad_id}
    if model.mask_id is not None:
        ids.add(int(model.mask_id))
    return ids


def prepare(
    model: TextClassifier, explanations: Sequence[Explanation], level: str = "token"
) -> list[Item]:
    """Re-encode each explanation's text and cut it into removable units."""
    if level not in LEVELS:
        raise one_of("level", level, LEVELS)
    if isinstance(explanations, Explanation):
        explanations = [explanations]
    if len(explanations) == 0:
        raise InputError("no explanations given; pass the list that explain() returned")
    encodings = model.encode([e.text for e in explanations])
    special = special_ids(model)
    items = []
    for i, (e, enc) in enumerate(zip(explanations, encodings, strict=True)):
        if len(enc.ids) != len(e.tokens):
            raise InputError(
                f"explanation {i} has {len(e.tokens)} tokens but this model cuts its text into "
                f"{len(enc.ids)}; evaluate with the model that made the explanation"
            )
        removable = [p for p, t in enumerate(enc.ids) if t not in special]
        if not removable:
            raise InputError(
                f"text {i} ({e.text[:30]!r}) has only special tokens; there is nothing to remove"
            )
        units: list[tuple[int, ...]]
        if level == "token":
            units = [(p,) for p in removable]
            raw = _flat(e.scores)[removable]
        else:
            keep = set(removable)
            groups = [tuple(p for p in w.token_indices if p in keep) for w in e.words]
            chosen = [w for w, g in enumerate(groups) if g]
            units = [groups[w] for w in chosen]
            raw = _flat(e.word_scores)[chosen]
        if not np.all(np.isfinite(raw)):
            raise InputError(f"explanation {i} has NaN or infinite scores; cannot rank its tokens")
        items.append(Item(tuple(enc.ids), tuple(units), np.asarray(raw, float), int(e.target)))
    return items


def _flat(scores: np.ndarray) -> np.ndarray:
    """1-D scores; layer results (n_layers, n) are summed over layers, as the viewers do."""
    s = np.asarray(scores, dtype=np.float64)
    return s.reshape(-1, s.shape[-1]).sum(0) if s.ndim > 1 else s


def top_count(fraction: float, n: int) -> int:
    """Units in a top-``fraction`` rationale of ``n`` units: ceil(fraction * n), at least 1."""
    return min(n, max(1, math.ceil(fraction * n - 1e-9)))


def row_budget(model: TextClassifier, max_batch_tokens: int | None) -> int:
    if max_batch_tokens is not None:
        if max_batch_tokens < 1:
            raise InputError(f"max_batch_tokens must be >= 1, got {max_batch_tokens}")
        return max_batch_tokens
    return CPU_ROW_BUDGET if model.device.type == "cpu" else GPU_ROW_BUDGET


def target_probabilities(
    model: TextClassifier,
    sequences: Sequence[Sequence[int]],
    targets: Sequence[int],
    *,
    max_batch_tokens: int | None = None,
    progress: bool | None = None,
    desc: str = "evaluating",
) -> np.ndarray:
    """p(target | sequence) for every content-id sequence, special tokens added, batched."""
    budget = row_budget(model, max_batch_tokens)
    encodings = [Encoding("", tuple(s), (), ()) for s in sequences]
    windows = make_windows(encodings, model, 0.5)
    groups = length_buckets(windows, max(budget, GROUP_TOKENS))
    probs = np.zeros((len(windows), len(model.labels)))
    disable = (not progress) if progress is not None else (True if len(windows) <= 64 else None)
    bar = tqdm(total=len(windows), desc=desc, unit="row", disable=disable)
    with model.evaluating():
        for group in groups:
            batch = _collate([windows[j] for j in group], model)
            with torch.inference_mode():
                x = model.embed(batch.ids)
            out = forward_outputs(model, x, batch.attention_mask, "probability", budget)
            probs[group] = out.cpu().numpy()
            bar.update(len(group))
    bar.close()
    by_text = _mean_by_text(probs, windows, len(sequences))
    return by_text[np.arange(len(sequences)), np.asarray(targets, dtype=np.int64)]


def _collate(windows: Sequence[object], model: TextClassifier) -> WindowBatch:
    batch = collate(windows, model)  # type: ignore[arg-type]
    if batch.ids.shape[1] > 0:
        return batch
    # nothing left and no special tokens: one padding position, masked out
    rows = batch.ids.shape[0]
    device = batch.ids.device
    return WindowBatch(
        torch.full((rows, 1), model.pad_id, dtype=torch.long, device=device),
        torch.zeros((rows, 1), dtype=torch.long, device=device),
        torch.zeros((rows, 1), dtype=torch.bool, device=device),
        0,
        batch.lengths,
    )
