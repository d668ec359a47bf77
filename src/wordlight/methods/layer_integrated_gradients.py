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
are the same as Captum's (they stop at layer l either way). With a backward costing about two
forwards that predicts ~0.75x of L + 1 Captum runs; benchmarks/layer_ig.py measures it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import torch
from torch import Tensor

from wordlight.methods._baselines import baseline_ids
from wordlight.methods._engine import class_outputs, width_chunks
from wordlight.methods._layer_base import LayerAttribution, LayerPathMethod
from wordlight.methods._quadrature import nodes
from wordlight.methods._windows import WindowBatch
from wordlight.models.protocol import LayeredClassifier


@dataclass(frozen=True, kw_only=True)
class LayerIntegratedGradients(LayerPathMethod):
    name: ClassVar[str] = "layer_integrated_gradients"
    summary: ClassVar[str] = "IG of each layer's activations, baseline text -> text; every layer"

    MIN_STEPS: ClassVar[int] = 2

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
        dims = torch.stack(
            [self._integrate(model, hb[k], (hx[k] - hb[k]) * real, mask, targets, k) for k in rows],
            dim=1,
        )  # (B, R, T, D)
        scores = dims.sum(-1)
        gap = f_x - f_b
        return LayerAttribution(scores, dims=dims, delta=scores.sum(-1) - gap[:, None], gap=gap)

    def _f(self, model: LayeredClassifier, last: Tensor, mask: Tensor, targets: Tensor) -> Tensor:
        logits = model.logits_from_hidden(last, mask)
        return class_outputs(logits, self.output).gather(1, targets[:, None])[:, 0].float()

    def _integrate(
        self,
        model: LayeredClassifier,
        base: Tensor,
        diff: Tensor,
        mask: Tensor,
        targets: Tensor,
        layer: int,
    ) -> Tensor:
        """(B, T, D): sum_j w_j grad F(base + a_j diff) * diff, rows (text, step) in chunks."""
        alphas, weights = nodes(self.rule, self.n_steps)
        k = len(alphas)
        a = torch.tensor(alphas, dtype=base.dtype, device=base.device)
        w = torch.tensor(weights, dtype=base.dtype, device=base.device)
        out = torch.zeros_like(base)
        widths = mask.sum(1).repeat_interleave(k).tolist()  # rows are text-major
        last = model.n_layers
        for sl, width in width_chunks(widths, self.row_budget(model)):
            r = torch.arange(sl.start, sl.stop, device=base.device)
            text, step = r // k, r % k
            d = diff[text, :width]
            m = mask[text, :width]
            with torch.enable_grad():
                path = (base[text, :width] + a[step].view(-1, 1, 1) * d).requires_grad_(True)
                h = model.hidden_state(path, m, last, from_layer=layer)
                value = self._f(model, h, m, targets[text]).sum()
                (grad,) = torch.autograd.grad(value, path)
            part = w[step].view(-1, 1, 1) * grad * d
            out[:, :width].index_add_(0, text, part.to(out.dtype))
        return out


def all_hidden_states(model: LayeredClassifier, ids: Tensor, mask: Tensor) -> list[Tensor]:
    """Hidden states 0..L of ``ids``, each layer run once."""
    states = [model.embedding_output(ids)]
    for layer in range(1, model.n_layers + 1):
        states.append(model.hidden_state(states[-1], mask, layer, from_layer=layer - 1))
    return states
