"""Fine-tune a local Hugging Face encoder for text classification with LoRA (peft).

``finetune(config, train, validation)`` loads ``AutoModelForSequenceClassification`` from a local
directory, wraps it in LoRA adapters (the classification head is trained fully through peft's
``modules_to_save``), trains with AdamW, a linear schedule with warmup and gradient clipping,
evaluates on the validation set after every epoch and returns the model with the best epoch's
weights. Everything is seeded; nothing is downloaded.
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import torch
from torch import Tensor

from wordlight.data import TextDataset
from wordlight.errors import InputError, ModelError
from wordlight.models.loading import quiet_transformers

# BERT-style names of every linear layer inside the encoder blocks (not the pooler).
BERT_LINEAR_LAYERS = (
    "query",
    "key",
    "value",
    "attention.output.dense",
    "intermediate.dense",
    "output.dense",
)


@dataclass(frozen=True, kw_only=True)
class FinetuneConfig:
    """Hyperparameters of a LoRA fine-tune; ``base_model`` is a local model directory."""

    base_model: str
    lora_rank: int = 16
    lora_alpha: int = 32
    lora_dropout: float = 0.1
    target_modules: tuple[str, ...] = BERT_LINEAR_LAYERS
    head_modules: tuple[str, ...] = ("classifier",)  # trained fully (peft ``modules_to_save``)
    learning_rate: float = 5e-4
    epochs: int = 3
    batch_size: int = 32
    eval_batch_size: int = 128
    max_length: int = 128
    warmup_ratio: float = 0.06
    weight_decay: float = 0.01
    max_grad_norm: float = 1.0
    group_by_length: bool = True  # batches of similar length (less padding), in shuffled order
    seed: int = 13
    device: str | None = None  # None: "cuda" when available, else "cpu"

    def __post_init__(self) -> None:
        positive = ("lora_rank", "epochs", "batch_size", "eval_batch_size", "max_length")
        for name in positive:
            if getattr(self, name) < 1:
                raise InputError(f"{name} must be >= 1, got {getattr(self, name)}")
        if not self.learning_rate > 0:
            raise InputError(f"learning_rate must be > 0, got {self.learning_rate}")
        for name in ("lora_dropout", "warmup_ratio"):
            if not 0 <= getattr(self, name) < 1:
                raise InputError(f"{name} must lie in [0, 1), got {getattr(self, name)}")
        if not self.target_modules:
            raise InputError("target_modules must name at least one layer for LoRA")

    def to_dict(self) -> dict[str, Any]:
        return {k: list(v) if isinstance(v, tuple) else v for k, v in asdict(self).items()}


def finetune(
    config: FinetuneConfig, train: TextDataset, validation: TextDataset, *, progress: bool = True
) -> tuple[Any, Any, dict[str, Any]]:
    """Fine-tune ``config.base_model`` on ``train``; returns ``(peft_model, tokenizer, metrics)``,
    the model in eval mode holding the weights of the epoch with the best validation accuracy."""
    if len(train) == 0 or len(validation) == 0:
        raise InputError("finetune needs a non-empty train and validation set")
    if train.label_names != validation.label_names:
        raise InputError(
            "train and validation label names differ: "
            f"{train.label_names} vs {validation.label_names}"
        )
    try:
        from peft import LoraConfig, TaskType, get_peft_model
        from tqdm.auto import tqdm
        from transformers import get_linear_schedule_with_warmup
    except ImportError as exc:
        raise ModelError(
            f"fine-tuning needs peft ({exc}): pip install 'wordlight[default-model]'"
        ) from None
    torch.manual_seed(config.seed)
    model, tokenizer = load_base(config.base_model, train.label_names)
    lora = LoraConfig(
        task_type=TaskType.SEQ_CLS,
        r=config.lora_rank,
        lora_alpha=config.lora_alpha,
        lora_dropout=config.lora_dropout,
        target_modules=list(config.target_modules),
        modules_to_save=list(config.head_modules),
    )
    device = torch.device(config.device or ("cuda" if torch.cuda.is_available() else "cpu"))
    with quiet_transformers():
        model = get_peft_model(model, lora).to(device)
    train_ids = encode(tokenizer, train.texts, config.max_length)
    labels = torch.tensor(train.labels, dtype=torch.long)
    pad_id = int(tokenizer.pad_token_id or 0)

    trainable = [(n, p) for n, p in model.named_parameters() if p.requires_grad]
    decay = [p for _, p in trainable if p.ndim >= 2]
    no_decay = [p for _, p in trainable if p.ndim < 2]
    optimizer = torch.optim.AdamW(
        [
            {"params": decay, "weight_decay": config.weight_decay},
            {"params": no_decay, "weight_decay": 0.0},
        ],
        lr=config.learning_rate,
    )
    steps_per_epoch = math.ceil(len(train) / config.batch_size)
    total_steps = steps_per_epoch * config.epochs
    scheduler = get_linear_schedule_with_warmup(
        optimizer, round(config.warmup_ratio * total_steps), total_steps
    )
    generator = torch.Generator().manual_seed(config.seed)

    history: list[dict[str, float]] = []
    best_accuracy, best_epoch, best_state = -1.0, 0, {}
    started = time.perf_counter()
    for epoch in range(1, config.epochs + 1):
        epoch_start = time.perf_counter()
        model.train()
        batches = list(_batches(train_ids, config, generator))
        bar = tqdm(
            batches, desc=f"epoch {epoch}/{config.epochs}", disable=not progress, leave=False
        )
        total_loss = 0.0
        for indices in bar:
            input_ids, mask = pad_batch([train_ids[i] for i in indices], pad_id)
            out = model(
                input_ids=input_ids.to(device),
                attention_mask=mask.to(device),
                labels=labels[indices].to(device),
            )
            out.loss.backward()
            torch.nn.utils.clip_grad_norm_([p for _, p in trainable], config.max_grad_norm)
            optimizer.step()
            scheduler.step()
            optimizer.zero_grad(set_to_none=True)
            loss = out.loss.detach().item()
            total_loss += loss * len(indices)
            bar.set_postfix(loss=f"{loss:.3f}")
        val_logits = predict_logits(
            model, tokenizer, validation.texts, config.eval_batch_size, config.max_length
        )
        val_accuracy = float((val_logits.argmax(-1) == np.asarray(validation.labels)).mean())
        record = {
            "epoch": epoch,
            "train_loss": total_loss / len(train),
            "validation_loss": _cross_entropy(val_logits, validation.labels),
            "validation_accuracy": val_accuracy,
            "seconds": round(time.perf_counter() - epoch_start, 1),
        }
        history.append(record)
        if progress:
            print(
                f"epoch {epoch}: train loss {record['train_loss']:.4f}, validation accuracy "
                f"{val_accuracy:.4f} ({record['seconds']:.0f} s)",
                flush=True,
            )
        if val_accuracy > best_accuracy:
            best_accuracy, best_epoch = val_accuracy, epoch
            best_state = {n: p.detach().clone() for n, p in trainable}
    with torch.no_grad():
        for name, param in trainable:
            param.copy_(best_state[name])
    model.eval()
    metrics = {
        "history": history,
        "best_epoch": best_epoch,
        "validation_accuracy": best_accuracy,
        "train_seconds": round(time.perf_counter() - started, 1),
        "trainable_parameters": sum(p.numel() for _, p in trainable),
        "train_size": len(train),
        "validation_size": len(validation),
    }
    return model, tokenizer, metrics


def load_base(path: str, label_names: Sequence[str]) -> tuple[Any, Any]:
    """A sequence classifier with a fresh head (``len(label_names)`` classes) and its tokenizer,
    from a local directory only, with transformers' load report silenced."""
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    id2label = dict(enumerate(label_names))
    try:
        with quiet_transformers():
            tokenizer = AutoTokenizer.from_pretrained(path, local_files_only=True)
            model = AutoModelForSequenceClassification.from_pretrained(
                path,
                num_labels=len(label_names),
                id2label=id2label,
                label2id={name: i for i, name in id2label.items()},
                local_files_only=True,
            )
    except OSError as exc:
        raise ModelError(f"cannot load a model from {path}: {str(exc).splitlines()[0]}") from None
    return model, tokenizer


