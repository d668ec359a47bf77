"""A self-contained HTML page of layer results: figures embedded as PNG data, plus the numbers.

For each result: the token × layer heatmap on one shared signed scale (and, when asked, the
per-layer normalised one, labelled as such), the per-token distribution panels when the result
kept its per-dimension values, the information curves for the information method, and a table
of the scores (layers × positions). No script, stylesheet or network: it works offline.
"""

from __future__ import annotations

import base64
import html
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np

from wordlight.results import LayerExplanation
from wordlight.viz.layer_plots import (
    figure_png,
    information_curves,
    layer_distribution,
    layer_heatmap,
    layer_names,
    profile_plot,
)
from wordlight.viz.prediction import directions, prediction_parts

_ESC = html.escape
_CELL = (
    "padding:2px 6px;border:1px solid #e5e7eb;text-align:right;font-variant-numeric:tabular-nums"
)
_HEAD = "padding:2px 6px;border:1px solid #e5e7eb;background:#f3f4f6"


def _img(fig: object, alt: str) -> str:
    data = base64.b64encode(figure_png(fig)).decode("ascii")
    return (
        f'<img alt="{_ESC(alt)}" src="data:image/png;base64,{data}" '
        'style="max-width:100%;display:block;margin:6px 0">'
    )


def _table(result: LayerExplanation) -> str:
    head = "".join(f'<th style="{_HEAD}">{_ESC(t)}</th>' for t in result.token_labels)
    rows = []
    for name, row in zip(layer_names(result), result.scores, strict=True):
        cells = "".join(f'<td style="{_CELL}">{v:+.3g}</td>' for v in row)
        rows.append(f'<tr><th style="{_HEAD}">{_ESC(name)}</th>{cells}</tr>')
    return (
        '<details><summary>scores (layers × tokens)</summary><table style="border-collapse:'
        f'collapse;font-size:12px"><tr><th style="{_HEAD}">layer</th>{head}</tr>'
        + "".join(rows)
        + "</table></details>"
    )


def _section(result: LayerExplanation, normalise: bool, token: int | str | None) -> str:
    r = result
    facts = [f"method {r.method}", *prediction_parts(r)]  # a value for regression
    if r.gap is not None:
        facts.append(f"f(x) − f(x′) = {r.gap:+.4g}")
    if r.completeness_delta is not None:
        facts.append(
            f"max |completeness Δ| over layers = {float(np.max(np.abs(r.completeness_delta))):.2g}"
        )
    parts = [
        f'<h2 style="font-size:16px;margin:18px 0 4px">{_ESC(r.text)}</h2>',
        f'<div style="font-size:12px;color:#4b5563">{_ESC(" · ".join(facts))}</div>',
        _img(layer_heatmap(r), "token by layer heatmap, one shared signed scale"),
    ]
    if normalise:
        parts.append(_img(layer_heatmap(r, normalise=True), "per-layer normalised heatmap"))
    if r.dims is not None:
        parts.append(_img(layer_distribution(r, token), "per-token distribution over layers"))
    if r.method == "information":
        parts.append(_img(information_curves(r), "information loss per word across layers"))
    parts.append(_table(r))
    return "".join(parts)


def render_layer_report(
    results: LayerExplanation | Iterable[LayerExplanation],
    *,
    normalise: bool = False,
    token: int | str | None = None,
    title: str = "wordlight layer report",
) -> str:
    """A standalone HTML page with every result's figures and scores."""
    items: Sequence[LayerExplanation] = (
        [results] if isinstance(results, LayerExplanation) else list(results)
    )
    against, towards = directions(items)  # "raising the value" for regression models
    legend = (
        f"Green: {towards}; red: {against}; white: 0. Columns are the tokens "
        "the model saw (special tokens in grey); rows are layers (emb = embedding output)."
    )
    body = "".join(_section(r, normalise, token) for r in items) or "<p>No results.</p>"
    if len(items) > 1 and len({r.layers for r in items}) == 1:
        from wordlight.results import layer_profile

        summary = _img(profile_plot(layer_profile(items)), "mean |score| per layer over texts")
        body = f'<h2 style="font-size:16px">All {len(items)} results</h2>{summary}{body}'
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{_ESC(title)}</title>\n</head>\n"
        '<body style="margin:16px;font-family:system-ui,sans-serif;color:#111;background:#fff">\n'
        f'<h1 style="font-size:20px">{_ESC(title)}</h1><p style="font-size:13px">{legend}</p>'
        f"{body}\n</body>\n</html>\n"
    )


def save_layer_report(
    results: LayerExplanation | Iterable[LayerExplanation], path: str | Path, **kwargs: object
) -> Path:
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(render_layer_report(results, **kwargs), encoding="utf-8")  # type: ignore[arg-type]
    return out
