"""The template of the layer methods: texts in, one LayerExplanation per (text, target) out.

A layer method is a frozen dataclass of hyperparameters that implements ``attribute_layers`` on
a padded batch: scores for every requested layer at every position (special tokens included).
Validation, targets, prediction and batching by length come from the run engine
(``wordlight.engine``); assembling the results lives here once.
Each text must fit in one forward pass (no windows: a layer's view of a text cut into windows
is not the layer's view of the text).
"""

from __future__ import annotations

import dataclasses
from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, ClassVar, Literal

import numpy as np
import torch
from torch import Tensor

from wordlight import engine
from wordlight.checks import bounded, check_fields, check_range
from wordlight.engine import ProgressOption, Target, WindowBatch, resolve_targets
from wordlight.errors import InputError, ModelError
from wordlight.methods._baselines import TokenBaseline
from wordlight.methods._quadrature import Rule
from wordlight.methods.base import (
    Output,
)
from wordlight.models.protocol import Encoding, LayeredClassifier, TextClassifier
from wordlight.results import LayerExplanation, Token
from wordlight.results.explanation import check_label_threshold


@dataclass(frozen=True)
class LayerAttribution:
    """What ``attribute_layers`` returns for B texts and R layers (one target per text)."""

    scores: Tensor  # (B, R, T)
    dims: Tensor | None = None  # (B, R, T, D) per hidden dimension, sums to scores
    delta: Tensor | None = None  # (B, R) completeness delta per layer
    gap: Tensor | None = None  # (B,) f(x) - f(x')
    steps: Tensor | None = None  # (B, R) integration points per layer
    token_error: Tensor | None = None  # (B, R) largest token error estimate per layer


@dataclass(frozen=True, kw_only=True)
class LayerMethod(ABC):
    name: ClassVar[str]
    summary: ClassVar[str]
    first_layer: ClassVar[int] = 0  # the lowest layer the method can explain
    signed: ClassVar[bool] = True  # see Explainer.signed
    meaning: ClassVar[str] = ""

    @classmethod
    def scores_signed(cls, params: Mapping[str, Any]) -> bool:
        return cls.signed

    layers: tuple[int, ...] | None = None  # None: every layer the method can explain
    output: Output = "probability"
    max_batch_tokens: int | None = bounded(None, low=1, integer=True)
    keep_dims: bool = False  # keep the per-dimension values (for distribution plots)

    def __post_init__(self) -> None:
        check_fields(self)  # every field's declared choices (Literal) and range (bounded)
        if self.layers is not None:
            object.__setattr__(self, "layers", tuple(self.layers))
            if not self.layers:
                raise InputError("layers is empty; give at least one layer index or None for all")

    @abstractmethod
    def attribute_layers(
        self, model: LayeredClassifier, batch: WindowBatch, targets: Tensor, rows: tuple[int, ...]
    ) -> LayerAttribution:
        """Scores (B, R, T) of every position at each layer of ``rows`` towards ``targets`` (B,)."""

    def row_budget(self, model: TextClassifier) -> int:
        """Tokens per forward/backward pass: ``max_batch_tokens``, or the device's default."""
        return engine.row_budget(model, self.max_batch_tokens, "gradient")

    def params(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}

    def resolve_layers(self, model: LayeredClassifier) -> tuple[int, ...]:
        """The layers to explain as indices; an InputError listing the valid ones otherwise."""
        n = model.n_layers
        low = self.first_layer
        if self.layers is None:
            return tuple(range(low, n + 1))
        out = []
        for layer in self.layers:
            if isinstance(layer, bool) or not isinstance(layer, int) or not -n <= layer <= n:
                raise InputError(
                    f"layer {layer!r} is out of range: this model has {n} encoder layers; "
                    f"{self.name} takes {low}..{n} ({'0 = embedding output, ' if low == 0 else ''}"
                    "-1 = the last)"
                )
            index = layer + n + 1 if layer < 0 else layer
            if index < low:
                raise InputError(f"{self.name} starts at layer {low}; choose {low}..{n}")
            out.append(index)
        return tuple(dict.fromkeys(out))

    def explain(
        self,
        model: TextClassifier,
        texts: str | Sequence[str],
        target: Target = None,
        *,
        progress: ProgressOption = None,
        label_threshold: float = 0.5,
    ) -> list[LayerExplanation]:
        """One LayerExplanation per text (per class for ``target="all"``), in the order given;
        a multi-label model's predicted labels are those above ``label_threshold``."""
        texts = engine.check_texts(texts)
        threshold = check_label_threshold(label_threshold)
        layered = layered_model(model)
        rows = self.resolve_layers(layered)
        budget = self.row_budget(model)
        plan = engine.prepare(model, texts, budget=budget, one_window=True)
        out: list[list[LayerExplanation]] = [[] for _ in texts]
        with model.evaluating():
            probs = engine.predict(model, plan, budget)  # one window per text: rows = texts
            targets = resolve_targets(target, model.labels, probs)
            with engine.Progress(len(texts), self.name, "text", progress) as bar:
                for group, batch in engine.batches(model, plan):
                    for k in range(targets.shape[1]):
                        t = torch.as_tensor(targets[list(group), k], device=batch.ids.device)
                        attr = self.attribute_layers(layered, batch, t, rows)
                        for row, j in enumerate(group):
                            out[j].append(
                                self._assemble(model, plan.encodings[j], batch, row, attr,
                                               int(t[row]), rows, probs[j])
                            )  # fmt: skip
                    bar.update(len(group))
        return [replace(e, label_threshold=threshold) for per_text in out for e in per_text]

    def _assemble(
        self,
        model: TextClassifier,
        enc: Encoding,
        batch: WindowBatch,
        row: int,
        attr: LayerAttribution,
        target: int,
        rows: tuple[int, ...],
        probs: np.ndarray,
    ) -> LayerExplanation:
        n = len(enc.ids)
        width = batch.n_prefix + n + len(model.suffix_ids)
        names = special_names(model)
        end = len(enc.text)
        tokens = (
            *(Token(names(i), 0, 0) for i in model.prefix_ids),
            *(
                Token(enc.text[s:e] if e > s else name, s, e)
                for name, (s, e) in zip(enc.token_texts, enc.offsets, strict=True)
            ),
            *(Token(names(i), end, end) for i in model.suffix_ids),
        )
        special = (True,) * batch.n_prefix + (False,) * n + (True,) * len(model.suffix_ids)
        dims = None
        if self.keep_dims and attr.dims is not None:
            dims = attr.dims[row, :, :width].detach().float().cpu().numpy()
        return LayerExplanation(
            text=enc.text,
            tokens=tokens,
            special=special,
            layers=rows,
            scores=attr.scores[row, :, :width].detach().float().cpu().numpy(),
            target=target,
            target_label=model.labels[target],
            labels=tuple(model.labels),
            probabilities=probs,
            method=self.name,
            params={**self.params(), **self.extra_params(model)},
            completeness_delta=None
            if attr.delta is None
            else attr.delta[row].detach().cpu().numpy(),
            gap=None if attr.gap is None else float(attr.gap[row]),
            n_steps=None if attr.steps is None else tuple(int(n) for n in attr.steps[row]),
            dims=dims,
            max_token_error=None
            if attr.token_error is None
            else attr.token_error[row].cpu().numpy(),
            head=str(getattr(model, "head", "classification")),
        )

    def extra_params(self, model: TextClassifier) -> dict[str, Any]:
        """Facts about the run worth saving with the result (e.g. the hidden size)."""
        return {}


