"""Forward and gradient passes: model outputs for chosen classes and their gradients with
respect to the input embeddings, in row chunks of at most a row budget of tokens."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Literal, get_args

import torch
from torch import Tensor

from wordlight.errors import ModelError
from wordlight.models.protocol import TextClassifier

Output = Literal["probability", "logit"]  # what a method explains: the probability or the logit
OUTPUTS: tuple[str, ...] = get_args(Output)


def model_head(model: object) -> str:
    """The model's head (``TextClassifier.head``); "classification" for an adapter that names
    none. Ordinal adapters hand methods log class probabilities, so they read as classification."""
    head = str(getattr(model, "head", "classification"))
    return "classification" if head == "ordinal" else head


def class_outputs(logits: Tensor, output: str, head: str = "classification") -> Tensor:
    """What the head means, the one place outputs are computed; a ModelError on NaN or inf.

    - classification (and ordinal): the softmax probabilities, or the logits;
    - multi_label: each label's own sigmoid probability, or its logit;
    - regression: the raw predicted value, for either ``output`` (it is no probability).
    """
    if not torch.isfinite(logits).all():
        raise ModelError("the model returned NaN or infinite logits; check its weights and inputs")
    if output != "probability" or head == "regression":
        return logits
    return torch.sigmoid(logits) if head == "multi_label" else torch.softmax(logits, dim=-1)


def forward_outputs(
    model: TextClassifier, embeddings: Tensor, mask: Tensor, output: str, max_tokens: int
) -> Tensor:
    """Outputs (rows, classes) without gradients, in chunks of at most ``max_tokens`` tokens."""
    parts = []
    with torch.inference_mode():
        for sl, width in width_chunks(mask.sum(1).tolist(), max_tokens):
            logits = model.logits(embeddings[sl, :width], mask[sl, :width])
            parts.append(class_outputs(logits, output, model_head(model)))
    return torch.cat(parts).float()


def outputs_and_gradients(
    model: TextClassifier, embeddings: Tensor, mask: Tensor, targets: Tensor, output: str
) -> tuple[Tensor, Tensor]:
    """Outputs (R, K) for ``targets`` (R, K) and their gradients (R, K, T, D).

    One forward pass serves all K targets; each target costs one backward pass, except that
    with softmax probabilities over *all* classes the last gradient is minus the sum of the
    others (they sum to one), which saves a backward pass. Sigmoid probabilities (multi-label)
    and regression values do not sum to one: each of their targets gets its own pass.
    """
    head = model_head(model)
    with torch.enable_grad():
        x = embeddings.detach().requires_grad_(True)
        out = class_outputs(model.logits(x, mask), output, head)
        values = out.gather(1, targets)
        n_classes, k_total = out.shape[1], targets.shape[1]
        all_classes = (
            output == "probability"
            and head == "classification"
            and k_total == n_classes
            and n_classes > 1
            and bool((targets == torch.arange(n_classes, device=targets.device)).all())
        )
        k_backward = k_total - 1 if all_classes else k_total
        grads = []
        for k in range(k_backward):
            (g,) = torch.autograd.grad(values[:, k].sum(), x, retain_graph=k < k_backward - 1)
            grads.append(g)
        if all_classes:
            grads.append(-torch.stack(grads).sum(0))
    return values.detach(), torch.stack(grads, dim=1)


def width_chunks(widths: list[int], max_tokens: int) -> Iterator[tuple[slice, int]]:
    """Consecutive rows in chunks of at most ``max_tokens`` tokens, each with the width its
    longest row needs: padding beyond it is cut off, not computed. Rows sorted by length
    (as the length buckets give them) waste almost nothing."""
    start, widest = 0, 0
    for end, width in enumerate(widths):
        w = max(widest, int(width), 1)
        if end > start and (end - start + 1) * w > max_tokens:
            yield slice(start, end), widest
            start, w = end, max(int(width), 1)
        widest = w
    if start < len(widths):
        yield slice(start, len(widths)), widest
