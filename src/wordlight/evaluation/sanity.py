"""Sanity checks (Adebayo et al., 2018): an explanation should depend on what the model learned.

``model_randomization`` re-initialises the model's blocks one after another from the top (the
classification head, then the top encoder layer, ... down to the embeddings), cumulatively, and
``label_randomization`` re-fits the classification head on shuffled labels. Both work on a deep copy
(the user's model is never touched) and report the Spearman rank correlation between each text's
explanation before and after. A method *passes* when the mean correlation at the last step is
below ``threshold`` (default 0.5); a method whose explanations barely change fails.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch
from torch import nn

from wordlight import engine
from wordlight.engine import check_texts, class_index
from wordlight.errors import InputError, ModelError
from wordlight.evaluation._rank import spearman
from wordlight.methods.base import Explainer
from wordlight.models.protocol import ModuleClassifier, TextClassifier
from wordlight.results import Explanation

DEFAULT_THRESHOLD = 0.5


@dataclass(frozen=True)
class SanityResult:
    """Spearman rho (steps, texts) between the explanations before and after each step."""

    check: str
    method: str
    steps: tuple[str, ...]
    correlations: np.ndarray
    threshold: float
    before: tuple[Explanation, ...]
    after: tuple[tuple[Explanation, ...], ...]  # one tuple of explanations per step

    @property
    def mean_by_step(self) -> np.ndarray:
        return np.array(
            [np.nanmean(r) if np.isfinite(r).any() else np.nan for r in self.correlations]
        )

    @property
    def passed(self) -> bool:
        """True when the mean correlation after the last step is below the threshold."""
        last = float(self.mean_by_step[-1])
        return bool(np.isfinite(last) and last < self.threshold)

    def summary(self) -> str:
        steps = ", ".join(
            f"{s}: {m:+.2f}" for s, m in zip(self.steps, self.mean_by_step, strict=True)
        )
        verdict = "passes" if self.passed else "FAILS"
        return (
            f"{self.method} {verdict} {self.check} "
            f"(mean Spearman rho {steps}; pass < {self.threshold})"
        )


def copy_model(model: TextClassifier) -> TextClassifier:
    """A deep copy of the classifier's weights; the tokenizer is shared, not copied."""
    memo: dict[int, Any] = {}
    shared = [*model.shared()] if isinstance(model, ModuleClassifier) else []
    shared.append(getattr(model, "tokenizer", None))
    for obj in shared:
        if obj is not None:
            memo[id(obj)] = obj
    clone = copy.deepcopy(model, memo)
    return clone


def cascade_blocks(model: TextClassifier) -> list[tuple[str, list[nn.Module]]]:
    """The model's blocks from the top: head, top layer, ..., embeddings."""
    if not isinstance(model, ModuleClassifier):
        raise ModelError(
            f"{type(model).__name__} exposes no torch module to randomise; pass module= to "
            "TorchClassifier or use a Hugging Face model"
        )
    return model.blocks()


def reinitialise(modules: Sequence[nn.Module], seed: int) -> None:
    """Reset every submodule that knows how to (Linear, Embedding, LayerNorm, ...)."""
    torch.manual_seed(seed)
    for block in modules:
        for m in block.modules():
            reset = getattr(m, "reset_parameters", None)
            if callable(reset):
                reset()


def _compare(
    before: Sequence[Explanation], after: Sequence[Explanation], absolute: bool
) -> np.ndarray:
    f = np.abs if absolute else (lambda a: a)
    return np.array(
        [spearman(f(a.scores), f(b.scores)) for a, b in zip(before, after, strict=True)]
    )


