"""Adapter for a plain PyTorch classifier: an embedding module, a forward from embeddings and a
tokenizer callable that returns token ids with character offsets."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from contextlib import AbstractContextManager, nullcontext

import torch
from torch import Tensor, nn

from wordlight.errors import ModelError
from wordlight.models.decoding import HEADS, Head
from wordlight.models.protocol import Blocks, Encoding, eval_mode, module_blocks

Tokenize = Callable[[str], tuple[Sequence[int], Sequence[tuple[int, int]]]]


class TorchClassifier:
    """Wrap any ``nn.Module`` classifier for wordlight.

    ``forward(embeddings, attention_mask) -> logits`` must run the model from word embeddings;
    ``embedding`` maps ids to those embeddings; ``tokenize(text) -> (ids, offsets)``.
    ``head`` says what the outputs mean: "classification" (softmax over ``labels``),
    "multi_label" (a sigmoid per label) or "regression" (one raw value, one label). An
    "ordinal" forward must return log class probabilities (wordlight.models.decoding).
    """

    def __init__(
        self,
        *,
        forward: Callable[[Tensor, Tensor], Tensor],
        embedding: nn.Module,
        tokenize: Tokenize,
        labels: Sequence[str],
        pad_id: int = 0,
        mask_id: int | None = None,
        prefix_ids: Sequence[int] = (),
        suffix_ids: Sequence[int] = (),
        max_length: int = 512,
        module: nn.Module | None = None,
        id_to_token: Callable[[int], str] | None = None,
        head: Head = "classification",
    ) -> None:
        if not labels:
            raise ModelError("labels must name at least one class")
        if head not in HEADS:
            raise ModelError(f"unknown head {head!r}; expected one of {', '.join(HEADS)}")
        if head == "regression" and len(labels) != 1:
            raise ModelError(
                f"a regression head has one output; name it with one label, not {len(labels)}"
            )
        self.head: Head = head
        self._forward = forward
        self._embedding = embedding
        self._tokenize = tokenize
        self._module = module
        self._id_to_token = id_to_token
        self.labels = tuple(str(x) for x in labels)
        self.pad_id = int(pad_id)
        self.mask_id = mask_id
        self.prefix_ids = tuple(prefix_ids)
        self.suffix_ids = tuple(suffix_ids)
        self.max_length = int(max_length)

    @property
    def device(self) -> torch.device:
        param = next(self._embedding.parameters(), None)
        return param.device if param is not None else torch.device("cpu")

    def encode(self, texts: Sequence[str]) -> list[Encoding]:
        out = []
        for text in texts:
            ids, offsets = self._tokenize(text)
            spans = tuple((int(s), int(e)) for s, e in offsets)
            names = tuple(
                self._id_to_token(int(i)) if self._id_to_token else text[s:e]
                for i, (s, e) in zip(ids, spans, strict=True)
            )
            out.append(Encoding(text, tuple(int(i) for i in ids), spans, names))
        return out

    def embed(self, input_ids: Tensor) -> Tensor:
        return self._embedding(input_ids.to(self.device))

    def logits(self, embeddings: Tensor, attention_mask: Tensor) -> Tensor:
        return self._forward(embeddings, attention_mask)

    def evaluating(self) -> AbstractContextManager[None]:
        return eval_mode(self._module) if self._module is not None else nullcontext()

    # --- the weights (ModuleClassifier), for the sanity checks ---------------------------
    @property
    def module(self) -> nn.Module | None:
        return self._module

    def shared(self) -> tuple[object, ...]:
        return (self._tokenize,)

    def blocks(self) -> Blocks:
        """The module's children from the last to the first."""
        if self._module is None:
            raise ModelError(
                "TorchClassifier exposes no torch module to randomise; pass module= to "
                "TorchClassifier or use a Hugging Face model"
            )
        return module_blocks(self._module)


class WhitespaceTokenizer:
    """A tiny word-level tokenizer over a fixed vocabulary (for examples and tests)."""

    def __init__(self, vocab: Mapping[str, int], unk_id: int, lowercase: bool = True) -> None:
        self.vocab = dict(vocab)
        self.unk_id = unk_id
        self.lowercase = lowercase
        self.inverse = {i: t for t, i in self.vocab.items()}

    def __call__(self, text: str) -> tuple[list[int], list[tuple[int, int]]]:
        ids, offsets = [], []
        for m in re.finditer(r"\w+|[^\w\s]", text):
            word = m.group().lower() if self.lowercase else m.group()
            ids.append(self.vocab.get(word, self.unk_id))
            offsets.append(m.span())
        return ids, offsets

    def id_to_token(self, i: int) -> str:
        return self.inverse.get(i, "[UNK]")
