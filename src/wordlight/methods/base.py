"""The Explainer template: texts in, one Explanation per (text, target) out.

A method is a frozen dataclass of hyperparameters that implements ``attribute`` on a padded
batch of windows; everything else happens once for every method: validation, windows for long
texts, length bucketing, prediction, targets, merging windows and progress in the run engine
(``wordlight.engine``), assembling the results (tokens, words, deltas) here.
"""

from __future__ import annotations

import dataclasses
from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, ClassVar

import numpy as np
import torch
from torch import Tensor

from wordlight import engine
from wordlight.checks import bounded, check_fields
from wordlight.engine import (
    Output,
    Plan,
    ProgressOption,
    Target,
    WindowBatch,
    class_index,
    merge_scores,
    resolve_targets,
)
from wordlight.engine.budget import CPU_ROW_BUDGET, GPU_ROW_BUDGET, GROUP_TOKENS
from wordlight.engine.texts import check_texts
from wordlight.errors import InputError, one_of
from wordlight.models.protocol import TextClassifier
from wordlight.results import Explanation, Token
from wordlight.results.explanation import check_label_threshold
from wordlight.results.words import WORD_AGGREGATIONS

__all__ = [  # the budgets and check_texts live in wordlight.engine; here for old imports
    "CPU_ROW_BUDGET",
    "GPU_ROW_BUDGET",
    "GROUP_TOKENS",
    "Attribution",
    "Explainer",
    "check_texts",
]


@dataclass(frozen=True)
class Attribution:
    """What ``attribute`` returns for a batch of B windows and K targets per window."""

    scores: Tensor  # (B, K, T) one score per token position
    delta: Tensor | None = None  # (B, K) completeness delta, for path methods
    steps: Tensor | None = None  # (B,) integration steps used
    token_error: Tensor | None = None  # (B, K) largest estimated |error| of one token's score


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

    output: Output = "probability"  # explain the class probability or the raw logit
    # rows x tokens in one forward/backward pass, the memory cap; None: the engine's default
    # for the device (wordlight.engine.row_budget)
    max_batch_tokens: int | None = bounded(None, low=1, integer=True)
    # overlap of the windows that cover a long text
    window_overlap: float = bounded(0.5, low=0, high=1, high_open=True)

    def __post_init__(self) -> None:
        check_fields(self)  # every field's declared choices (Literal) and range (bounded)

    @abstractmethod
    def attribute(self, model: TextClassifier, batch: WindowBatch, targets: Tensor) -> Attribution:
        """Scores (B, K, T) of every position of ``batch`` towards ``targets`` (B, K)."""

    def row_budget(self, model: TextClassifier) -> int:
        """Tokens per forward/backward pass: ``max_batch_tokens``, or the device's default."""
        return engine.row_budget(model, self.max_batch_tokens, "gradient")

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
        progress: ProgressOption = None,
        label_threshold: float = 0.5,
    ) -> list[Explanation]:
        """One Explanation per text (per class for ``target="all"``), in the order given.

        What is explained follows the model's head (``model.head``): a softmax probability
        (classification), a label's own sigmoid probability (multi-label; its predicted labels
        are those above ``label_threshold``) or the predicted value (regression)."""
        texts = check_texts(texts)
        threshold = check_label_threshold(label_threshold)
        if word_aggregation not in WORD_AGGREGATIONS:
            raise one_of("word aggregation", word_aggregation, WORD_AGGREGATIONS)
        if true_labels is not None and len(true_labels) != len(texts):
            raise InputError(f"{len(true_labels)} true labels for {len(texts)} texts")
        budget = self.row_budget(model)
        plan = engine.prepare(model, texts, budget=budget, overlap=self.window_overlap)
        with model.evaluating():
            window_probs = engine.predict(model, plan, budget)
            text_probs = engine.text_probabilities(plan, window_probs)
            targets = resolve_targets(target, model.labels, text_probs)
            results = self._attribute_all(model, plan, targets, progress)
        out = self._assemble(
            plan, results, text_probs, targets, model, true_labels, word_aggregation
        )
        head = str(getattr(model, "head", "classification"))
        return [replace(e, head=head, label_threshold=threshold) for e in out]

    # --- steps of explain --------------------------------------------------------------
    def _attribute_all(
        self, model: TextClassifier, plan: Plan, targets: np.ndarray, progress: ProgressOption
    ) -> list[tuple[np.ndarray, np.ndarray | None, np.ndarray | None, np.ndarray | None]]:
        results: list[Any] = [None] * len(plan.windows)
        with engine.Progress(len(plan.windows), self.name, "window", progress) as bar:
            for group, batch in engine.batches(model, plan):
                t = torch.as_tensor(
                    targets[[plan.windows[j].text_index for j in group]], device=batch.ids.device
                )
                attr = self.attribute(model, batch, t)
                scores = attr.scores.detach().float().cpu().numpy()
                for row, j in enumerate(group):
                    n = batch.lengths[row]
                    s = scores[row, :, batch.n_prefix : batch.n_prefix + n]
                    d = None if attr.delta is None else attr.delta[row].detach().cpu().numpy()
                    st = None if attr.steps is None else attr.steps[row].detach().cpu().numpy()
                    te = None if attr.token_error is None else attr.token_error[row].cpu().numpy()
                    results[j] = (s, d, st, te)
                bar.update(len(group))
        return results

    def _assemble(
        self,
        plan: Plan,
        results: list[tuple[np.ndarray, np.ndarray | None, np.ndarray | None, np.ndarray | None]],
        text_probs: np.ndarray,
        targets: np.ndarray,
        model: TextClassifier,
        true_labels: Sequence[int | str] | None,
        word_aggregation: str,
    ) -> list[Explanation]:
        windows = plan.windows
        by_text: dict[int, list[int]] = {}
        for j, w in enumerate(windows):
            by_text.setdefault(w.text_index, []).append(j)
        params = self.params()
        out = []
        for i, enc in enumerate(plan.encodings):
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
                        max_token_error=_max_token_error([results[j][3] for j in js], k),
                        word_aggregation=word_aggregation,
                        true_label=truth,
                    )
                )
        return out


def _max_token_error(per_window: list[np.ndarray | None], k: int) -> float | None:
    """The largest token error estimate of target k over a text's windows; None without one."""
    values = [float(e[k]) for e in per_window if e is not None]
    return max(values) if values and np.isfinite(max(values)) else None
