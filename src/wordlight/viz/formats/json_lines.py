"""JSON Lines: one result per line (``load_explanations`` / ``load_layer_explanations``)."""

from __future__ import annotations

from typing import Any

from wordlight.results.saving import dumps
from wordlight.viz.formats.base import Renderer


def render(items: Any, kind: str, **_: Any) -> str:
    return dumps(items, lines=True)


RENDERER = Renderer("jsonl", (".jsonl",), ("explanations", "layers"), render)
