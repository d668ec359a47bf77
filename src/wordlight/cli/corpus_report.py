"""``wordlight corpus-report``: what a model relies on over a whole explained data set."""

from __future__ import annotations

import argparse
from typing import Any


def add_parser(sub: Any) -> None:
    p = sub.add_parser("corpus-report", help="a report over a whole explain-dataset run")
    p.add_argument("run_dir", metavar="RUN_DIR", help="a directory made by explain-dataset")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    raise NotImplementedError
