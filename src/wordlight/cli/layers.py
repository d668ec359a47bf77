"""``wordlight layers``: scores at every encoder layer, as an HTML report, a PNG heatmap,
JSON Lines, or a table on standard output."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from wordlight.cli._common import LABEL_THRESHOLD_HELP

FORMATS = ("html", "png", "jsonl")  # to a file; standard output gets the terminal table


def add_parser(sub: Any) -> None:
    from wordlight.methods import LAYER_METHODS

    p = sub.add_parser("layers", help="what each encoder layer does with each word")
    p.add_argument("texts", nargs="*", metavar="TEXT", help="texts to analyse")
    p.add_argument("--file", "-f", help="read texts from a UTF-8 file, one per line ('-': stdin)")
    p.add_argument("--model", "-m", default="default", help="built-in name or model directory")
    p.add_argument("--method", default="layer_integrated_gradients",
                   help=f"one of: {', '.join(LAYER_METHODS)}")  # fmt: skip
    p.add_argument("--target", "-t", help="class index, label, 'predicted' (default) or 'all'")
    p.add_argument("--label-threshold", default="0.5", metavar="X", help=LABEL_THRESHOLD_HELP)
    p.add_argument("--steps", help="integration steps (path methods); 'auto' for layer IG")
    p.add_argument(
        "--layers", help="layer indices, e.g. 0,3,6 or '0 3 6' (default: all; 0 = embedding)"
    )
    p.add_argument("--param", "-p", action="append", default=[], metavar="KEY=VALUE",
                   help="any method parameter, e.g. -p baseline=mask (repeatable)")  # fmt: skip
    p.add_argument("--normalise", action="store_true",
                   help="also draw each layer scaled to its own max |score|")  # fmt: skip
    p.add_argument("--token", help="token whose per-dimension distribution to plot (its text)")
    p.add_argument("--out", "-o", help="report.html, heatmap.png or results.jsonl")
    p.add_argument("--no-progress", action="store_true", help="hide the progress bar")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from wordlight.api import make_layer_method
    from wordlight.cli._common import (
        coerce_params,
        int_list,
        label_threshold,
        parse_target,
        read_texts,
    )
    from wordlight.engine import check_texts
    from wordlight.models.loading import load_model
    from wordlight.viz.formats import RENDERERS, renderer_for, write

    texts = check_texts(read_texts(args.texts, args.file))
    threshold = label_threshold(args.label_threshold)
    default = make_layer_method(args.method)  # the one lookup: unknown names fail here
    renderer = renderer_for(out=args.out, formats=FORMATS) if args.out else RENDERERS["terminal"]
    pairs = list(args.param)
    if args.steps is not None:
        pairs.append(f"n_steps={args.steps}")
    params = coerce_params(type(default), pairs)
    if args.layers:
        params["layers"] = int_list("--layers", args.layers)
    if renderer.name == "html":
        params.setdefault("keep_dims", True)  # the report draws the per-dimension panels
    method = make_layer_method(default, **params)
    model = load_model(args.model)
    progress = False if args.no_progress else None
    results = method.explain(
        model, texts, parse_target(args.target), progress=progress, label_threshold=threshold
    )
    if renderer.name == "png" and len(results) > 1:
        print(f"note: {len(results)} results; the PNG shows the first", file=sys.stderr)
    write(renderer, results, args.out, normalise=args.normalise, token=args.token)
    if args.out:
        print(f"wrote {len(results)} result(s) to {args.out}", file=sys.stderr)
    return 0