def layered_model(model: TextClassifier) -> LayeredClassifier:
    """``model`` as a LayeredClassifier, or a ModelError saying it has no encoder layers."""
    if not isinstance(model, LayeredClassifier):
        raise ModelError(
            f"{type(model).__name__} has no encoder layers wordlight can reach; layer analysis "
            "needs a Hugging Face encoder (BERT, DistilBERT, RoBERTa, ELECTRA ...)"
        )
    model.n_layers  # noqa: B018 - a ModelError here for an HF model of another architecture
    return model


def special_names(model: TextClassifier) -> Any:
    """id -> the special token's name ([CLS], <s>, ...), from the tokenizer when there is one."""
    tokenizer = getattr(model, "tokenizer", None)

    def name(token_id: int) -> str:
        if tokenizer is not None and hasattr(tokenizer, "convert_ids_to_tokens"):
            return str(tokenizer.convert_ids_to_tokens(int(token_id)))
        return f"<{token_id}>"

    return name


@dataclass(frozen=True, kw_only=True)
class LayerPathMethod(LayerMethod, ABC):
    """A layer method that integrates along the path baseline text -> text: its parameters."""

    MIN_STEPS: ClassVar[int] = 1
    AUTO_STEPS: ClassVar[bool] = False  # whether n_steps="auto" is offered

    n_steps: int | Literal["auto"] = 50  # "auto" where AUTO_STEPS
    rule: Rule = "gausslegendre"
    baseline: TokenBaseline = "pad"

    def __post_init__(self) -> None:
        super().__post_init__()
        auto = ("auto",) if self.AUTO_STEPS else ()
        check_range("n_steps", self.n_steps, low=self.MIN_STEPS, integer=True, also=auto)
