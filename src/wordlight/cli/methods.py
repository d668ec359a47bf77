"""``wordlight methods``: the attribution methods and their parameters."""

from __future__ import annotations

import argparse
import dataclasses
from typing import Any


def add_parser(sub: Any) -> None:
    p = sub.add_parser("methods", help="list attribution methods and their parameters")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from wordlight.methods import LAYER_METHODS, METHODS, describe_parameters

    for name, cls in METHODS.items():
        print(f"{name}: {cls.summary}")
        for parameter in describe_parameters(cls):
            print(f"    {parameter.describe()}")
    aliases = ", ".join(f"{old} = {new}" for old, new in METHODS.aliases.items())
    if aliases:
        print(f"(older names still accepted: {aliases})")
    print("\nlayer methods (`wordlight layers --method NAME`):")
    for name, layer_cls in LAYER_METHODS.items():
        print(f"{name}: {layer_cls.summary}")
        described = describe_parameters(layer_cls)
        for parameter in described:
            print(f"    {parameter.describe()}")
        for f in dataclasses.fields(layer_cls):  # a wrapped method: its parameters are above
            if f.name not in {p.name for p in described}:
                print(f"    {f.name} = {f.type}(...)  (wrapped; set its parameters above)")
    return 0
