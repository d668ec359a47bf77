"""``wordlight methods``: the attribution methods and their parameters."""

from __future__ import annotations

import argparse
import dataclasses
from typing import Any


def add_parser(sub: Any) -> None:
    p = sub.add_parser("methods", help="list attribution methods and their parameters")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from wordlight.methods import LAYER_METHODS, METHODS

    for name, cls in METHODS.items():
        print(f"{name}: {cls.summary}")
        for f in dataclasses.fields(cls):
            print(f"    {f.name} = {f.default!r}")
    print("\nlayer methods (`wordlight layers --method NAME`):")
    for name, layer_cls in LAYER_METHODS.items():
        print(f"{name}: {layer_cls.summary}")
        for f in dataclasses.fields(layer_cls):
            print(f"    {f.name} = {f.default!r}")
    return 0
