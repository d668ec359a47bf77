"""Layer access for Hugging Face encoder classifiers.

Hidden state 0 is the embedding block's output (word + position + token-type embeddings after
LayerNorm; ELECTRA's projection to the hidden size included): what the first encoder layer reads.
Hidden state k is the output of encoder layer k, exactly as ``output_hidden_states=True`` reports
it. ``hidden_state(h, mask, k, from_layer=j)`` runs layers j+1..k only, and ``logits`` applies the
classification head to the last hidden state, so every path (embeddings -> layer k -> head) is the
model's own computation, split where a method needs it.

Nothing is hooked, patched or changed: the model's own submodules are called in order, with the
attention mask built by transformers' own mask builder for the model's attention implementation.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import torch
from torch import Tensor, nn

from wordlight.errors import InputError, ModelError


def _pooler_head(model: Any, h: Tensor) -> Tensor:  # BERT: pooler(tanh) -> dropout -> linear
    return model.classifier(model.dropout(model.base_model.pooler(h)))


def _distilbert_head(model: Any, h: Tensor) -> Tensor:  # [CLS] -> linear -> ReLU -> linear
    pooled = torch.relu(model.pre_classifier(h[:, 0]))
    return model.classifier(model.dropout(pooled))


def _sequence_head(model: Any, h: Tensor) -> Tensor:  # RoBERTa/ELECTRA heads read <s> themselves
    return model.classifier(h)


# model_type -> (attribute path of the encoder's layer list in the base model, classification head)
FAMILIES: dict[str, tuple[str, Callable[[Any, Tensor], Tensor]]] = {
    "bert": ("encoder.layer", _pooler_head),
    "roberta": ("encoder.layer", _sequence_head),
    "xlm-roberta": ("encoder.layer", _sequence_head),
    "camembert": ("encoder.layer", _sequence_head),
    "electra": ("encoder.layer", _sequence_head),
    "distilbert": ("transformer.layer", _distilbert_head),
}


@dataclass(frozen=True)
class EncoderLayers:
    """The layer path of one ``*ForSequenceClassification`` encoder (see the module docstring)."""

    model: nn.Module
    base: nn.Module
    layers: nn.ModuleList
    head: Callable[[Any, Tensor], Tensor]

    @classmethod
    def of(cls, model: nn.Module) -> EncoderLayers:
        """The layer path of ``model``, or a ModelError saying why there is none."""
        model_type = str(getattr(getattr(model, "config", None), "model_type", ""))
        if model_type not in FAMILIES:
            raise ModelError(
                f"{type(model).__name__} ({model_type or 'unknown type'}) has no encoder layers "
                f"wordlight can reach; layer access supports: {', '.join(FAMILIES)}"
            )
        path, head = FAMILIES[model_type]
        base: Any = getattr(model, "base_model", None)
        layers: Any = base
        for name in path.split("."):
            layers = getattr(layers, name, None)
        if base is None or not isinstance(layers, nn.ModuleList) or not len(layers):
            raise ModelError(f"{type(model).__name__} has no encoder layers at .{path}")
        return cls(model, base, layers, head)

    @property
    def n_layers(self) -> int:
        return len(self.layers)

    def check_layer(self, layer: int, *, allow_zero: bool = False) -> int:
        """``layer`` as an index in 1..n_layers (0 too with ``allow_zero``; -1 is the last)."""
        n = self.n_layers
        low = 0 if allow_zero else 1
        if isinstance(layer, bool) or not isinstance(layer, int) or not -n <= layer <= n:
            raise InputError(
                f"layer {layer!r} is out of range: this model has {n} encoder layers; "
                f"choose {low}..{n} (or -1 for the last)"
            )
        index = layer + n + 1 if layer < 0 else layer
        if index < low:
            raise InputError(f"layer {layer} is the embedding output; choose {low}..{n}")
        return index

    def embedding_output(self, input_ids: Tensor) -> Tensor:
        """Hidden state 0 (batch, tokens, hidden) of token ids (batch, tokens)."""
        base: Any = self.base
        out = base.embeddings(input_ids=input_ids)
        project = getattr(base, "embeddings_project", None)  # ELECTRA: embedding -> hidden size
        return project(out) if project is not None else out

    def embedding_output_from_words(self, word_embeddings: Tensor) -> Tensor:
        """Hidden state 0 from word embeddings (what ``inputs_embeds`` feeds the model)."""
        base: Any = self.base
        out = base.embeddings(input_ids=None, inputs_embeds=word_embeddings)
        project = getattr(base, "embeddings_project", None)
        return project(out) if project is not None else out

    def hidden_state(
        self, hidden: Tensor, attention_mask: Tensor, layer: int, *, from_layer: int = 0
    ) -> Tensor:
        """Hidden state ``layer`` from hidden state ``from_layer`` (batch, tokens, hidden)."""
        stop = self.check_layer(layer, allow_zero=True)
        start = self.check_layer(from_layer, allow_zero=True)
        if start > stop:
            raise InputError(f"from_layer {from_layer} comes after layer {layer}")
        mask = self._attention_mask(hidden, attention_mask)
        for module in self.layers[start:stop]:
            out = module(hidden, mask)
            hidden = out[0] if isinstance(out, tuple) else out
        return hidden

    def logits(self, last_hidden: Tensor, attention_mask: Tensor) -> Tensor:
        """Class logits (batch, classes) from the last layer's hidden state."""
        del attention_mask  # the supported heads read the first token only
        return self.head(self.model, last_hidden)

    def _attention_mask(self, hidden: Tensor, attention_mask: Tensor) -> Any:
        from transformers.masking_utils import create_bidirectional_mask

        base: Any = self.base
        return create_bidirectional_mask(
            config=base.config, inputs_embeds=hidden, attention_mask=attention_mask
        )
