"""Integrated Gradients (Sundararajan et al., 2017) on the input word embeddings.

score_i = sum_j w_j * grad f(x' + a_j (x - x'))_i . (x - x')_i, for a quadrature rule (a_j, w_j)
on [0, 1]. Completeness: sum_i score_i = f(x) - f(x') up to the quadrature error, reported per
text as the completeness delta. ``n_steps="auto"`` refines, per window, until every token's
estimated error is <= tolerance * max(|f(x) - f(x')|, max_i |score_i|) and |delta| <= tolerance *
|f(x) - f(x')| (``auto_criterion="token"``, the default; ``"sum"``: the delta test alone): by
default with locally adaptive Simpson panels (points go where the panels' errors are; every
gradient is kept), or by doubling a grid (``rule=``; nested Clenshaw-Curtis or trapezoid grids
reuse every gradient of the coarser grid), the token error then being the change of each score
from the coarser grid. The estimate is reported as ``Explanation.max_token_error``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar, Literal

import torch
from torch import Tensor

from wordlight.checks import bounded, check_choice, check_range
from wordlight.engine.passes import forward_outputs, outputs_and_gradients, width_chunks
from wordlight.engine.windows import WindowBatch
from wordlight.errors import InputError
from wordlight.methods._adaptive_quadrature import Criterion, integrate_adaptive
from wordlight.methods._baselines import Baseline, baseline_embeddings
from wordlight.methods._quadrature import ADAPTIVE, NESTED, RULES, Adaptive, Rule, nodes, refine
from wordlight.methods.base import Attribution, Explainer
from wordlight.models.protocol import TextClassifier


@dataclass(frozen=True, kw_only=True)
class IntegratedGradients(Explainer):
    name: ClassVar[str] = "integrated_gradients"
    summary: ClassVar[str] = "path integral of gradients from a baseline text; sums to f(x)-f(x')"

    # an int, or "auto" (adaptive, per text); nested rules need 2 or more
    n_steps: int | Literal["auto"] = bounded(50, low=1, integer=True)
    rule: Rule | Adaptive | None = (
        None  # None: gausslegendre for a fixed n_steps, adaptive for "auto"
    )
    baseline: Baseline = "pad"
    # "auto": |delta| <= tolerance * |f(x) - f(x')| ...
    tolerance: float = bounded(0.01, low=0, low_open=True)
    # ... or <= atol when that is larger: a zero gap does not ask the impossible
    atol: float = bounded(1e-6, low=0)
    # "auto" stops when "token": every token's estimated error <= tolerance * max(|f(x) - f(x')|,
    # max_i |score_i|) and |delta| <= tolerance * |f(x) - f(x')|; "sum": the delta test alone
    auto_criterion: Criterion = "token"
    min_steps: int = bounded(5, low=1, integer=True)  # "auto": points of the first grid
    max_steps: int = bounded(513, low=1, integer=True)  # "auto": the most points of one text

    def __post_init__(self) -> None:
        if self.rule is not None:  # before n_steps: its least value depends on the rule
            check_choice("rule", self.rule, (*RULES, ADAPTIVE))
        least = 2 if self.resolved_rule in (*NESTED, ADAPTIVE) else 1
        if self.n_steps != "auto":
            check_range(
                "n_steps", self.n_steps, low=least, integer=True, also=("auto",),
                context=f"for rule {self.resolved_rule!r}",
            )  # fmt: skip
        super().__post_init__()  # the declared choices and ranges of every field
        if self.rule == ADAPTIVE and self.n_steps != "auto":
            raise InputError(
                f"rule {ADAPTIVE!r} chooses its own points: use it with n_steps='auto'"
            )
        if not least <= self.min_steps <= self.max_steps:
            raise InputError(
                f"need {least} <= min_steps <= max_steps, got {self.min_steps} and {self.max_steps}"
            )

    @property
    def resolved_rule(self) -> str:
        if self.rule is not None:
            return self.rule
        return ADAPTIVE if self.n_steps == "auto" else "gausslegendre"

    def params(self) -> dict[str, object]:
        return {**super().params(), "rule": self.resolved_rule}

    def attribute(self, model: TextClassifier, batch: WindowBatch, targets: Tensor) -> Attribution:
        mask = batch.attention_mask
        with torch.no_grad():
            x = model.embed(batch.ids)
            x0 = baseline_embeddings(model, batch, self.baseline)
        if self.resolved_rule == ADAPTIVE:  # f(x) and f(x') come from its own end points
            scores, steps, gap, worst = self._integrate_panels(model, x, x0, mask, targets)
            return Attribution(scores, delta=scores.sum(-1) - gap, steps=steps, token_error=worst)
        cap = self.row_budget(model)
        f_x = forward_outputs(model, x, mask, self.output, cap).gather(1, targets)
        f_x0 = forward_outputs(model, x0, mask, self.output, cap).gather(1, targets)
        gap = f_x - f_x0
        error: Tensor | None = None
        if self.n_steps != "auto":
            everyone = torch.arange(x.shape[0], device=x.device)
            scores = self._integrate(model, x, x0, mask, targets, everyone, int(self.n_steps))
            steps = torch.full((x.shape[0],), int(self.n_steps))
        else:
            scores, steps, error = self._integrate_adaptive(model, x, x0, mask, targets, gap)
        return Attribution(scores, delta=scores.sum(-1) - gap, steps=steps, token_error=error)

    def _integrate_adaptive(
        self,
        model: TextClassifier,
        x: Tensor,
        x0: Tensor,
        mask: Tensor,
        targets: Tensor,
        gap: Tensor,
    ) -> tuple[Tensor, Tensor, Tensor]:
        """Refine each window until it meets ``auto_criterion``; the token error is the largest
        change of one score from the coarser grid (inf after the first grid). With a nested rule
        the gradients of the coarser grid are kept and only the new points are evaluated."""
        rule = self.resolved_rule
        nested = rule in NESTED
        scores = torch.zeros((*targets.shape, x.shape[1]), dtype=torch.float32, device=x.device)
        steps = torch.zeros(x.shape[0], dtype=torch.long)
        errors = torch.full(targets.shape, float("inf"), device=x.device)
        previous: Tensor | None = None
        todo = torch.arange(x.shape[0], device=x.device)
        n = self.min_steps
        alphas, _ = nodes(rule, n)
        parts, _ = self._contributions(model, x, x0, mask, targets, todo, alphas)
        while True:
            weights = torch.tensor(nodes(rule, n)[1], dtype=torch.float32, device=x.device)
            estimate = torch.einsum("n,bnkt->bkt", weights, parts)
            scores[todo], steps[todo.cpu()] = estimate, n
            delta = estimate.sum(-1) - gap[todo]
            done = (delta.abs() <= (self.tolerance * gap[todo].abs()).clamp(min=self.atol)).all(1)
            if previous is not None:
                errors[todo] = (estimate - previous).abs().amax(-1)
            if self.auto_criterion == "token":
                scale = torch.maximum(gap[todo].abs(), estimate.abs().amax(-1))
                done &= (errors[todo] <= (self.tolerance * scale).clamp(min=self.atol)).all(1)
            todo, parts, previous = todo[~done], parts[~done], estimate[~done]
            if not len(todo) or n >= self.max_steps:
                return scores, steps, errors
            n = min(refine(rule, n), self.max_steps)
            alphas, _ = nodes(rule, n)
            if nested and n == refine(rule, int(parts.shape[1])):
                fresh, _ = self._contributions(model, x, x0, mask, targets, todo, alphas[1::2])
                merged = parts.new_empty((len(todo), n, *parts.shape[2:]))
                merged[:, 0::2], merged[:, 1::2] = parts, fresh
                parts = merged
            else:
                parts, _ = self._contributions(model, x, x0, mask, targets, todo, alphas)

    def _integrate_panels(
        self, model: TextClassifier, x: Tensor, x0: Tensor, mask: Tensor, targets: Tensor
    ) -> tuple[Tensor, Tensor, Tensor, Tensor]:
        """Locally adaptive Simpson panels (``integrate_adaptive``): scores, steps,
        f(x) - f(x') from the end points a = 1, 0 and the largest token error estimate."""

        def evaluate(rows: list[int], alphas: Tensor) -> tuple[Tensor, Tensor]:
            which = torch.tensor(rows, device=x.device)
            return self._contributions(model, x, x0, mask, targets, which, alphas.to(x.device))

        scores, steps, gap, error = integrate_adaptive(
            evaluate, x.shape[0], tolerance=self.tolerance, atol=self.atol,
            min_points=self.min_steps, max_points=self.max_steps, criterion=self.auto_criterion,
        )  # fmt: skip
        return scores.float(), steps, gap, error.float()

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
        """IG of the windows ``rows_of`` with an n-point rule; (len(rows_of), K, T)."""
        alphas, weights = nodes(self.resolved_rule, n)
        parts, _ = self._contributions(model, x, x0, mask, targets, rows_of, alphas)
        w = torch.tensor(weights, dtype=torch.float32, device=x.device)
        return torch.einsum("n,bnkt->bkt", w, parts)

    def _contributions(
        self,
        model: TextClassifier,
        x: Tensor,
        x0: Tensor,
        mask: Tensor,
        targets: Tensor,
        rows_of: Tensor,
        alphas: tuple[float, ...] | Tensor,
    ) -> tuple[Tensor, Tensor]:
        """grad f(x' + a (x - x')) . (x - x') per token, for each window and point a:
        (len(rows_of), n, K, T), and f at those points (len(rows_of), n, K). ``alphas``: n
        points for every window, or (len(rows_of), n) points of each window. Rows go through
        the model in capped chunks."""
        a = torch.as_tensor(alphas, dtype=x.dtype, device=x.device)
        a = a.expand(len(rows_of), -1) if a.dim() == 1 else a
        n = a.shape[1]
        base, diff = x0[rows_of], (x - x0)[rows_of]
        m, t = mask[rows_of], targets[rows_of]
        out = torch.zeros((len(rows_of), n, t.shape[1], x.shape[1]), device=x.device)
        f = torch.zeros((len(rows_of), n, t.shape[1]), device=x.device)
        widths = m.sum(1).repeat_interleave(n).tolist()  # rows are window-major
        for sl, width in width_chunks(widths, self.row_budget(model)):
            r = torch.arange(sl.start, sl.stop, device=x.device)
            win, step = r // n, r % n
            d = diff[win, :width]
            path = base[win, :width] + a[win, step].view(-1, 1, 1) * d
            values, grads = outputs_and_gradients(model, path, m[win, :width], t[win], self.output)
            out[win, step, :, :width] = (grads * d.unsqueeze(1)).sum(-1).float()
            f[win, step] = values.float()
        return out, f
