"""What an attribution method may ask of a model: the TextClassifier protocol.

Methods never call a model's own forward with token ids; they go through ``embed`` and
``logits`` so that inputs can be interpolated or perturbed in embedding space without touching
(or mutating) the user's model.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

import torch
from torch import Tensor, nn

from wordlight.models.decoding import Head


@dataclass(frozen=True)
class Encoding:
    """A text cut into content tokens (no special tokens), each with its character span."""

    text: str
    ids: tuple[int, ...]
    offsets: tuple[tuple[int, int], ...]
    token_texts: tuple[str, ...]


@runtime_checkable
class TextClassifier(Protocol):
    """A classifier over texts that exposes its input embeddings."""

    labels: tuple[str, ...]
    pad_id: int
    mask_id: int | None
    prefix_ids: tuple[int, ...]  # special tokens the model expects before the content
    suffix_ids: tuple[int, ...]  # ... and after it
    max_length: int  # most tokens one forward pass takes, special tokens included
    # what the outputs mean (wordlight.models.decoding): "classification" (softmax over the
    # labels), "multi_label" (a sigmoid per label), "regression" (one raw value) or "ordinal"
    # (the adapter hands methods the log class probabilities)
    head: Head

    @property
    def device(self) -> torch.device: ...

    def encode(self, texts: Sequence[str]) -> list[Encoding]:
        """Content tokens of each text, never truncated."""
        ...

    def embed(self, input_ids: Tensor) -> Tensor:
        """Word embeddings (batch, tokens, dim) of token ids (batch, tokens)."""
        ...

    def logits(self, embeddings: Tensor, attention_mask: Tensor) -> Tensor:
        """Class logits (batch, classes) from word embeddings and a 0/1 attention mask."""
        ...

    def evaluating(self) -> AbstractContextManager[None]:
        """A context in which the model is in eval mode; the user's mode is restored after."""
        ...


@runtime_checkable
class LayeredClassifier(TextClassifier, Protocol):
    """A TextClassifier whose encoder layers can be reached one by one (Hugging Face encoders).

    Hidden state 0 is the embedding block's output; hidden state k the output of layer k, as
    ``output_hidden_states=True`` reports it. See ``wordlight.models.layers``.
    """

    @property
    def n_layers(self) -> int:
        """Number of encoder layers; a ModelError if the model has none wordlight can reach."""
        ...

    def check_layer(self, layer: int) -> int:
        """``layer`` as an index in 1..n_layers (-1 = last), or an InputError listing them."""
        ...

    def embedding_output(self, input_ids: Tensor) -> Tensor:
        """Hidden state 0 (batch, tokens, hidden) of token ids (batch, tokens)."""
        ...

    def embedding_output_from_words(self, word_embeddings: Tensor) -> Tensor:
        """Hidden state 0 from word embeddings (batch, tokens, dim), as ``inputs_embeds`` does."""
        ...

    def hidden_state(
        self, hidden: Tensor, attention_mask: Tensor, layer: int, *, from_layer: int = 0
    ) -> Tensor:
        """Hidden state ``layer`` computed from hidden state ``from_layer``."""
        ...

    def logits_from_hidden(self, last_hidden: Tensor, attention_mask: Tensor) -> Tensor:
        """Class logits from the last layer's hidden state (the classification head)."""
        ...


Blocks = list[tuple[str, list[nn.Module]]]


@runtime_checkable
class ModuleClassifier(TextClassifier, Protocol):
    """A TextClassifier whose weights live in a torch module (both built-in adapters): what
    the sanity checks need to copy a model and re-initialise it block by block."""

    @property
    def module(self) -> nn.Module | None:
        """The torch module that holds the weights; None when the adapter was given none."""
        ...

    def blocks(self) -> Blocks:
        """Named groups of submodules from the output down to the input (head, top layer, ...,
        embeddings); a ModelError when there is no module to take apart."""
        ...

    def shared(self) -> tuple[object, ...]:
        """Objects a copy of the model shares instead of copying (the tokenizer)."""
        ...


def module_blocks(module: nn.Module) -> Blocks:
    """A module's direct children from the last to the first, one block each (the whole
    module as one block when it has no children)."""
    children = list(module.named_children())
    if not children:
        return [("module", [module])]
    return [(name, [child]) for name, child in reversed(children)]


@contextmanager
def eval_mode(module: nn.Module) -> Iterator[None]:
    """Put every submodule in eval mode and restore each one's own flag afterwards."""
    flags = [(m, m.training) for m in module.modules()]
    module.eval()
    try:
        yield
    finally:
        for m, flag in flags:
            m.training = flag