def model_randomization(
    model: Any,
    texts: str | Sequence[str],
    method: str | Explainer,
    *,
    threshold: float = DEFAULT_THRESHOLD,
    absolute: bool = False,
    seed: int = 0,
    progress: bool | None = False,
) -> SanityResult:
    """Cascading model-parameter randomisation on a copy of ``model``; see the module doc."""
    from wordlight.methods import make_explainer
    from wordlight.models.loading import load_model

    explainer = make_explainer(method)
    classifier = load_model(model)
    texts = check_texts(texts)
    before = explainer.explain(classifier, texts, progress=progress)
    targets = [e.target for e in before]
    clone = copy_model(classifier)
    steps, after, rows = [], [], []
    for k, (name, modules) in enumerate(cascade_blocks(clone)):
        reinitialise(modules, seed + k)
        now = explainer.explain(clone, texts, targets, progress=progress)
        steps.append(name)
        after.append(tuple(now))
        rows.append(_compare(before, now, absolute))
    return SanityResult(
        "model randomization", explainer.name, tuple(steps), np.array(rows), threshold,
        tuple(before), tuple(after),
    )  # fmt: skip


def label_randomization(
    model: Any,
    texts: Sequence[str],
    labels: Sequence[int | str],
    method: str | Explainer,
    *,
    explain_texts: Sequence[str] | None = None,
    epochs: int = 20,
    learning_rate: float = 1e-2,
    threshold: float = DEFAULT_THRESHOLD,
    absolute: bool = False,
    seed: int = 0,
    progress: bool | None = False,
) -> SanityResult:
    """Re-initialise the head of a copy, re-fit it (head only, full-batch Adam for ``epochs``
    steps, cross-entropy) on ``texts`` with shuffled ``labels``, and compare the explanations of
    ``explain_texts`` (default: ``texts``) from the two models."""
    from wordlight.methods import make_explainer
    from wordlight.models.loading import load_model

    explainer = make_explainer(method)
    classifier = load_model(model)
    texts = check_texts(texts)
    if len(labels) != len(texts):
        raise InputError(f"{len(labels)} labels for {len(texts)} texts; give one label per text")
    if epochs < 1:
        raise InputError(f"epochs must be >= 1, got {epochs}")
    y = np.array([class_index(v, classifier.labels) for v in labels])
    shuffled = np.random.default_rng(seed).permutation(y)
    shown = check_texts(explain_texts) if explain_texts is not None else texts
    before = explainer.explain(classifier, shown, progress=progress)
    clone = copy_model(classifier)
    head = cascade_blocks(clone)[0][1]
    reinitialise(head, seed)
    _fit_head(clone, head, texts, shuffled, epochs, learning_rate)
    now = explainer.explain(clone, shown, [e.target for e in before], progress=progress)
    return SanityResult(
        "label randomization", explainer.name, ("head re-fit on shuffled labels",),
        _compare(before, now, absolute)[None, :], threshold, tuple(before), (tuple(now),),
    )  # fmt: skip


def _fit_head(
    model: TextClassifier,
    head: Sequence[nn.Module],
    texts: Sequence[str],
    labels: np.ndarray,
    epochs: int,
    learning_rate: float,
) -> None:
    params = [p for m in head for p in m.parameters()]
    owner = model.module if isinstance(model, ModuleClassifier) else None
    if isinstance(owner, nn.Module):
        for p in owner.parameters():
            p.requires_grad_(False)
    for p in params:
        p.requires_grad_(True)
    plan = engine.plan(model, model.encode(texts), overlap=0.5, tokens=engine.GROUP_TOKENS)
    first: dict[int, Any] = {}
    for w in plan.windows:  # the first window of each text is enough for a short re-fit
        first.setdefault(w.text_index, w)
    batch = engine.collate([first[i] for i in range(len(texts))], model)
    target = torch.as_tensor(labels, device=batch.ids.device)
    optimiser = torch.optim.Adam(params, lr=learning_rate)
    with model.evaluating(), torch.enable_grad():
        x = model.embed(batch.ids).detach()
        for _ in range(epochs):
            optimiser.zero_grad()
            loss = nn.functional.cross_entropy(model.logits(x, batch.attention_mask), target)
            loss.backward()
            optimiser.step()
