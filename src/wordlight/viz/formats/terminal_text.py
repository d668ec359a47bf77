"""Plain text for a terminal: highlighted words, a layer table, or the comparison markdown."""

from __future__ import annotations

from typing import Any

from wordlight.viz.formats.base import Renderer, comparison


def render(
    items: Any, kind: str, *, level: str = "word", color: bool | None = None, **_: Any
) -> str:
    if kind == "layers":
        from wordlight.viz.terminal import render_layer_table

        return render_layer_table(items)
    if kind == "comparison":
        return comparison(items).to_markdown()
    from wordlight.viz.terminal import render_terminal

    return render_terminal(items, level=level, color=color)


RENDERER = Renderer("terminal", (".txt",), ("explanations", "layers", "comparison"), render)
