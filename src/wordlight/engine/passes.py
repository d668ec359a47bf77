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


def class_outputs(logits: Tensor, output: str) -> Tensor:
    """Softmax probabilities or the logits themselves; a ModelError on NaN or inf logits."""
    if not torch.isfinite(logits).all():
        raise ModelError("the model returned NaN or infinite logits; check its weights and inputs")
    return torch.softmax(logits, dim=-1) if output == "probability" else logits


def forward_outputs(
    model: TextClassifier, embeddings: Tensor, mask: Tensor, output: str, max_tokens: int
) -> Tensor:
    """Outputs (rows, classes) without gradients, in chunks of at most ``max_tokens`` tokens."""
    parts = []
    with torch.inference_mode():
        for sl, width in width_chunks(mask.sum(1).tolist(), max_tokens):
            logits = model.logits(embeddings[sl, :width], mask[sl, :width])
            parts.append(class_outputs(logits, output))
    return torch.cat(parts).float()


def outputs_and_gradients(
    model: TextClassifier, embeddings: Tensor, mask: Tensor, targets: Tensor, output: str
) -> tuple[Tensor, Tensor]:
    """Outputs (R, K) for ``targets`` (R, K) and their gradients (R, K, T, D).

    One forward pass serves all K targets; each target costs one backward pass, except that
    with probabilities over *all* classes the last gradient is minus the sum of the others
    (the probabilities sum to one), which saves a backward pass.
    """
    with torch.enable_grad():
        x = embeddings.detach().requires_grad_(True)
        out = class_outputs(model.logits(x, mask), output)
        values = out.gather(1, targets)
        n_classes, k_total = out.shape[1], targets.shape[1]
        all_classes = (
            output == "probability"
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
