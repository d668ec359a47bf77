"""Adapter for Hugging Face ``*ForSequenceClassification`` models (BERT, DistilBERT, RoBERTa,
XLM-R, ELECTRA, ...) and text-classification pipelines. transformers is imported lazily."""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from functools import cached_property
from typing import Any

import torch
from torch import Tensor, nn

from wordlight.errors import ModelError
from wordlight.models.decoding import LABELS_FIELD, Head, head_of, log_class_probabilities
from wordlight.models.layers import EncoderLayers
from wordlight.models.protocol import Blocks, Encoding, eval_mode, module_blocks


class HuggingFaceClassifier:
    """A ``*ForSequenceClassification`` model and its (fast) tokenizer as a TextClassifier."""

    def __init__(self, model: Any, tokenizer: Any, max_length: int | None = None) -> None:
        if not hasattr(model, "get_input_embeddings") or not hasattr(model, "config"):
            raise ModelError(
                f"{type(model).__name__} is not a Hugging Face model; wrap a plain PyTorch "
                "module with wordlight.TorchClassifier"
            )
        if tokenizer is None:
            raise ModelError("a tokenizer is needed with a loaded model: load_model(model, tok)")
        if not getattr(tokenizer, "is_fast", False):
            raise ModelError(
                f"{type(tokenizer).__name__} is a slow tokenizer without character offsets; "
                "load the fast one (AutoTokenizer.from_pretrained(..., use_fast=True))"
            )
        self.model = model
        self.tokenizer = tokenizer
        self._embedding: nn.Embedding = model.get_input_embeddings()
        config = model.config
        n_labels = int(getattr(config, "num_labels", 0) or 0)
        id2label = dict(getattr(config, "id2label", None) or {})
        if n_labels < 1:
            raise ModelError(f"{type(model).__name__} has no classification head (num_labels=0)")
        self.labels = tuple(str(id2label.get(i, f"LABEL_{i}")) for i in range(n_labels))
        # An ordinal head emits K - 1 threshold logits; methods see its K decoded classes.
        self.head: Head = head_of(config)
        if self.head == "ordinal":
            self.labels = tuple(str(name) for name in getattr(config, LABELS_FIELD))
        vocab = len(tokenizer)
        if vocab > self._embedding.num_embeddings:
            raise ModelError(
                f"tokenizer/model mismatch: the tokenizer has {vocab} tokens but the model's "
                f"embedding has {self._embedding.num_embeddings} rows; load the tokenizer saved "
                "with this model"
            )
        self.prefix_ids, self.suffix_ids = _special_template(tokenizer)
        pad = tokenizer.pad_token_id
        self.pad_id = int(pad if pad is not None else getattr(config, "pad_token_id", 0) or 0)
        self.mask_id = tokenizer.mask_token_id
        limit = int(getattr(config, "max_position_embeddings", 512) or 512)
        if getattr(config, "model_type", "") in ("roberta", "xlm-roberta", "camembert"):
            limit -= int(getattr(config, "pad_token_id", 1) or 1) + 1  # positions start at pad+1
        tok_limit = getattr(tokenizer, "model_max_length", limit)
        if isinstance(tok_limit, int) and 0 < tok_limit < limit:
            limit = tok_limit
        self.max_length = int(max_length or limit)
        if self.max_length <= len(self.prefix_ids) + len(self.suffix_ids):
            raise ModelError(f"max_length={self.max_length} leaves no room for text tokens")

    @property
    def device(self) -> torch.device:
        return self._embedding.weight.device

    def encode(self, texts: Sequence[str]) -> list[Encoding]:
        with quiet_length_warning():  # long texts are cut into windows later: the warning is false
            batch = self.tokenizer(
                list(texts),
                add_special_tokens=False,
                return_offsets_mapping=True,
                truncation=False,
                verbose=False,
            )
        out = []
        for text, ids, offsets in zip(
            texts, batch["input_ids"], batch["offset_mapping"], strict=True
        ):
            pieces = self.tokenizer.convert_ids_to_tokens(ids)
            out.append(
                Encoding(
                    text, tuple(ids), tuple((int(s), int(e)) for s, e in offsets), tuple(pieces)
                )
            )
        return out

    def embed(self, input_ids: Tensor) -> Tensor:
        return self._embedding(input_ids.to(self.device))

    def logits(self, embeddings: Tensor, attention_mask: Tensor) -> Tensor:
        output = self.model(inputs_embeds=embeddings, attention_mask=attention_mask)
        return self._decoded(output.logits if hasattr(output, "logits") else output[0])

    def _decoded(self, raw: Tensor) -> Tensor:
        """Ordinal heads: log class probabilities (wordlight.models.decoding), so the softmax
        methods take gives the decoded probabilities; other heads: the logits as they are."""
        return log_class_probabilities(raw, self.head) if self.head == "ordinal" else raw

    def evaluating(self) -> AbstractContextManager[None]:
        return eval_mode(self.model)

    # --- the weights (ModuleClassifier), for the sanity checks ---------------------------
    @property
    def module(self) -> nn.Module:
        return self.model

    def shared(self) -> tuple[object, ...]:
        return (self.tokenizer,)

    def blocks(self) -> Blocks:
        """Head (pre-classifier, classifier, pooler), layer n, ..., layer 1, embeddings; the
        model's children from the last when its encoder layers cannot be reached."""
        try:
            enc = self.encoder_layers
        except ModelError:
            return module_blocks(self.model)
        head = [m for n in ("pre_classifier", "classifier") if (m := getattr(self.model, n, None))]
        pooler = getattr(enc.base, "pooler", None)
        if isinstance(pooler, nn.Module):
            head.append(pooler)
        blocks: Blocks = [("head", head)]
        n = enc.n_layers
        blocks += [(f"layer {k}", [enc.layers[k - 1]]) for k in range(n, 0, -1)]
        embeddings = getattr(enc.base, "embeddings", None)
        if isinstance(embeddings, nn.Module):
            blocks.append(("embeddings", [embeddings]))
        return blocks

    # --- layer access (LayeredClassifier), see wordlight.models.layers -------------------
    @cached_property
    def encoder_layers(self) -> EncoderLayers:
        """The model's layer path; a ModelError for a model without reachable encoder layers."""
        return EncoderLayers.of(self.model)

    @property
    def n_layers(self) -> int:
        return self.encoder_layers.n_layers

    def check_layer(self, layer: int) -> int:
        return self.encoder_layers.check_layer(layer)

    def embedding_output(self, input_ids: Tensor) -> Tensor:
        return self.encoder_layers.embedding_output(input_ids.to(self.device))

    def embedding_output_from_words(self, word_embeddings: Tensor) -> Tensor:
        return self.encoder_layers.embedding_output_from_words(word_embeddings)

    def hidden_state(
        self, hidden: Tensor, attention_mask: Tensor, layer: int, *, from_layer: int = 0
    ) -> Tensor:
        return self.encoder_layers.hidden_state(
            hidden, attention_mask, layer, from_layer=from_layer
        )

    def logits_from_hidden(self, last_hidden: Tensor, attention_mask: Tensor) -> Tensor:
        return self._decoded(self.encoder_layers.logits(last_hidden, attention_mask))