def encode(tokenizer: Any, texts: Sequence[str], max_length: int) -> list[list[int]]:
    """Token ids with special tokens, truncated to ``max_length``."""
    batch = tokenizer(list(texts), truncation=True, max_length=max_length)
    return [list(ids) for ids in batch["input_ids"]]


def pad_batch(rows: Sequence[Sequence[int]], pad_id: int) -> tuple[Tensor, Tensor]:
    """Right-padded ``input_ids`` and ``attention_mask`` for a list of id lists."""
    width = max(len(r) for r in rows)
    ids = torch.full((len(rows), width), pad_id, dtype=torch.long)
    mask = torch.zeros((len(rows), width), dtype=torch.long)
    for i, row in enumerate(rows):
        ids[i, : len(row)] = torch.tensor(row, dtype=torch.long)
        mask[i, : len(row)] = 1
    return ids, mask


@torch.no_grad()
def predict_logits(
    model: Any, tokenizer: Any, texts: Sequence[str], batch_size: int = 128, max_length: int = 128
) -> np.ndarray:
    """``(len(texts), n_classes)`` logits in eval mode (batches sorted by length, order kept)."""
    was_training = model.training
    model.eval()
    ids = encode(tokenizer, texts, max_length)
    order = np.argsort([len(r) for r in ids], kind="stable")
    pad_id = int(tokenizer.pad_token_id or 0)
    device = next(model.parameters()).device
    out: list[np.ndarray] = []
    for start in range(0, len(order), batch_size):
        input_ids, mask = pad_batch([ids[i] for i in order[start : start + batch_size]], pad_id)
        logits = model(input_ids=input_ids.to(device), attention_mask=mask.to(device)).logits
        out.append(logits.float().cpu().numpy())
    model.train(was_training)
    result = np.empty((len(ids), out[0].shape[1]), dtype=np.float32)
    result[order] = np.concatenate(out)
    return result


