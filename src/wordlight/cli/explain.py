"""``wordlight explain``: explain texts with a model and show, save or print the result."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

FORMATS = ("terminal", "html", "json", "jsonl")


def add_parser(sub: Any) -> None:
    p = sub.add_parser("explain", help="explain texts: which words pushed the model to its answer")
    p.add_argument("texts", nargs="*", metavar="TEXT", help="texts to explain")
    p.add_argument("--file", "-f", help="read texts from a UTF-8 file, one per line ('-': stdin)")
    p.add_argument("--model", "-m", default="default", help="built-in name or model directory")
    p.add_argument("--method", default="integrated_gradients", help="see `wordlight methods`")
    p.add_argument("--target", "-t", help="class index, label, 'predicted' (default) or 'all'")
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
    from wordlight.cli._common import coerce_params, read_texts
    from wordlight.errors import InputError, one_of
    from wordlight.methods import METHODS
    from wordlight.methods.base import check_texts
    from wordlight.models.loading import load_model

    texts = check_texts(read_texts(args.texts, args.file))  # before the (slow) model load
    if args.method not in METHODS:
        raise one_of("method", args.method, METHODS)
    pairs = list(args.param)
    if args.steps is not None:
        pairs.append(f"n_steps={args.steps}")
    if args.layer is not None:
        pairs.append(f"layer={args.layer}")
    explainer = METHODS[args.method](**coerce_params(METHODS[args.method], pairs))
    fmt = args.format or _format_from(args.out)
    if fmt == "html" and args.level not in ("word", "token"):
        raise InputError(f"unknown level {args.level!r}")
    model = load_model(args.model)
    target: Any = args.target
    if target is not None and target.lstrip("-").isdigit():
        target = int(target)
    explanations = explainer.explain(
        model,
        texts,
        target,
        word_aggregation=args.aggregate,
        progress=False if args.no_progress else None,
    )
    _write(explanations, fmt, args.out, args.level)
    return 0


def _format_from(out: str | None) -> str:
    suffix = Path(out).suffix.lower() if out else ""
    return {".html": "html", ".htm": "html", ".json": "json", ".jsonl": "jsonl"}.get(
        suffix, "terminal"
    )


def _write(explanations: list[Any], fmt: str, out: str | None, level: str) -> None:
    import json

    from wordlight.io import save_explanations

    if fmt in ("json", "jsonl") and out:
        save_explanations(explanations, out)
    elif fmt == "json":
        print(json.dumps([e.to_dict() for e in explanations], ensure_ascii=False, indent=1))
    elif fmt == "jsonl":
        for e in explanations:
            print(json.dumps(e.to_dict(), ensure_ascii=False))
    elif fmt == "html":
        from wordlight.viz.html import render_html, save_html

        if out:
            save_html(explanations, out, level=level)
        else:
            print(render_html(explanations, level=level))
    else:
        from wordlight.viz.terminal import render_terminal

        if out:
            text = render_terminal(explanations, level=level, color=False)
            Path(out).write_text(text, encoding="utf-8")
        else:
            sys.stdout.write(render_terminal(explanations, level=level))
    if out:
        print(f"wrote {len(explanations)} explanation(s) to {out}", file=sys.stderr)
