"""``wordlight evaluate MODEL --data NAME --split test``: metrics beside two baselines, a
metrics JSON and (for classifiers) confusion-matrix and per-class PNGs."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

SPLITS = ("train", "validation", "test")


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "evaluate",
        help="evaluate a trained model on a data split, beside baselines",
        description=(
            "Accuracy, macro-F1 and per-class precision/recall/F1 (MAE, RMSE and Spearman for "
            "a regression model) on a split, beside the majority class and TF-IDF + logistic "
            "regression fitted on the same data set's train split. "
            "Example: wordlight evaluate default --data amazon --split test"
        ),
    )
    parser.add_argument("model", help="'default' or a saved model folder")
    parser.add_argument("--data", required=True, help="data set name or file format")
    parser.add_argument("--split", choices=SPLITS, default="test")
    parser.add_argument("--path", help="the data file, for user files and essays")
    parser.add_argument("--text-col", help="text column of a user file")
    parser.add_argument("--label-col", help="label column of a user file")
    parser.add_argument("--score-col", help="score column of a user file (regression)")
    parser.add_argument("--out", type=Path, help="folder for metrics.json and the PNGs")
    parser.set_defaults(run=run)
    return parser


def run(args: argparse.Namespace) -> int:
    from wordlight.cli.train import load_splits
    from wordlight.training.scoring import evaluate_model, format_report

    splits = load_splits(args)
    report = evaluate_model(args.model, getattr(splits, args.split), splits.train, out_dir=args.out)
    print(f"{args.model} on {args.data} ({args.split}, n={report['n']}):")
    print(format_report(report))
    if args.out is not None:
        print(f"written to {args.out}")
    return 0
