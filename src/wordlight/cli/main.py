"""Entry point: dispatch to one module per subcommand; a WordlightError is one line, exit 2."""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

# Each module defines ``add_parser(subparsers)`` and ``run(args) -> int``.
SUBCOMMANDS = ("explain", "methods", "train", "evaluate", "data", "compare", "layers", "app")
BATCH_SUBCOMMANDS = ("explain-dataset", "corpus-report")  # whole data sets (wordlight.batch)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="wordlight", description="Which words made this NLP model say that?"
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    for name in (*SUBCOMMANDS, *BATCH_SUBCOMMANDS):
        module = importlib.import_module(f"wordlight.cli.{name.replace('-', '_')}")
        module.add_parser(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    from wordlight.errors import WordlightError

    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.run(args) or 0)
    except WordlightError as exc:
        print(f"wordlight: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("wordlight: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
