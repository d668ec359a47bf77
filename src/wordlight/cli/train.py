"""``wordlight train``: fine-tune a model. For now only ``--preset default``, which reproduces the
built-in default model (all-MiniLM-L6-v2 + LoRA on the VADER movie-review snippets)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

PRESETS = ("default",)


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "train",
        help="fine-tune a classifier (reproduce the built-in default model)",
        description=(
            "Fine-tune a classifier. '--preset default' reproduces the built-in default model: "
            "wordlight train --preset default --out src/wordlight/models/default"
        ),
    )
    parser.add_argument("--preset", choices=PRESETS, required=True, help="what to train")
    parser.add_argument(
        "--out", type=Path, required=True, help="folder for the adapter and training.json"
    )
    parser.add_argument("--quiet", action="store_true", help="no progress bars")
    parser.set_defaults(run=run)
    return parser


def run(args: argparse.Namespace) -> int:
    from wordlight.training.default_model import reproduce_default

    record = reproduce_default(args.out, progress=not args.quiet)
    print(
        f"saved to {args.out}: validation accuracy {record['validation_accuracy']:.4f}, "
        f"test accuracy {record['test_accuracy']:.4f}, {record['train_seconds']:.0f} s of training"
    )
    return 0
