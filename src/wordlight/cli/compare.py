"""``wordlight compare``: several methods on the same texts, scored by faithfulness metrics."""

from __future__ import annotations

import argparse
import sys
from typing import Any

SPLITS = ("train", "validation", "test")
FORMATS = ("html", "json")  # of --out; standard output gets the markdown table


def add_parser(sub: Any) -> None:
    from wordlight.evaluation.compare import DEFAULT_METHODS, DEFAULT_METRICS

    p = sub.add_parser("compare", help="compare methods by faithfulness on many texts")
    p.add_argument("texts", nargs="*", metavar="TEXT", help="texts to explain")
    p.add_argument("--file", "-f", help="read texts from a UTF-8 file, one per line ('-': stdin)")
    p.add_argument("--data", help="a built-in data set instead of texts, e.g. movies")
    p.add_argument("--split", default="test", help="split of --data: train, validation, test")
    p.add_argument("--n", type=int, default=200, help="first N texts of the split (default 200)")
    p.add_argument("--model", "-m", default="default", help="built-in name or model directory")
    p.add_argument("--methods", nargs="+", default=list(DEFAULT_METHODS), metavar="METHOD",
                   help="method names, e.g. lime,occlusion or lime occlusion "
                        "(see `wordlight methods`)")  # fmt: skip
    p.add_argument("--metrics", nargs="+", default=list(DEFAULT_METRICS), metavar="METRIC",
                   help="faithfulness metrics, spaces or commas (docs/evaluation.md)")  # fmt: skip
    p.add_argument("--level", choices=("token", "word"), default="token",
                   help="rank and remove tokens (ERASER) or whole words")  # fmt: skip
    p.add_argument("--out", "-o", help="write the report: .html (table + texts) or .json")
    p.add_argument("--show", type=int, default=50, help="texts shown side by side in the HTML")
    p.add_argument("--no-progress", action="store_true", help="hide the progress bars")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from wordlight.cli._common import split_list
    from wordlight.evaluation.compare import compare
    from wordlight.models.loading import load_model
    from wordlight.viz.formats import RENDERERS, renderer_for, write

    texts = _texts(args)
    renderer = renderer_for(out=args.out, formats=FORMATS) if args.out else None
    model = load_model(args.model)
    result = compare(
        model, texts, split_list(args.methods), split_list(args.metrics), level=args.level,
        progress=False if args.no_progress else None,
    )  # fmt: skip
    write(RENDERERS["terminal"], result, None)  # the table, always
    if renderer is not None:
        write(renderer, result, args.out, max_texts=args.show)
        print(f"wrote the comparison of {len(texts)} text(s) to {args.out}", file=sys.stderr)
    return 0


def _texts(args: argparse.Namespace) -> list[str]:
    from wordlight.cli._common import read_texts
    from wordlight.engine import check_texts
    from wordlight.errors import InputError, one_of

    if args.n < 1:
        raise InputError(f"--n must be >= 1, got {args.n}")
    if args.data is None:
        return check_texts(read_texts(args.texts, args.file))[: args.n]
    if args.texts or args.file:
        raise InputError("give texts, --file or --data, not several")
    if args.split not in SPLITS:
        raise one_of("split", args.split, SPLITS)
    from wordlight.data import DATASETS, load_dataset

    if args.data not in DATASETS:
        raise one_of("data set", args.data, DATASETS)
    return list(getattr(load_dataset(args.data), args.split).texts[: args.n])
