"""``wordlight train``: train a classifier on a data set, or reproduce the built-in default model
(``--preset default``); both run the same loop (wordlight.training.train)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

PRESETS = ("default",)
# CLI flag -> TrainConfig field; types come from the dataclass defaults.
SETTINGS = {
    "loss": str,
    "epochs": int,
    "learning_rate": float,
    "batch_size": int,
    "max_length": int,
    "vocab_size": int,
    "hidden_size": int,
    "intermediate_size": int,
    "num_heads": int,
    "num_layers": int,
    "lora_rank": int,
    "balance": str,
    "early_stopping_metric": str,
    "patience": int,
    "warmup_ratio": float,
    "weight_decay": float,
    "max_grad_norm": float,
    "dropout": float,
    "seed": int,
    "device": str,
}

HELP = {
    "loss": "cross_entropy (default), ordinal (cumulative thresholds) or mse (on scores)",
    "vocab_size": "WordPiece vocabulary of the small transformer (default 5000)",
    "lora_rank": "LoRA rank when fine-tuning a pretrained --model (0, the default: all weights)",
    "balance": "none (default), undersample (re-drawn every epoch) or class_weights",
    "early_stopping_metric": "accuracy (default), macro_f1, mae or loss on the validation split",
    "patience": "stop after this many epochs without improvement (0, the default: never)",
    "max_grad_norm": "gradient clipping norm (default 1.0)",
    "warmup_ratio": "share of steps of linear warmup before the linear decay (default 0.06)",
    "seed": "seed of weights, dropout, batch order and undersampling (default 13)",
}


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "train",
        help="train a classifier (the small transformer, a fine-tune, or the default model)",
        description=(
            "Train a classifier and save it in Hugging Face format (safetensors) to --out. "
            "Examples: wordlight train --data movies --model small --out runs/small ; "
            "wordlight train --preset default --out src/wordlight/models/default"
        ),
    )
    parser.add_argument("--preset", choices=PRESETS, help="reproduce a built-in model")
    parser.add_argument("--out", type=Path, required=True, help="folder for the trained model")
    parser.add_argument("--data", help="data set name (movies, amazon, ...) or a file format")
    parser.add_argument("--path", help="the data file, for user files and essays")
    parser.add_argument("--text-col", help="text column of a user file")
    parser.add_argument("--label-col", help="label column of a user file")
    parser.add_argument("--score-col", help="score column of a user file (regression)")
    parser.add_argument(
        "--model",
        default="small",
        help="'small' (from scratch), 'minilm' (the packaged all-MiniLM-L6-v2) or a HF folder",
    )
    for name, kind in SETTINGS.items():
        flag = f"--{name.replace('_', '-')}"
        parser.add_argument(
            flag,
            type=kind,
            default=None,
            help=HELP.get(name, "see TrainConfig in docs/training.md"),
        )
    parser.add_argument(
        "--freeze",
        nargs="+",
        metavar="MODULE",
        help="full fine-tuning: encoder submodules to keep frozen, e.g. embeddings",
    )
    parser.add_argument("--resume", action="store_true", help="continue from --out/checkpoint")
    parser.add_argument("--tensorboard", type=Path, help="write TensorBoard logs to this folder")
    parser.add_argument(
        "--tb-vis-interval", type=int, default=0, help="confusion/F1 images every N steps"
    )
    parser.add_argument("--quiet", action="store_true", help="no progress bars")
    parser.set_defaults(run=run)
    return parser


def run(args: argparse.Namespace) -> int:
    from wordlight.errors import InputError

    if args.preset == "default":
        from wordlight.training import default_preset

        record = default_preset.reproduce_default(args.out, progress=not args.quiet)
        print(
            f"saved to {args.out}: validation accuracy {record['validation_accuracy']:.4f}, "
            f"test accuracy {record['test_accuracy']:.4f}, "
            f"{record['train_seconds']:.0f} s of training"
        )
        return 0
    if not args.data:
        raise InputError("say what to train on: --data NAME (or --preset default)")
    from wordlight.training import TrainConfig, train
    from wordlight.training.modeling import save_model

    settings = {k: getattr(args, k) for k in SETTINGS if getattr(args, k) is not None}
    if args.freeze:
        from wordlight.cli._common import split_list

        settings["freeze_modules"] = tuple(split_list(args.freeze))
    model = args.model
    if model == "minilm":
        from wordlight.models.builtin_default import base_model_dir

        model = str(base_model_dir())
    config = TrainConfig(model=model, **settings)
    splits = load_splits(args)
    result = train(
        config,
        splits.train,
        splits.validation,
        checkpoint_dir=args.out / "checkpoint",
        resume=args.resume,
        tensorboard_dir=args.tensorboard,
        tb_vis_interval=args.tb_vis_interval,
        progress=not args.quiet,
    )
    save_model(result.model, result.tokenizer, args.out)
    record = {"data": args.data, "config": config.to_dict(), **result.metrics}
    (args.out / "training.json").write_text(json.dumps(record, indent=2) + "\n")
    best = {k: v for k, v in result.metrics.items() if k.startswith("validation_")}
    shown = ", ".join(f"{k} {v:.4f}" for k, v in best.items() if isinstance(v, float))
    print(
        f"saved to {args.out}: best epoch {result.metrics['best_epoch']}, {shown}; "
        f"evaluate with: wordlight evaluate {args.out} --data {args.data} --split test"
    )
    return 0


def load_splits(args: argparse.Namespace) -> Any:
    """The data set's splits; file options are passed only when given."""
    from wordlight.data import load_dataset

    options = {
        key: getattr(args, key)
        for key in ("path", "text_col", "label_col", "score_col")
        if getattr(args, key, None) is not None
    }
    return load_dataset(args.data, **options)
