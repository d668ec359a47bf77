"""The Explainer template: texts in, one Explanation per (text, target) out.

A method is a frozen dataclass of hyperparameters that implements ``attribute`` on a padded
batch of windows; everything else (validation, windows for long texts, length bucketing,
prediction, targets, merging windows, words, progress) happens here once for every method.
"""

from __future__ import annotations

import dataclasses
from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
import torch
from torch import Tensor
from tqdm.auto import tqdm

from wordlight.aggregation import WORD_AGGREGATIONS
from wordlight.errors import InputError, one_of
from wordlight.explanation import Explanation, Token
from wordlight.methods._engine import OUTPUTS, forward_outputs
from wordlight.methods._targets import Target, class_index, resolve_targets
from wordlight.methods._windows import (
    Window,
    WindowBatch,
    collate,
    length_buckets,
    make_windows,
    merge_scores,
)
from wordlight.models.protocol import Encoding, TextClassifier

# tokens per forward/backward pass on a CPU; measured on 2 cores with the default model:
# 9.0 ms per row at ~1k tokens, 10.3 at 512, 11.7 at 8k
CPU_ROW_BUDGET = 1024
GPU_ROW_BUDGET = 16384
GROUP_TOKENS = 8192  # windows handed to one attribute() call (cheap per-window tensors only)


@dataclass(frozen=True)
class Attribution:
    """What ``attribute`` returns for a batch of B windows and K targets per window."""

    scores: Tensor  # (B, K, T) one score per token position
    delta: Tensor | None = None  # (B, K) completeness delta, for path methods
    steps: Tensor | None = None  # (B,) integration steps used


