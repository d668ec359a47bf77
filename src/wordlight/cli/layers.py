"""``wordlight layers``: scores at every encoder layer, as an HTML report, a PNG heatmap,
JSON Lines, or a table on standard output."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

SUFFIXES = {".html": "html", ".htm": "html", ".png": "png", ".jsonl": "jsonl", ".json": "jsonl"}


def add_parser(sub: Any) -> None:
    from wordlight.methods import LAYER_METHODS

    p = sub.add_parser("layers", help="what each encoder layer does with each word")
    p.add_argument("texts", nargs="*", metavar="TEXT", help="texts to analyse")
    p.add_argument("--file", "-f", help="read texts from a UTF-8 file, one per line ('-': stdin)")
    p.add_argument("--model", "-m", default="default", help="built-in name or model directory")
    p.add_argument("--method", default="layer_integrated_gradients",
                   help=f"one of: {', '.join(LAYER_METHODS)}")  # fmt: skip
    p.add_argument("--target", "-t", help="class index, label, 'predicted' (default) or 'all'")
    p.add_argument("--steps", help="integration steps (path methods); 'auto' for layer IG")
    p.add_argument("--layers", help="comma-separated layer indices (default: all; 0 = embedding)")
    p.add_argument("--param", "-p", action="append", default=[], metavar="KEY=VALUE",
                   help="any method parameter, e.g. -p baseline=mask (repeatable)")  # fmt: skip
    p.add_argument("--normalise", action="store_true",
                   help="also draw each layer scaled to its own max |score|")  # fmt: skip
    p.add_argument("--token", help="token whose per-dimension distribution to plot (its text)")
    p.add_argument("--out", "-o", help="report.html, heatmap.png or results.jsonl")
    p.add_argument("--no-progress", action="store_true", help="hide the progress bar")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from wordlight.cli._common import coerce_params, read_texts
    from wordlight.errors import InputError, one_of
    from wordlight.methods import LAYER_METHODS
    from wordlight.methods.base import check_texts
    from wordlight.models.loading import load_model

    texts = check_texts(read_texts(args.texts, args.file))
    if args.method not in LAYER_METHODS:
        raise one_of("layer method", args.method, LAYER_METHODS)
    cls = LAYER_METHODS[args.method]
    fmt = "table"
    if args.out:
        suffix = Path(args.out).suffix.lower()
        if suffix not in SUFFIXES:
            raise InputError(f"--out {args.out}: use a .html, .png or .jsonl file")
        fmt = SUFFIXES[suffix]
    pairs = list(args.param)
    if args.steps is not None:
        pairs.append(f"n_steps={args.steps}")
    params = coerce_params(cls, pairs)
    if args.layers:
        try:
            params["layers"] = tuple(int(x) for x in args.layers.split(",") if x.strip())
        except ValueError:
            raise InputError(f"--layers {args.layers!r}: give integers, e.g. 0,3,6") from None
    if fmt == "html":
        params.setdefault("keep_dims", True)  # the report draws the per-dimension panels
    method = cls(**params)
    model = load_model(args.model)
    target: Any = args.target
    if target is not None and target.lstrip("-").isdigit():
        target = int(target)
    results = method.explain(model, texts, target, progress=False if args.no_progress else None)
    _write(results, fmt, args)
    return 0


def _write(results: list[Any], fmt: str, args: argparse.Namespace) -> None:
    if fmt == "html":
        from wordlight.viz.layer_report import save_layer_report

        save_layer_report(results, args.out, normalise=args.normalise, token=args.token)
    elif fmt == "png":
        from wordlight.viz.layer_plots import figure_png, layer_heatmap

        if len(results) > 1:
            print(f"note: {len(results)} results; the PNG shows the first", file=sys.stderr)
        png = figure_png(layer_heatmap(results[0], normalise=args.normalise))
        Path(args.out).parent.mkdir(parents=True, exist_ok=True)
        Path(args.out).write_bytes(png)
    elif fmt == "jsonl":
        from wordlight.layer_explanation import save_layer_explanations

        save_layer_explanations(results, args.out)
    else:
        sys.stdout.write("".join(table(r) for r in results))
    if args.out:
        print(f"wrote {len(results)} result(s) to {args.out}", file=sys.stderr)


def table(result: Any) -> str:
    """Plain text: a row per layer, a column per token."""
    from wordlight.viz.layer_plots import layer_names

    labels = result.token_labels
    width = max(8, *(len(t) for t in labels))
    lines = [f"{result.text}  [{result.method} -> {result.target_label}]"]
    lines.append("layer " + "".join(f"{t:>{width + 1}}" for t in labels))
    for name, row in zip(layer_names(result), result.scores, strict=True):
        lines.append(f"{name:<6}" + "".join(f"{v:>+{width + 1}.3f}" for v in row))
    return "\n".join(lines) + "\n\n"
