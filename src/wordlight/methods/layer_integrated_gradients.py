"""Layer Integrated Gradients at every layer of an encoder in one call.

For layer l (0 = the embedding block's output, k = encoder layer k) with activations h_l(x) on the
text and h_l(x') on the baseline text (every text token replaced by [PAD] or [MASK]):

    score_{l,i} = sum_d sum_j w_j dF/dh_{l,i,d}(h_l(x') + a_j Δ_l) Δ_{l,i,d}, Δ_l = h_l(x) - h_l(x')

F = layers l+1..L then the classification head. Completeness per layer:
sum_i score_{l,i} = f(x) - f(x') up to the quadrature error (reported per layer as a delta).
This is Captum's ``LayerIntegratedGradients`` on the embeddings block (l = 0) or on encoder layer l.

Shared work: one pass over x and one over x' cache every layer's activations; layer l's
integration then runs only the layers after l. Per step, the forward work over all L + 1 layers
drops from L + 1 full passes (one Captum run per layer) to about (L + 1)/2; the backward passes
are the same as Captum's (they stop at layer l either way). With a backward costing about one
forward (measured on a CPU) that predicts ~0.67x of L + 1 Captum runs at the same n_steps;
benchmarks/layer_ig.py measures it.

``n_steps="auto"``: every layer of every text is refined on its own, with the adaptive Simpson
panels of Integrated Gradients (``_adaptive_quadrature``), until every position's estimated error
at that layer is within ``tolerance`` of max(|f(x) - f(x')|, max_i |score_i|) and the layer's delta
within ``tolerance`` of f(x) - f(x') (``auto_criterion="token"``; ``"sum"``: the delta alone).
``n_steps`` and ``max_token_error`` in the result: the points each layer took, and its estimate.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import ClassVar, Literal

import torch
from torch import Tensor

from wordlight.checks import bounded
from wordlight.engine.passes import class_outputs, model_head, width_chunks
from wordlight.engine.windows import WindowBatch
from wordlight.errors import InputError
from wordlight.methods._adaptive_quadrature import Criterion, integrate_adaptive
from wordlight.methods._baselines import baseline_ids
from wordlight.methods._layer_base import LayerAttribution, LayerPathMethod
from wordlight.methods._quadrature import ADAPTIVE, nodes
from wordlight.models.protocol import LayeredClassifier


@dataclass(frozen=True, kw_only=True)
class LayerIntegratedGradients(LayerPathMethod):
    name: ClassVar[str] = "layer_integrated_gradients"
    summary: ClassVar[str] = "IG of each layer's activations, baseline text -> text; every layer"

    MIN_STEPS: ClassVar[int] = 2
    AUTO_STEPS: ClassVar[bool] = True

    n_steps: int | Literal["auto"] = bounded(50, low=2, integer=True)  # "auto": per layer
    # "auto": |delta| <= max(tolerance * |f(x) - f(x')|, atol) per layer
    tolerance: float = bounded(0.01, low=0, low_open=True)
    atol: float = bounded(1e-6, low=0)
    # "token": every position's estimated error and the delta; "sum": the delta only
    auto_criterion: Criterion = "token"
    min_steps: int = bounded(5, low=2, integer=True)  # "auto": points of the first grid
    max_steps: int = bounded(513, low=2, integer=True)  # "auto": the most points of one layer

    def __post_init__(self) -> None:
        super().__post_init__()
        if not 2 <= self.min_steps <= self.max_steps:
            raise InputError(
                f"need 2 <= min_steps <= max_steps, got {self.min_steps} and {self.max_steps}"
            )

    def params(self) -> dict[str, object]:
        out = super().params()
        if self.n_steps == "auto":
            out["rule"] = ADAPTIVE
        return out

    def attribute_layers(
        self, model: LayeredClassifier, batch: WindowBatch, targets: Tensor, rows: tuple[int, ...]
    ) -> LayerAttribution:
        mask = batch.attention_mask
        n = model.n_layers
        with torch.no_grad():
            hx = all_hidden_states(model, batch.ids, mask)
            hb = all_hidden_states(model, baseline_ids(model, batch, self.baseline), mask)
            f_x = self._f(model, hx[n], mask, targets)
            f_b = self._f(model, hb[n], mask, targets)
        real = mask.unsqueeze(-1).to(hx[0].dtype)
        gap = f_x - f_b
        paths = [_Path(model, hb[k], (hx[k] - hb[k]) * real, mask, targets, k) for k in rows]
        error = None
        if self.n_steps == "auto":
            parts = [self._integrate_auto(path, gap) for path in paths]
            dims = torch.stack([d for d, _, _ in parts], dim=1)  # (B, R, T, D)
            steps = torch.stack([n for _, n, _ in parts], dim=1)  # (B, R)
            error = torch.stack([e for _, _, e in parts], dim=1)  # (B, R)
        else:
            dims = torch.stack([self._integrate(path) for path in paths], dim=1)
            steps = torch.full((len(targets), len(rows)), int(self.n_steps))
        scores = dims.sum(-1)
        return LayerAttribution(
            scores, dims=dims, delta=scores.sum(-1) - gap[:, None], gap=gap, steps=steps,
            token_error=error,
        )  # fmt: skip

    def _f(self, model: LayeredClassifier, last: Tensor, mask: Tensor, targets: Tensor) -> Tensor:
        logits = model.logits_from_hidden(last, mask)
        head = model_head(model)
        return class_outputs(logits, self.output, head).gather(1, targets[:, None])[:, 0].float()

    def _integrate(self, path: _Path) -> Tensor:
        """(B, T, D): sum_j w_j grad F(base + a_j diff) * diff, rows (text, step) in chunks."""
        base = path.base
        alphas, weights = nodes(self.rule, int(self.n_steps))
        a = torch.tensor(alphas, dtype=base.dtype, device=base.device).expand(len(base), -1)
        w = torch.tensor(weights, dtype=base.dtype, device=base.device)
        out = torch.zeros_like(base)
        everyone = torch.arange(len(base), device=base.device)
        for text, step, _, part in self._points(path, everyone, a):
            out[:, : part.shape[1]].index_add_(0, text, w[step].view(-1, 1, 1) * part)
        return out

    def _integrate_auto(self, path: _Path, gap: Tensor) -> tuple[Tensor, Tensor, Tensor]:
        """(B, T, D), the points used (B,) and the largest token error estimate (B,), each
        text refined until it meets ``auto_criterion`` at this layer."""
        base = path.base

        def evaluate(rows: list[int], alphas: Tensor) -> tuple[Tensor, Tensor]:
            which = torch.tensor(rows, device=base.device)
            a = alphas.to(device=base.device, dtype=base.dtype)
            values = base.new_zeros((len(rows), a.shape[1], 1, *base.shape[1:]))
            f = base.new_zeros((len(rows), a.shape[1], 1))
            for i, step, value, part in self._points(path, which, a):
                values[i, step, 0, : part.shape[1]] = part
                f[i, step, 0] = value
            return values, f

        dims, steps, _, error = integrate_adaptive(
            evaluate, len(base), tolerance=self.tolerance, atol=self.atol,
            min_points=self.min_steps, max_points=self.max_steps, gap=gap[:, None],
            criterion=self.auto_criterion,
        )  # fmt: skip
        return dims[:, 0], steps, error[:, 0].float()

    def _points(
        self, path: _Path, which: Tensor, alphas: Tensor
    ) -> Iterator[tuple[Tensor, Tensor, Tensor, Tensor]]:
        """For the texts ``which`` at their points ``alphas`` (len(which), n), in row chunks:
        (index into ``which``, point index, F, grad F * diff (rows, width, D))."""
        model, base, diff, mask = path.model, path.base, path.diff, path.mask
        n = alphas.shape[1]
        widths = mask[which].sum(1).repeat_interleave(n).tolist()  # rows are text-major
        for sl, width in width_chunks(widths, self.row_budget(model)):
            r = torch.arange(sl.start, sl.stop, device=base.device)
            i, step = r // n, r % n
            text = which[i]
            d = diff[text, :width]
            m = mask[text, :width]
            with torch.enable_grad():
                x = (base[text, :width] + alphas[i, step].view(-1, 1, 1) * d).requires_grad_(True)
                h = model.hidden_state(x, m, model.n_layers, from_layer=path.layer)
                value = self._f(model, h, m, path.targets[text])
                (grad,) = torch.autograd.grad(value.sum(), x)
            yield i, step, value.detach(), (grad * d).to(base.dtype)


@dataclass(frozen=True)
class _Path:
    """Layer ``layer``'s straight path for a batch: from ``base`` (the baseline text's
    activations) along ``diff`` (text minus baseline, 0 on padding), towards ``targets``."""

    model: LayeredClassifier
    base: Tensor  # (B, T, D)
    diff: Tensor  # (B, T, D)
    mask: Tensor  # (B, T)
    targets: Tensor  # (B,)
    layer: int


def all_hidden_states(model: LayeredClassifier, ids: Tensor, mask: Tensor) -> list[Tensor]:
    """Hidden states 0..L of ``ids``, each layer run once."""
    states = [model.embedding_output(ids)]
    for layer in range(1, model.n_layers + 1):
        states.append(model.hidden_state(states[-1], mask, layer, from_layer=layer - 1))
    return states
