"""Windows, length buckets and padded batches: long texts in, model-sized rows out, and back.

A text is never truncated: when its tokens do not fit in one forward pass, it is cut into
windows of ``max_length`` tokens (special tokens included) that overlap by ``overlap`` of their
length; each token's score is the mean over the windows that contain it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import torch
from torch import Tensor

from wordlight.engine.words import group_words
from wordlight.models.protocol import Encoding, TextClassifier


@dataclass(frozen=True)
class Window:
    """The content tokens of one text (or one stretch of a long text) that fit one pass."""

    text_index: int
    start: int  # index of the window's first content token in the text's tokens
    ids: tuple[int, ...]  # content token ids of this window (no special tokens)
    words: tuple[int, ...] = ()  # word of each content token, numbered from 0 in this window


@dataclass(frozen=True)
class WindowBatch:
    """Windows padded to one length, with the model's special tokens around the content."""

    ids: Tensor  # (B, T) long
    attention_mask: Tensor  # (B, T) long, 0 on padding
    content_mask: Tensor  # (B, T) bool, True on the text's own tokens
    n_prefix: int
    lengths: tuple[int, ...]  # content tokens per window
    word_ids: Tensor | None = None  # (B, T) long: word of each content token, -1 elsewhere


def make_windows(
    encodings: Sequence[Encoding], model: TextClassifier, overlap: float = 0.5
) -> list[Window]:
    """Every text's windows, text by text: one window when its tokens fit the model, else
    windows of the model's room that overlap by ``overlap`` and end at the last token."""
    size = model.max_length - len(model.prefix_ids) - len(model.suffix_ids)
    step = max(1, round(size * (1.0 - overlap)))
    windows: list[Window] = []
    for i, enc in enumerate(encodings):
        n = len(enc.ids)
        starts = [0] if n <= size else [*range(0, n - size, step), n - size]
        words = token_words(enc)
        windows.extend(
            Window(i, s, enc.ids[s : s + size], _renumber(words[s : s + size])) for s in starts
        )
    return windows


def token_words(enc: Encoding) -> list[int]:
    """The word (``engine.words.group_words``) each content token belongs to, by offsets."""
    word_of = list(range(len(enc.ids)))
    for w, (_, _, members) in enumerate(group_words(enc.text, enc.offsets)):
        for t in members:
            word_of[t] = w
    return word_of


def _renumber(words: Sequence[int]) -> tuple[int, ...]:
    first: dict[int, int] = {}
    return tuple(first.setdefault(w, len(first)) for w in words)


def collate(windows: Sequence[Window], model: TextClassifier) -> WindowBatch:
    """Windows padded to the longest, with the model's special tokens around each. Rows with
    nothing in them (no content and no special tokens) get one masked padding position."""
    pre, suf = model.prefix_ids, model.suffix_ids
    width = max(len(w.ids) for w in windows) + len(pre) + len(suf)
    if width == 0:
        return _empty_batch(len(windows), model)
    ids = torch.full((len(windows), width), model.pad_id, dtype=torch.long)
    attention = torch.zeros((len(windows), width), dtype=torch.long)
    content = torch.zeros((len(windows), width), dtype=torch.bool)
    word_ids = torch.full((len(windows), width), -1, dtype=torch.long)
    for row, w in enumerate(windows):
        full = (*pre, *w.ids, *suf)
        ids[row, : len(full)] = torch.tensor(full, dtype=torch.long)
        attention[row, : len(full)] = 1
        content[row, len(pre) : len(pre) + len(w.ids)] = True
        words = w.words if len(w.words) == len(w.ids) else range(len(w.ids))
        word_ids[row, len(pre) : len(pre) + len(w.ids)] = torch.tensor(words, dtype=torch.long)
    device = model.device
    return WindowBatch(
        ids.to(device),
        attention.to(device),
        content.to(device),
        len(pre),
        tuple(len(w.ids) for w in windows),
        word_ids.to(device),
    )


def _empty_batch(rows: int, model: TextClassifier) -> WindowBatch:
    device = model.device
    return WindowBatch(
        torch.full((rows, 1), model.pad_id, dtype=torch.long, device=device),
        torch.zeros((rows, 1), dtype=torch.long, device=device),
        torch.zeros((rows, 1), dtype=torch.bool, device=device),
        0,
        (0,) * rows,
    )


def merge_scores(
    windows: Sequence[Window], window_scores: Sequence[np.ndarray], n_tokens: int
) -> np.ndarray:
    """Mean over windows of each token's score; ``window_scores[j]`` is (..., len(window j))."""
    total = np.zeros((*window_scores[0].shape[:-1], n_tokens))
    count = np.zeros(n_tokens)
    for w, s in zip(windows, window_scores, strict=True):
        total[..., w.start : w.start + len(w.ids)] += s
        count[w.start : w.start + len(w.ids)] += 1
    return total / np.maximum(count, 1)


def length_buckets(windows: Sequence[Window], max_tokens: int) -> list[list[int]]:
    """Window indices grouped by similar length, each group at most ``max_tokens`` tokens."""
    order = sorted(range(len(windows)), key=lambda j: len(windows[j].ids))
    groups: list[list[int]] = []
    current: list[int] = []
    for j in order:
        width = len(windows[j].ids) + 2
        if current and (len(current) + 1) * width > max_tokens:
            groups.append(current)
            current = []
        current.append(j)
    if current:
        groups.append(current)
    return groups


def mean_by_text(window_values: np.ndarray, windows: Sequence[Window], n_texts: int) -> np.ndarray:
    """(n_texts, ...) the mean of each text's window rows of ``window_values`` (n_windows, ...)."""
    total = np.zeros((n_texts, *window_values.shape[1:]))
    count = np.zeros(n_texts)
    for j, w in enumerate(windows):
        total[w.text_index] += window_values[j]
        count[w.text_index] += 1
    return total / count.reshape(-1, *([1] * (window_values.ndim - 1)))
