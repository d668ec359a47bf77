"""Token-id removal, the one perturbation every metric uses.

A text's content tokens are re-encoded with the model's own ``encode`` (never decoded and
re-tokenised); a *unit* is one content token (``level="token"``) or the tokens of one word
(``level="word"``). Removing a unit deletes its token ids from the sequence; the model's special
tokens ([CLS]/[SEP], <s>/</s>) are added around what is left and never removed, and content tokens
whose id is a special id (pad, mask or a prefix/suffix id typed into the text) are not units.
The same policy holds for every method, so metrics compare methods on equal terms.

All rows (texts x removal levels x metrics) go through one batched pass of the run engine
(``wordlight.engine``): sorted by length, chunked under the row budget, long sequences split into
windows as ``explain`` does.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from wordlight import engine
from wordlight.engine import ProgressOption
from wordlight.errors import InputError, one_of
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
    """An explanation's (n,) scores as float64 (plausibility uses it too)."""
    return np.asarray(scores, dtype=np.float64)


def top_count(fraction: float, n: int) -> int:
    """Units in a top-``fraction`` rationale of ``n`` units: ceil(fraction * n), at least 1."""
    return min(n, max(1, math.ceil(fraction * n - 1e-9)))


def target_probabilities(
    model: TextClassifier,
    sequences: Sequence[Sequence[int]],
    targets: Sequence[int],
    *,
    max_batch_tokens: int | None = None,
    progress: ProgressOption = None,
    desc: str = "evaluating",
) -> np.ndarray:
    """p(target | sequence) for every content-id sequence, special tokens added, batched."""
    budget = engine.row_budget(model, max_batch_tokens, "gradient")
    encodings = [Encoding("", tuple(s), (), ()) for s in sequences]
    plan = engine.plan(model, encodings, overlap=0.5, tokens=engine.group_tokens(budget))
    with model.evaluating():
        probs = engine.predict(model, plan, budget, progress=progress, desc=desc)
    by_text = engine.text_probabilities(plan, probs)
    return by_text[np.arange(len(sequences)), np.asarray(targets, dtype=np.int64)]
