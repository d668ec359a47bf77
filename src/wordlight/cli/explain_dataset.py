"""``wordlight explain-dataset``: explain every text of a data set or file into a run directory."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from wordlight.cli._common import LABEL_THRESHOLD_HELP


def add_parser(sub: Any) -> None:
    p = sub.add_parser(
        "explain-dataset",
        help="explain every row of a data set or file into resumable Parquet shards",
        description="Explain every row into RUN_DIR (Parquet shards + manifest). Run the same "
        "command again to resume after an interruption. Schema: docs/datasets-runs.md.",
    )
    src = p.add_mutually_exclusive_group(required=True)
    src.add_argument("--data", help="a built-in data set (see `wordlight data`)")
    src.add_argument("--file", help="a .csv, .tsv, .jsonl or .parquet file")
    p.add_argument("--split", default="test", help="split of --data (default: test)")
    p.add_argument("--text-col", default="text", help="text column of --file (default: text)")
    p.add_argument("--label-col", help="true label column of --file")
    p.add_argument("--id-col", help="id column of --file (default: the row number)")
    p.add_argument("--model", "-m", default="default", help="built-in name or model directory")
    p.add_argument("--method", default="integrated_gradients", help="see `wordlight methods`")
    p.add_argument("--param", "-p", action="append", default=[], metavar="KEY=VALUE",
                   help="a method parameter, e.g. -p n_steps=auto (repeatable)")  # fmt: skip
    p.add_argument("--target", "-t", default="predicted", help="predicted (default), all or LABEL")
    p.add_argument("--label-threshold", default="0.5", metavar="X", help=LABEL_THRESHOLD_HELP)
    p.add_argument("--metrics", default="", help="faithfulness columns, e.g. "
                   "comprehensiveness,sufficiency")  # fmt: skip
    p.add_argument("--format", choices=("parquet", "jsonl"), default="parquet")
    p.add_argument("--chunk-size", type=int, default=256, help="input rows per shard")
    p.add_argument("--out", "-o", required=True, metavar="RUN_DIR", help="run directory")
    p.add_argument("--overwrite", action="store_true", help="replace a run made otherwise")
    p.add_argument("--engine", choices=("local", "ray"), default="local")
    p.add_argument("--address", help="Ray cluster address (engine ray), e.g. auto")
    p.add_argument("--actors", type=int, default=2, help="Ray actors, one model each")
    p.add_argument("--gpus-per-actor", type=float, default=0.0, help="GPUs per Ray actor")
    p.add_argument("--no-progress", action="store_true", help="hide the progress lines")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from wordlight.batch import RayOptions, Source, explain_dataset
    from wordlight.cli._common import coerce_params, label_threshold
    from wordlight.errors import InputError, one_of
    from wordlight.methods import METHODS

    if args.method not in METHODS:
        raise one_of("method", args.method, METHODS)
    if args.actors < 1:
        raise InputError(f"--actors must be >= 1, got {args.actors}")
    params = coerce_params(METHODS[args.method], list(args.param))
    threshold = label_threshold(args.label_threshold)
    source = Source(file=args.file, text_col=args.text_col, label_col=args.label_col,
                    id_col=args.id_col, data=args.data, split=args.split)  # fmt: skip
    summary = explain_dataset(
        source,
        args.model,
        args.method,
        out=args.out,
        params=params,
        target=args.target,
        label_threshold=threshold,
        metrics=[m.strip() for m in args.metrics.split(",") if m.strip()],
        fmt=args.format,
        chunk_size=args.chunk_size,
        overwrite=args.overwrite,
        progress=not args.no_progress,
        engine=args.engine,
        ray=RayOptions(args.address, args.actors, args.gpus_per_actor),
    )
    print(summary.line(), file=sys.stderr)
    return 0
