"""``wordlight explain``: explain texts with a model and show, save or print the result."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from wordlight.cli._common import LABEL_THRESHOLD_HELP

FORMATS = ("terminal", "html", "json", "jsonl")


def add_parser(sub: Any) -> None:
    p = sub.add_parser("explain", help="explain texts: which words pushed the model to its answer")
    p.add_argument("texts", nargs="*", metavar="TEXT", help="texts to explain")
    p.add_argument("--file", "-f", help="read texts from a UTF-8 file, one per line ('-': stdin)")
    p.add_argument("--model", "-m", default="default", help="built-in name or model directory")
    p.add_argument("--method", default="integrated_gradients", help="see `wordlight methods`")
    p.add_argument("--target", "-t", help="class index, label, 'predicted' (default) or 'all'")
    p.add_argument("--label-threshold", default="0.5", metavar="X", help=LABEL_THRESHOLD_HELP)
    p.add_argument("--steps", help="integration steps, an integer or 'auto'")
    p.add_argument("--layer", type=int, help="hidden layer to explain (methods with a layer)")
    p.add_argument("--param", "-p", action="append", default=[], metavar="KEY=VALUE",
                   help="any method parameter, e.g. -p baseline=mask (repeatable)")  # fmt: skip
    p.add_argument("--format", choices=FORMATS, help="default: from --out's suffix, else terminal")
    p.add_argument("--out", "-o", help="write the result here instead of standard output")
    p.add_argument("--level", choices=("word", "token"), default="word")
    p.add_argument("--aggregate", choices=("sum", "mean", "max_abs"), default="sum",
                   help="how token scores make a word score (sign kept)")  # fmt: skip
    p.add_argument("--no-progress", action="store_true", help="hide the progress bar")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from wordlight.api import make_explainer
    from wordlight.cli._common import coerce_params, label_threshold, parse_target, read_texts
    from wordlight.engine import check_texts
    from wordlight.models.loading import load_model
    from wordlight.viz.formats import renderer_for, write

    texts = check_texts(read_texts(args.texts, args.file))  # before the (slow) model load
    threshold = label_threshold(args.label_threshold)
    pairs = list(args.param)
    if args.steps is not None:
        pairs.append(f"n_steps={args.steps}")
    if args.layer is not None:
        pairs.append(f"layer={args.layer}")
    default = make_explainer(args.method)  # the one lookup: unknown names fail here
    explainer = make_explainer(default, **coerce_params(type(default), pairs))
    renderer = renderer_for(args.format, args.out, formats=FORMATS, fallback="terminal")
    model = load_model(args.model)
    explanations = explainer.explain(
        model,
        texts,
        parse_target(args.target),
        word_aggregation=args.aggregate,
        progress=False if args.no_progress else None,
        label_threshold=threshold,
    )
    write(renderer, explanations, args.out, level=args.level)
    if args.out:
        print(f"wrote {len(explanations)} explanation(s) to {args.out}", file=sys.stderr)
    return 0