LENGTH_WARNING = (
    "Token indices sequence length is longer than the specified maximum sequence length"
)
_TOKENIZER_LOGGERS = (
    "transformers.tokenization_utils_base",
    "transformers.tokenization_utils_fast",
)


class _DropLengthWarning(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return not record.getMessage().startswith(LENGTH_WARNING)


@contextmanager
def quiet_length_warning() -> Iterator[None]:
    """Drop transformers' "Token indices sequence length is longer than the specified maximum
    sequence length ... will result in indexing errors" while inside: wordlight windows long texts,
    so for it the warning is false. ``verbose=False`` silences it in the transformers used here;
    the filter keeps it silent in versions that warn anyway. Every other log line passes."""
    loggers = [logging.getLogger(name) for name in _TOKENIZER_LOGGERS]
    drop = _DropLengthWarning()
    for logger in loggers:
        logger.addFilter(drop)
    try:
        yield
    finally:
        for logger in loggers:
            logger.removeFilter(drop)


def _special_template(tokenizer: Any) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """The special token ids the tokenizer puts before and after a single text."""
    probe = "a"
    bare = tokenizer(probe, add_special_tokens=False)["input_ids"]
    full = tokenizer(probe, add_special_tokens=True)["input_ids"]
    for start in range(len(full) - len(bare) + 1):
        if list(full[start : start + len(bare)]) == list(bare):
            return tuple(full[:start]), tuple(full[start + len(bare) :])
    raise ModelError(
        f"cannot find where {type(tokenizer).__name__} puts the text between its special tokens"
    )
