"""The model a run trains: the small transformer from scratch, or a local pretrained encoder
(fully fine-tuned, or with LoRA adapters); the head sized for the loss; saving in HF format."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from wordlight.errors import ModelError
from wordlight.models.base_loading import load_base, quiet_transformers
from wordlight.models.decoding import HEAD_FIELD, LABELS_FIELD
from wordlight.training.config import SMALL, TrainConfig
from wordlight.training.losses import HEAD_OF_LOSS


def head_names(head: str, label_names: Sequence[str]) -> list[str]:
    """Names of the head's outputs: the classes, the thresholds ``>= class`` or ``score``."""
    if head == "classification":
        return list(label_names)
    if head == "ordinal":
        return [f">= {name}" for name in label_names[1:]]
    return ["score"]


def build_model(
    config: TrainConfig,
    texts: Sequence[str],
    label_names: Sequence[str],
    vocab: dict[str, int] | None = None,
) -> tuple[Any, Any]:
    """``(model, tokenizer)`` for ``config``; the small transformer's WordPiece vocabulary is
    learned from ``texts`` unless ``vocab`` (a resumed run's) is given. Uses torch's global RNG
    for the fresh weights, so seed it first."""
    head = HEAD_OF_LOSS[config.loss]
    if head != "regression" and len(label_names) < 2:
        raise ModelError(f"a classifier needs at least two classes, got {list(label_names)}")
    names = head_names(head, label_names)
    if config.model == SMALL:
        from wordlight.training.small_transformer import (
            build_small_model,
            train_wordpiece,
            wordpiece_tokenizer,
        )

        if vocab is not None:
            tokenizer = wordpiece_tokenizer(vocab)
        else:
            tokenizer = train_wordpiece(texts, config.vocab_size)
        model = build_small_model(config, tokenizer, len(names), dict(enumerate(names)))
    else:
        model, tokenizer = load_base(config.model, names)
    model.config.update({HEAD_FIELD: head, LABELS_FIELD: list(label_names)})
    if head == "regression":
        model.config.problem_type = "regression"
    if config.lora_rank:
        model = _with_lora(model, config)
    elif config.freeze_modules:
        _freeze(model, config.freeze_modules)
    return model, tokenizer


def _freeze(model: Any, names: Sequence[str]) -> None:
    """Stop training the encoder's submodules ``names`` (e.g. ``embeddings``)."""
    encoder = model.base_model
    for name in names:
        try:
            module = encoder.get_submodule(name)
        except AttributeError:
            children = ", ".join(n for n, _ in encoder.named_children())
            raise ModelError(
                f"cannot freeze {name!r}: the encoder has no such module (it has {children})"
            ) from None
        module.requires_grad_(False)


def save_model(model: Any, tokenizer: Any, out_dir: str | Path) -> Path:
    """Save a trained model in Hugging Face format (safetensors), LoRA merged into the weights,
    so ``wordlight.load_model(out_dir)`` loads and explains it."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    plain = model
    if hasattr(model, "merge_and_unload"):  # a peft model: merge a copy, keep the caller's
        import copy

        plain = copy.deepcopy(model).merge_and_unload()
    with quiet_transformers():  # no "Writing model shards" bar
        plain.save_pretrained(out, safe_serialization=True)
        tokenizer.save_pretrained(out)
    return out


def _with_lora(model: Any, config: TrainConfig) -> Any:
    try:
        from peft import LoraConfig, TaskType, get_peft_model
    except ImportError:
        raise ModelError("LoRA needs peft: pip install 'wordlight[default-model]'") from None
    lora = LoraConfig(
        task_type=TaskType.SEQ_CLS,
        r=config.lora_rank,
        lora_alpha=config.lora_alpha,
        lora_dropout=config.lora_dropout,
        target_modules=list(config.target_modules),
        modules_to_save=list(config.head_modules),
    )
    with quiet_transformers():
        return get_peft_model(model, lora)
