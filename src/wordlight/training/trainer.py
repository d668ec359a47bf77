"""The one training loop behind ``wordlight train``: the small transformer and fine-tuning of a
pretrained encoder (the built-in default model included) all go through ``train``.

AdamW (no weight decay on biases and norms), a linear learning-rate schedule with warmup, gradient
clipping, seeded batch order and dropout, optional undersampling (re-drawn every epoch) or class
weights, standardised regression targets (the saved model still answers in their units:
``target_scale``), validation after every epoch, early stopping on a chosen validation metric,
the best epoch's weights returned, a resumable checkpoint after every epoch and optional
TensorBoard logs.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch

from wordlight.data import TextDataset
from wordlight.data.sampling import class_weights, undersample
from wordlight.errors import InputError, ModelError
from wordlight.models.decoding import predict
from wordlight.training import checkpoint as ckpt
from wordlight.training.batching import encode, epoch_batches, pad_batch, predict_logits
from wordlight.training.config import SMALL, TrainConfig
from wordlight.training.losses import HEAD_OF_LOSS, compute_loss
from wordlight.training.metrics import classification_metrics, is_better, regression_metrics
from wordlight.training.modeling import build_model
from wordlight.training.target_scale import TargetScale, fold_into_head


@dataclass
class TrainResult:
    model: Any  # in eval mode, holding the best epoch's weights
    tokenizer: Any
    metrics: dict[str, Any]


def train(
    config: TrainConfig,
    train_set: TextDataset,
    validation: TextDataset,
    *,
    checkpoint_dir: str | Path | None = None,
    resume: bool = False,
    tensorboard_dir: str | Path | None = None,
    tb_vis_interval: int = 0,
    progress: bool = True,
    stop_after_epochs: int | None = None,
) -> TrainResult:
    """Train ``config`` on ``train_set``, pick the best epoch on ``validation``.

    ``checkpoint_dir`` gets the resumable state after every epoch; ``resume=True`` continues from
    it. ``tensorboard_dir`` gets scalars every step and, every ``tb_vis_interval`` steps (and after
    every epoch), validation metrics with confusion-matrix and per-class images.
    ``stop_after_epochs`` ends the run early as an interruption would (the schedule still spans
    ``config.epochs``)."""
    _check_data(config, train_set, validation)
    if tb_vis_interval < 0:
        raise InputError(f"tb_vis_interval must be >= 0, got {tb_vis_interval}")
    if resume and checkpoint_dir is None:
        raise InputError("resuming needs the checkpoint folder")
    from tqdm.auto import tqdm
    from transformers import get_linear_schedule_with_warmup

    saved_state, saved_tensors = None, None
    if resume:
        saved_state, saved_tensors = ckpt.load_checkpoint(checkpoint_dir)  # type: ignore[arg-type]
        if saved_state.get("config") != config.to_dict():
            raise InputError(
                f"the checkpoint in {checkpoint_dir} was made with other settings; resume with "
                "the same settings or train afresh into another folder"
            )
    names = train_set.label_names
    torch.manual_seed(config.seed)
    vocab = saved_state.get("vocab") if saved_state else None
    model, tokenizer = build_model(config, train_set.texts, names, vocab)
    device = torch.device(config.device or ("cuda" if torch.cuda.is_available() else "cpu"))
    model = model.to(device)
    train_ids = encode(tokenizer, train_set.texts, config.max_length)
    lengths = [len(r) for r in train_ids]
    labels = torch.tensor(train_set.labels, dtype=torch.long)
    # mse: fit standardised targets; outputs are mapped back for every metric, then for good
    # into the final layer (training/target_scale.py)
    scale = TargetScale.of(train_set.scores) if config.loss == "mse" else TargetScale()
    scores = scale.standardise(torch.tensor(train_set.scores, dtype=torch.float64)).float()
    loss_units = scale.std**2  # the mse of standardised targets, in the targets' units
    pad_id = int(tokenizer.pad_token_id or 0)
    weights = None
    if config.balance == "class_weights":
        array = class_weights(train_set.labels, len(names))
        weights = torch.tensor(array, dtype=torch.float32, device=device)

    trainable = {n: p for n, p in model.named_parameters() if p.requires_grad}
    decay = [p for p in trainable.values() if p.ndim >= 2]
    no_decay = [p for p in trainable.values() if p.ndim < 2]
    optimizer = torch.optim.AdamW(
        [
            {"params": decay, "weight_decay": config.weight_decay},
            {"params": no_decay, "weight_decay": 0.0},
        ],
        lr=config.learning_rate,
    )
    rows_per_epoch = len(_epoch_rows(config, train_set, 1))
    steps_per_epoch = math.ceil(rows_per_epoch / config.batch_size)
    total_steps = steps_per_epoch * config.epochs
    scheduler = get_linear_schedule_with_warmup(
        optimizer, round(config.warmup_ratio * total_steps), total_steps
    )
    generator = torch.Generator().manual_seed(config.seed)
    state: dict[str, Any] = {
        "config": config.to_dict(),
        "epoch": 0,
        "step": 0,
        "history": [],
        "best_value": None,
        "best_epoch": 0,
        "epochs_without_improvement": 0,
        "stopped_early": False,
        "vocab": dict(tokenizer.get_vocab()) if config.model == SMALL else None,
    }
    best_state = {n: p.detach().clone() for n, p in trainable.items()}
    if saved_state is not None and saved_tensors is not None:
        best_state = ckpt.restore(
            saved_state,
            saved_tensors,
            params=trainable,
            optimizer=optimizer,
            scheduler=scheduler,
            generator=generator,
        )
        state.update({k: saved_state[k] for k in state if k not in ("config", "vocab")})
    logger = None
    if tensorboard_dir is not None:
        from wordlight.training.tensorboard import TensorBoardLogger

        logger = TensorBoardLogger(tensorboard_dir, names)

    def validate() -> dict[str, Any]:
        outputs = predict_logits(
            model, tokenizer, validation.texts, config.eval_batch_size, config.max_length
        )
        return evaluate_outputs(scale.restore(outputs), validation, config.loss)

    metric = config.early_stopping_metric
    started = time.perf_counter()
    for epoch in range(state["epoch"] + 1, config.epochs + 1):
        if state["stopped_early"]:
            break
        epoch_start = time.perf_counter()
        model.train()
        rows = _epoch_rows(config, train_set, epoch)
        batches = list(
            epoch_batches(rows, lengths, config.batch_size, generator, config.group_by_length)
        )
        bar = tqdm(
            batches, desc=f"epoch {epoch}/{config.epochs}", disable=not progress, leave=False
        )
        total_loss = 0.0
        for indices in bar:
            input_ids, mask = pad_batch([train_ids[i] for i in indices], pad_id)
            outputs = model(input_ids=input_ids.to(device), attention_mask=mask.to(device)).logits
            targets, target_scores = labels[indices].to(device), scores[indices].to(device)
            loss = compute_loss(config.loss, outputs, targets, target_scores, weights)
            loss.backward()
            grad_norm = torch.nn.utils.clip_grad_norm_(
                list(trainable.values()), config.max_grad_norm
            )
            optimizer.step()
            scheduler.step()
            optimizer.zero_grad(set_to_none=True)
            value = loss.detach().item() * loss_units
            total_loss += value * len(indices)
            state["step"] += 1
            bar.set_postfix(loss=f"{value:.3f}")
            if logger is not None:
                lr = scheduler.get_last_lr()[0]
                step_values = {"loss": value, "learning_rate": lr, "grad_norm": float(grad_norm)}
                logger.scalars("train", step_values, state["step"])
                if tb_vis_interval and state["step"] % tb_vis_interval == 0:
                    _log_validation(logger, validate(), state["step"])
        result = validate()
        record = {
            "epoch": epoch,
            "step": state["step"],
            "train_loss": total_loss / len(rows),
            **{f"validation_{k}": v for k, v in result.items() if isinstance(v, float)},
            "seconds": round(time.perf_counter() - epoch_start, 1),
        }
        state["history"].append(record)
        if logger is not None:
            _log_validation(logger, result, state["step"])
        if progress:
            print(f"epoch {epoch}: " + _summary(record), flush=True)
        if is_better(metric, result[metric], state["best_value"]):
            state.update(best_value=result[metric], best_epoch=epoch, epochs_without_improvement=0)
            best_state = {n: p.detach().clone() for n, p in trainable.items()}
        else:
            state["epochs_without_improvement"] += 1
            if config.patience and state["epochs_without_improvement"] >= config.patience:
                state["stopped_early"] = True
        state["epoch"] = epoch
        if checkpoint_dir is not None:
            current = {n: p.detach() for n, p in trainable.items()}
            ckpt.save_checkpoint(
                checkpoint_dir,
                weights=current,
                best=best_state,
                optimizer=optimizer,
                scheduler=scheduler,
                generator=generator,
                state=state,
            )
        if stop_after_epochs is not None and epoch >= stop_after_epochs:
            break
    if logger is not None:
        logger.close()
    with torch.no_grad():
        for name, param in trainable.items():
            param.copy_(best_state[name])
    model.eval()
    if config.loss == "mse":
        probe = validation.texts[:16]
        fold_into_head(
            model, scale, lambda: predict_logits(model, tokenizer, probe, 16, config.max_length)
        )
    best: dict[str, Any] = next(
        (r for r in state["history"] if r["epoch"] == state["best_epoch"]), {}
    )
    metrics = {
        "history": state["history"],
        "best_epoch": state["best_epoch"],
        "early_stopping_metric": metric,
        "stopped_early": state["stopped_early"],
        **{k: v for k, v in best.items() if k.startswith("validation_")},
        "train_seconds": round(time.perf_counter() - started, 1),
        "trainable_parameters": sum(p.numel() for p in trainable.values()),
        "train_size": len(train_set),
        "validation_size": len(validation),
        "steps": state["step"],
    }
    return TrainResult(model, tokenizer, metrics)


def evaluate_outputs(outputs: np.ndarray, dataset: TextDataset, loss: str) -> dict[str, Any]:
    """Metrics of raw head outputs on ``dataset``, decoded by wordlight.models.decoding, with the
    (unweighted) loss."""
    out = torch.from_numpy(np.asarray(outputs, dtype=np.float32))
    labels = torch.tensor(dataset.labels, dtype=torch.long)
    scores = torch.tensor(dataset.scores, dtype=torch.float32)
    value = float(compute_loss(loss, out, labels, scores))
    head = HEAD_OF_LOSS[loss]
    predicted = predict(out, head).numpy()
    if head == "regression":
        return {**regression_metrics(dataset.scores, predicted.tolist()), "loss": value}
    metrics = classification_metrics(dataset.labels, predicted.tolist(), dataset.label_names)
    return {**metrics, "loss": value}


def _epoch_rows(config: TrainConfig, train_set: TextDataset, epoch: int) -> list[int]:
    if config.balance == "undersample":
        n = len(train_set.label_names)
        return undersample(train_set.labels, n, config.seed, epoch).tolist()
    return list(range(len(train_set)))


def _check_data(config: TrainConfig, train_set: TextDataset, validation: TextDataset) -> None:
    if len(train_set) == 0 or len(validation) == 0:
        raise InputError("training needs a non-empty train and validation set")
    if train_set.label_names != validation.label_names:
        raise InputError(
            "train and validation label names differ: "
            f"{train_set.label_names} vs {validation.label_names}"
        )
    if config.loss != "mse" and len(set(train_set.labels)) < 2:
        raise InputError("the training data has a single class; a classifier needs two or more")
    if config.loss == "mse" and not all(math.isfinite(s) for s in train_set.scores):
        raise InputError("regression (mse) needs a finite score on every training row")
    if config.model != SMALL and not Path(config.model).is_dir():
        raise ModelError(f"base model {config.model!r} is not a local model directory")


def _log_validation(logger: Any, result: dict[str, Any], step: int) -> None:
    logger.scalars("validation", result, step)
    logger.figures(result, step)


def _summary(record: dict[str, Any]) -> str:
    parts = [f"train loss {record['train_loss']:.4f}"]
    for key in ("accuracy", "macro_f1", "mae", "spearman"):
        if f"validation_{key}" in record:
            parts.append(f"validation {key} {record[f'validation_{key}']:.4f}")
    return ", ".join(parts) + f" ({record['seconds']:.0f} s)"