@dataclass(frozen=True, kw_only=True)
class Explainer(ABC):
    name: ClassVar[str]
    summary: ClassVar[str]
    # signed: a score points towards (+) or against (-) the target; unsigned methods say in
    # `meaning` what their number is (the views show it instead of towards/against)
    signed: ClassVar[bool] = True
    meaning: ClassVar[str] = ""

    @classmethod
    def scores_signed(cls, params: Mapping[str, Any]) -> bool:
        """Whether results made with ``params`` have signed scores (``signed`` by default)."""
        return cls.signed

    output: str = "probability"  # explain the class probability or the raw logit
    # rows x tokens in one forward/backward pass, the memory cap; None: CPU_ROW_BUDGET on a
    # CPU (small chunks stay in cache: fastest per row there), GPU_ROW_BUDGET on an accelerator
    max_batch_tokens: int | None = None
    window_overlap: float = 0.5  # overlap of the windows that cover a long text

    def __post_init__(self) -> None:
        if self.output not in OUTPUTS:
            raise one_of("output", self.output, OUTPUTS)
        if self.max_batch_tokens is not None and self.max_batch_tokens < 1:
            raise InputError(f"max_batch_tokens must be >= 1, got {self.max_batch_tokens}")
        if not 0.0 <= self.window_overlap < 1.0:
            raise InputError(f"window_overlap must be in [0, 1), got {self.window_overlap}")

    @abstractmethod
    def attribute(self, model: TextClassifier, batch: WindowBatch, targets: Tensor) -> Attribution:
        """Scores (B, K, T) of every position of ``batch`` towards ``targets`` (B, K)."""

    def row_budget(self, model: TextClassifier) -> int:
        """Tokens per forward/backward pass: ``max_batch_tokens``, or the device's default."""
        if self.max_batch_tokens is not None:
            return self.max_batch_tokens
        return CPU_ROW_BUDGET if model.device.type == "cpu" else GPU_ROW_BUDGET

    def params(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}

    def explain(
        self,
        model: TextClassifier,
        texts: str | Sequence[str],
        target: Target = None,
        *,
        true_labels: Sequence[int | str] | None = None,
        word_aggregation: str = "sum",
        progress: bool | None = None,
    ) -> list[Explanation]:
        """One Explanation per text (per class for ``target="all"``), in the order given."""
        texts = check_texts(texts)
        if word_aggregation not in WORD_AGGREGATIONS:
            raise one_of("word aggregation", word_aggregation, WORD_AGGREGATIONS)
        if true_labels is not None and len(true_labels) != len(texts):
            raise InputError(f"{len(true_labels)} true labels for {len(texts)} texts")
        encodings = model.encode(texts)
        for i, enc in enumerate(encodings):
            if not enc.ids:
                raise InputError(f"text {i} ({enc.text[:30]!r}) has no tokens the model knows")
        windows = make_windows(encodings, model, self.window_overlap)
        groups = length_buckets(windows, max(self.row_budget(model), GROUP_TOKENS))
        with model.evaluating():
            window_probs = self._predict(model, windows, groups)
            text_probs = _mean_by_text(window_probs, windows, len(texts))
            targets = resolve_targets(target, model.labels, text_probs)
            results = self._attribute_all(model, windows, groups, targets, progress)
        return self._assemble(
            encodings, windows, results, text_probs, targets, model, true_labels, word_aggregation
        )

    # --- steps of explain --------------------------------------------------------------
    def _predict(
        self, model: TextClassifier, windows: list[Window], groups: list[list[int]]
    ) -> np.ndarray:
        probs = np.zeros((len(windows), len(model.labels)))
        for group in groups:
            batch = collate([windows[j] for j in group], model)
            with torch.inference_mode():
                x = model.embed(batch.ids)
            out = forward_outputs(
                model, x, batch.attention_mask, "probability", self.row_budget(model)
            )
            probs[group] = out.cpu().numpy()
        return probs

    def _attribute_all(
        self,
        model: TextClassifier,
        windows: list[Window],
        groups: list[list[int]],
        targets: np.ndarray,
        progress: bool | None,
    ) -> list[tuple[np.ndarray, np.ndarray | None, np.ndarray | None]]:
        results: list[Any] = [None] * len(windows)
        # progress=None: a bar on a terminal (tqdm's disable=None) for more than a few windows
        disable: bool | None = not progress if progress is not None else None
        if progress is None and len(windows) <= 8:
            disable = True
        bar = tqdm(total=len(windows), desc=self.name, unit="window", disable=disable)
        for group in groups:
            batch_windows = [windows[j] for j in group]
            batch = collate(batch_windows, model)
            t = torch.as_tensor(
                targets[[w.text_index for w in batch_windows]], device=batch.ids.device
            )
            attr = self.attribute(model, batch, t)
            scores = attr.scores.detach().float().cpu().numpy()
            for row, j in enumerate(group):
                n = batch.lengths[row]
                s = scores[row, :, batch.n_prefix : batch.n_prefix + n]
                d = None if attr.delta is None else attr.delta[row].detach().cpu().numpy()
                st = None if attr.steps is None else attr.steps[row].detach().cpu().numpy()
                results[j] = (s, d, st)
            bar.update(len(group))
        bar.close()
        return results

    def _assemble(
        self,
        encodings: list[Encoding],
        windows: list[Window],
        results: list[tuple[np.ndarray, np.ndarray | None, np.ndarray | None]],
        text_probs: np.ndarray,
        targets: np.ndarray,
        model: TextClassifier,
        true_labels: Sequence[int | str] | None,
        word_aggregation: str,
    ) -> list[Explanation]:
        by_text: dict[int, list[int]] = {}
        for j, w in enumerate(windows):
            by_text.setdefault(w.text_index, []).append(j)
        params = self.params()
        out = []
        for i, enc in enumerate(encodings):
            js = by_text[i]
            merged = merge_scores(
                [windows[j] for j in js], [results[j][0] for j in js], len(enc.ids)
            )
            tokens = tuple(
                Token(enc.text[s:e] if e > s else name, s, e)
                for name, (s, e) in zip(enc.token_texts, enc.offsets, strict=True)
            )
            truth = None
            if true_labels is not None:
                truth = model.labels[class_index(true_labels[i], model.labels)]
            for k, cls in enumerate(targets[i]):
                deltas = [results[j][1] for j in js]
                steps = [results[j][2] for j in js]
                delta = None
                if deltas[0] is not None:
                    values = [float(d[k]) for d in deltas if d is not None]
                    delta = max(values, key=abs)
                n_steps = (
                    None if steps[0] is None else int(max(int(s) for s in steps if s is not None))
                )
                out.append(
                    Explanation(
                        text=enc.text,
                        tokens=tokens,
                        scores=merged[k],
                        target=int(cls),
                        target_label=model.labels[int(cls)],
                        labels=tuple(model.labels),
                        probabilities=text_probs[i],
                        method=self.name,
                        params=params,
                        completeness_delta=delta,
                        n_steps=n_steps,
                        word_aggregation=word_aggregation,
                        true_label=truth,
                    )
                )
        return out


def check_texts(texts: str | Sequence[str]) -> list[str]:
    """A list of non-empty texts, or one clear InputError."""
    if isinstance(texts, str):
        texts = [texts]
    if not isinstance(texts, Sequence) or len(texts) == 0:
        raise InputError("no texts given; pass a string or a list of strings")
    for i, t in enumerate(texts):
        if not isinstance(t, str):
            raise InputError(f"text {i} is a {type(t).__name__}, not a string")
        if not t.strip():
            raise InputError(f"text {i} is empty or whitespace only; give some words to explain")
    return list(texts)


def _mean_by_text(window_probs: np.ndarray, windows: list[Window], n_texts: int) -> np.ndarray:
    total = np.zeros((n_texts, window_probs.shape[1]))
    count = np.zeros(n_texts)
    for j, w in enumerate(windows):
        total[w.text_index] += window_probs[j]
        count[w.text_index] += 1
    return total / count[:, None]
