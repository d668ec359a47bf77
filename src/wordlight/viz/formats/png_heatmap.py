"""PNG: the token x layer heatmap of a layer result (the first one, if given several)."""

from __future__ import annotations

from typing import Any

from wordlight.viz.formats.base import Renderer


def render(items: Any, kind: str, *, normalise: bool = False, **_: Any) -> bytes:
    from wordlight.errors import InputError
    from wordlight.viz.layer_plots import figure_png, layer_heatmap

    if not items:
        raise InputError("no layer result to draw; give at least one")
    return figure_png(layer_heatmap(items[0], normalise=normalise))


RENDERER = Renderer("png", (".png",), ("layers",), render, binary=True)
