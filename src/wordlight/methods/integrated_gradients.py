"""Integrated Gradients (Sundararajan et al., 2017) on the input word embeddings.

score_i = sum_j w_j * grad f(x' + a_j (x - x'))_i . (x - x')_i, for a quadrature rule (a_j, w_j)
on [0, 1]. Completeness: sum_i score_i = f(x) - f(x') up to the quadrature error, reported per
text as the completeness delta. ``n_steps="auto"`` doubles the steps, per window, until
|delta| <= tolerance * |f(x) - f(x')|.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import torch
from torch import Tensor

from wordlight.errors import InputError, one_of
from wordlight.methods._baselines import BASELINES, baseline_embeddings
from wordlight.methods._engine import forward_outputs, outputs_and_gradients, row_chunks
from wordlight.methods._quadrature import RULES, nodes
from wordlight.methods._windows import WindowBatch
from wordlight.methods.base import Attribution, Explainer
from wordlight.models.protocol import TextClassifier


@dataclass(frozen=True, kw_only=True)
class IntegratedGradients(Explainer):
    name: ClassVar[str] = "integrated_gradients"
    summary: ClassVar[str] = "path integral of gradients from a baseline text; sums to f(x)-f(x')"

    n_steps: int | str = 50  # an int, or "auto" (adaptive, per text)
    rule: str = "gausslegendre"
    baseline: str = "pad"
    tolerance: float = 0.01  # "auto": |delta| <= tolerance * |f(x) - f(x')| ...
    atol: float = 1e-6  # ... + atol, so a zero gap does not ask for the impossible
    min_steps: int = 8  # "auto": the first try
    max_steps: int = 512  # "auto": the most steps one text may get

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.rule not in RULES:
            raise one_of("rule", self.rule, RULES)
        if self.baseline not in BASELINES:
            raise one_of("baseline", self.baseline, BASELINES)
        least = 2 if self.rule == "riemann_trapezoid" else 1
        if self.n_steps != "auto":
            if isinstance(self.n_steps, bool) or not isinstance(self.n_steps, int):
                raise InputError(f"n_steps must be an integer or 'auto', got {self.n_steps!r}")
            if self.n_steps < least:
                raise InputError(f"n_steps must be >= {least} for rule {self.rule!r}, got {self.n_steps}")
        if not self.tolerance > 0:
            raise InputError(f"tolerance must be > 0, got {self.tolerance}")
        if not least <= self.min_steps <= self.max_steps:
            raise InputError(
                f"need {least} <= min_steps <= max_steps, got {self.min_steps} and {self.max_steps}"
            )

    def attribute(self, model: TextClassifier, batch: WindowBatch, targets: Tensor) -> Attribution:
        mask = batch.attention_mask
        with torch.no_grad():
            x = model.embed(batch.ids)
            x0 = baseline_embeddings(model, batch, self.baseline)
        cap = self.max_batch_tokens
        f_x = forward_outputs(model, x, mask, self.output, cap).gather(1, targets)
        f_x0 = forward_outputs(model, x0, mask, self.output, cap).gather(1, targets)
        gap = f_x - f_x0
        n_windows = x.shape[0]
        if self.n_steps != "auto":
            everyone = torch.arange(n_windows, device=x.device)
            scores = self._integrate(model, x, x0, mask, targets, everyone, int(self.n_steps))
            steps = torch.full((n_windows,), int(self.n_steps))
        else:
            scores, steps = self._integrate_adaptive(model, x, x0, mask, targets, gap)
        return Attribution(scores, delta=scores.sum(-1) - gap, steps=steps)

    def _integrate_adaptive(
        self, model: TextClassifier, x: Tensor, x0: Tensor, mask: Tensor, targets: Tensor, gap: Tensor
    ) -> tuple[Tensor, Tensor]:
        scores = torch.zeros((*targets.shape, x.shape[1]), dtype=torch.float32, device=x.device)
        steps = torch.zeros(x.shape[0], dtype=torch.long)
        todo = torch.arange(x.shape[0], device=x.device)
        n = self.min_steps
        while len(todo):
            part = self._integrate(model, x, x0, mask, targets, todo, n)
            scores[todo] = part
            steps[todo.cpu()] = n
            delta = part.sum(-1) - gap[todo]
            done = (delta.abs() <= self.tolerance * gap[todo].abs() + self.atol).all(1)
            todo = todo[~done]
            if n >= self.max_steps:
                break
            n = min(2 * n, self.max_steps)
        return scores, steps

    def _integrate(
        self,
        model: TextClassifier,
        x: Tensor,
        x0: Tensor,
        mask: Tensor,
        targets: Tensor,
        rows_of: Tensor,
        n: int,
    ) -> Tensor:
        """IG of the windows ``rows_of`` with n steps; (len(rows_of), K, T)."""
        alphas, weights = nodes(self.rule, n)
        a = torch.tensor(alphas, dtype=x.dtype, device=x.device)
        w = torch.tensor(weights, dtype=torch.float32, device=x.device)
        base, diff = x0[rows_of], (x - x0)[rows_of]
        m, t = mask[rows_of], targets[rows_of]
        out = torch.zeros((len(rows_of), t.shape[1], x.shape[1]), device=x.device)
        for sl in row_chunks(len(rows_of) * n, x.shape[1], self.max_batch_tokens):
            r = torch.arange(sl.start, sl.stop, device=x.device)
            win, step = r // n, r % n
            path = base[win] + a[step].view(-1, 1, 1) * diff[win]
            _, grads = outputs_and_gradients(model, path, m[win], t[win], self.output)
            contrib = (grads * diff[win].unsqueeze(1)).sum(-1).float() * w[step].view(-1, 1, 1)
            out.index_add_(0, win, contrib)
        return out
