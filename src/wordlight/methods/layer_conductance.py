"""Layer Conductance (Dhamdhere et al., 2018) at every layer of an encoder, from one path.

The input word embeddings move from the baseline text's x' to the text's x (through
``inputs_embeds``: position and token-type embeddings are added once, by the model). Along the
path a_0 < ... < a_n (the rule's n_steps + 1 points), the conductance of layer l at position i is

    score_{l,i} = sum_d sum_{j<n} dF/dh_{l,i,d}(x_j) * (h_{l,i,d}(x_{j+1}) - h_{l,i,d}(x_j))

the flow of the output through that unit of layer l, exactly as Captum's ``LayerConductance``
computes it (its step differences, not the rule's weights). Because the *inputs* are interpolated,
one forward and one backward pass per path point give every layer's activations and gradients:
all L + 1 layers cost one Integrated Gradients run.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import torch
from torch import Tensor

from wordlight.checks import bounded
from wordlight.engine.passes import class_outputs, model_head, width_chunks
from wordlight.engine.windows import WindowBatch
from wordlight.methods._baselines import baseline_ids
from wordlight.methods._layer_base import LayerAttribution, LayerPathMethod
from wordlight.methods._quadrature import nodes
from wordlight.models.protocol import LayeredClassifier


@dataclass(frozen=True, kw_only=True)
class LayerConductance(LayerPathMethod):
    name: ClassVar[str] = "layer_conductance"
    summary: ClassVar[str] = "conductance of each layer along the input path (Captum's)"

    n_steps: int = bounded(50, low=1, integer=True)  # the path's intervals (n_steps + 1 points)

    def attribute_layers(
        self, model: LayeredClassifier, batch: WindowBatch, targets: Tensor, rows: tuple[int, ...]
    ) -> LayerAttribution:
        mask = batch.attention_mask
        with torch.no_grad():
            x = model.embed(batch.ids)
            x0 = model.embed(baseline_ids(model, batch, self.baseline))
        alphas = sorted(nodes(self.rule, int(self.n_steps) + 1)[0])
        k = len(alphas)
        a = torch.tensor(alphas, dtype=x.dtype, device=x.device)
        dims = torch.zeros((*x.shape[:2], len(rows), model_hidden(model, x[:1, :1])))
        dims = dims.to(x.device).permute(0, 2, 1, 3).contiguous()  # (B, R, T, D)
        # whole texts per chunk: the differences need consecutive points of one path
        budget = max(1, self.row_budget(model) // k)
        for sl, width in width_chunks(mask.sum(1).tolist(), budget):
            n_text = sl.stop - sl.start
            text = torch.arange(sl.start, sl.stop, device=x.device).repeat_interleave(k)
            step = torch.arange(k, device=x.device).repeat(n_text)
            m = mask[text, :width]
            path = x0[text, :width] + a[step].view(-1, 1, 1) * (x - x0)[text, :width]
            with torch.enable_grad():
                states = [model.embedding_output_from_words(path)]
                for layer in range(1, model.n_layers + 1):
                    states.append(model.hidden_state(states[-1], m, layer, from_layer=layer - 1))
                logits = model.logits_from_hidden(states[-1], m)
                out = class_outputs(logits, self.output, model_head(model))
                value = out.gather(1, targets[text][:, None]).sum()
                grads = torch.autograd.grad(value, [states[layer] for layer in rows])
            for r, (layer, grad) in enumerate(zip(rows, grads, strict=True)):
                h = states[layer].detach().view(n_text, k, width, -1)
                g = grad.view(n_text, k, width, -1)
                flow = (g[:, :-1] * (h[:, 1:] - h[:, :-1])).sum(1)
                dims[sl, r, :width] = flow * mask[sl, :width, None].to(flow.dtype)
        steps = torch.full(dims.shape[:2], int(self.n_steps))
        return LayerAttribution(dims.sum(-1), dims=dims, steps=steps)


def model_hidden(model: LayeredClassifier, one_token: Tensor) -> int:
    """The hidden size of the encoder (ELECTRA's differs from its embedding size)."""
    with torch.no_grad():
        return int(model.embedding_output_from_words(one_token).shape[-1])
