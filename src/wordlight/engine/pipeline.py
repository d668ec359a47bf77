"""The pipeline every consumer runs: texts -> encodings -> windows -> length buckets ->
padded batches -> passes.

``prepare`` validates and plans (``Plan``: encodings, windows, groups of window indices);
``batches`` collates each group; ``predict`` runs the prediction pass of every window under the
row budget; ``text_probabilities`` averages a text's windows. Methods, the evaluation passes,
the information method's regularisation and the sanity checks all go through these.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import numpy as np
import torch

from wordlight.engine.budget import group_tokens
from wordlight.engine.passes import forward_outputs
from wordlight.engine.progress import Progress, ProgressOption
from wordlight.engine.texts import check_encodings, check_texts
from wordlight.engine.windows import (
    Window,
    WindowBatch,
    collate,
    length_buckets,
    make_windows,
    mean_by_text,
)
from wordlight.models.protocol import Encoding, TextClassifier


@dataclass(frozen=True)
class Plan:
    """What ``prepare``/``plan`` decided: the texts' encodings, their windows, and the windows'
    indices grouped by length (one group = one padded batch)."""

    encodings: tuple[Encoding, ...]
    windows: tuple[Window, ...]
    groups: tuple[tuple[int, ...], ...]

    @property
    def n_texts(self) -> int:
        return len(self.encodings)

    def windows_of(self, text_index: int) -> list[int]:
        """Indices of the windows of one text, in text order."""
        return [j for j, w in enumerate(self.windows) if w.text_index == text_index]


def room(model: TextClassifier) -> int:
    """Content tokens one pass takes: ``max_length`` less the special tokens."""
    return model.max_length - len(model.prefix_ids) - len(model.suffix_ids)


def plan(
    model: TextClassifier, encodings: Sequence[Encoding], *, overlap: float, tokens: int
) -> Plan:
    """Windows of ``encodings`` (see ``make_windows``) in length buckets of at most ``tokens``."""
    windows = make_windows(encodings, model, overlap)
    groups = length_buckets(windows, tokens)
    return Plan(tuple(encodings), tuple(windows), tuple(tuple(g) for g in groups))


def prepare(
    model: TextClassifier,
    texts: str | Sequence[str],
    *,
    budget: int,
    overlap: float = 0.5,
    one_window: bool = False,
) -> Plan:
    """Check ``texts``, encode them, cut long ones into windows, and bucket the windows by
    length in groups of ``group_tokens(budget)`` tokens. ``one_window``: a text longer than one
    pass is an InputError instead (layer analysis)."""
    encodings = model.encode(check_texts(texts))
    check_encodings(encodings, room(model) if one_window else None)
    return plan(model, encodings, overlap=overlap, tokens=group_tokens(budget))


def batches(model: TextClassifier, p: Plan) -> Iterator[tuple[tuple[int, ...], WindowBatch]]:
    """Each group of window indices with its padded batch, shortest windows first."""
    for group in p.groups:
        yield group, collate([p.windows[j] for j in group], model)


def predict(
    model: TextClassifier,
    p: Plan,
    budget: int,
    *,
    progress: ProgressOption = False,
    desc: str = "predicting",
) -> np.ndarray:
    """Class probabilities (n_windows, n_classes) of every window, in passes of at most
    ``budget`` tokens. Call it inside ``model.evaluating()``."""
    probs = np.zeros((len(p.windows), len(model.labels)))
    with Progress(len(p.windows), desc, "row", progress) as bar:
        for group, batch in batches(model, p):
            with torch.inference_mode():
                x = model.embed(batch.ids)
            out = forward_outputs(model, x, batch.attention_mask, "probability", budget)
            probs[list(group)] = out.cpu().numpy()
            bar.update(len(group))
    return probs


def text_probabilities(p: Plan, window_probs: np.ndarray) -> np.ndarray:
    """(n_texts, n_classes): the mean of each text's window probabilities."""
    return mean_by_text(window_probs, p.windows, p.n_texts)