def accuracy(model: Any, tokenizer: Any, dataset: TextDataset, max_length: int = 128) -> float:
    """Share of ``dataset`` rows whose arg-max prediction equals the label."""
    logits = predict_logits(model, tokenizer, dataset.texts, max_length=max_length)
    return float((logits.argmax(-1) == np.asarray(dataset.labels)).mean())


def _batches(
    ids: list[list[int]], config: FinetuneConfig, generator: torch.Generator
) -> Iterator[list[int]]:
    """One epoch of shuffled batches; with ``group_by_length`` rows are sorted by length inside
    chunks of 50 batches so each batch pads little, and the batch order is shuffled again."""
    perm = torch.randperm(len(ids), generator=generator).tolist()
    size = config.batch_size
    if not config.group_by_length:
        yield from (perm[i : i + size] for i in range(0, len(perm), size))
        return
    chunk = size * 50
    batches: list[list[int]] = []
    for start in range(0, len(perm), chunk):
        part = sorted(perm[start : start + chunk], key=lambda i: len(ids[i]), reverse=True)
        batches.extend(part[i : i + size] for i in range(0, len(part), size))
    for j in torch.randperm(len(batches), generator=generator).tolist():
        yield batches[j]


def _cross_entropy(logits: np.ndarray, labels: Sequence[int]) -> float:
    shifted = logits - logits.max(axis=1, keepdims=True)
    log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    return float(-log_probs[np.arange(len(labels)), np.asarray(labels)].mean())
