"""``wordlight corpus-report``: what a model relies on over a whole explained data set."""

from __future__ import annotations

import argparse
import sys
from typing import Any


def add_parser(sub: Any) -> None:
    p = sub.add_parser(
        "corpus-report",
        help="per-class words, flipping words and distributions over an explain-dataset run",
    )
    p.add_argument("run_dir", metavar="RUN_DIR", help="a directory made by explain-dataset")
    p.add_argument("--out", "-o", default="report.html", help="HTML page (JSON summary beside it)")
    p.add_argument("--min-count", type=int, default=5, help="fewest occurrences of a word listed")
    p.add_argument("--top", type=int, default=15, help="words listed per class and side")
    p.add_argument("--bootstrap", type=int, default=1000, help="bootstrap resamples per word")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from wordlight.batch.report_data import corpus_summary
    from wordlight.batch.report_html import write_report

    summary = corpus_summary(
        args.run_dir, min_count=args.min_count, top=args.top, n_boot=args.bootstrap
    )
    page, json_path = write_report(summary, args.out)
    print(f"wrote {page} and {json_path}", file=sys.stderr)
    return 0
