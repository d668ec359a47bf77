"""HTML: a standalone page (explanations table, layer report, or comparison)."""

from __future__ import annotations

from typing import Any

from wordlight.viz.formats.base import Renderer, comparison


def render(
    items: Any,
    kind: str,
    *,
    level: str = "word",
    normalise: bool = False,
    token: int | str | None = None,
    max_texts: int | None = 50,
    **_: Any,
) -> str:
    if kind == "layers":
        from wordlight.viz.layer_report import render_layer_report

        return render_layer_report(items, normalise=normalise, token=token)
    if kind == "comparison":
        from wordlight.viz.compare_html import render_comparison

        return render_comparison(comparison(items), max_texts=max_texts)
    from wordlight.viz.html import render_html

    return render_html(items, level=level)


RENDERER = Renderer("html", (".html", ".htm"), ("explanations", "layers", "comparison"), render)
