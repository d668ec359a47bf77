"""A comparison as one offline HTML page: the metrics table, then the texts side by side.

Each method's column shares one colour scale over its texts (methods differ in magnitude); below
each highlighted text are that explanation's metric values. All user text is escaped.
"""

from __future__ import annotations

import html
import math
from typing import TYPE_CHECKING

from wordlight.viz.colors import level_scores, scale_for
from wordlight.viz.html import highlight_text

if TYPE_CHECKING:
    from wordlight.evaluation.compare import Comparison

_ESC = html.escape
_FONT = "system-ui,-apple-system,'Segoe UI',Roboto,Helvetica,Arial,sans-serif"
_TH = "text-align:left;padding:6px 10px;background:#f3f4f6;border-bottom:2px solid #d1d5db"
_TD = "padding:8px 10px;border-bottom:1px solid #e5e7eb;vertical-align:top"
_TEXT = "white-space:pre-wrap;line-height:1.9;overflow-wrap:anywhere"
_META = "margin-top:4px;font-size:12px;color:#4b5563"


def render_comparison(comparison: Comparison, *, max_texts: int | None = 50) -> str:
    """A standalone page (no network) with the table and up to ``max_texts`` texts."""
    from wordlight.evaluation.compare import higher_is_better

    c = comparison
    n = len(c.texts) if max_texts is None else min(max_texts, len(c.texts))
    head = "".join(
        f'<th style="{_TH}">{_ESC(m)} {"↑" if higher_is_better(m) else "↓"}</th>' for m in c.metrics
    )
    rows = []
    for method in c.methods:
        cells = []
        for metric in c.metrics:
            v = c.values[method][metric]
            finite = v[[math.isfinite(x) for x in v]]
            mean = finite.mean() if len(finite) else math.nan
            std = finite.std(ddof=1) if len(finite) > 1 else 0.0
            cells.append(f'<td style="{_TD}">{mean:.3f} ± {std:.3f}</td>')
        per_text = c.seconds[method] / max(len(c.texts), 1)
        rows.append(
            f'<tr><th style="{_TH}">{_ESC(method)}</th>{"".join(cells)}'
            f'<td style="{_TD}">{per_text:.3f}</td></tr>'
        )
    table = (
        f'<table style="border-collapse:collapse;margin:6px 0"><thead><tr>'
        f'<th style="{_TH}">method</th>{head}<th style="{_TH}">s / text</th></tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table>"
    )
    side = _side_by_side(c, n) if c.explanations else ""
    note = (
        f"<p>{len(c.texts)} texts, mean ± standard deviation over texts; "
        f"{_ESC(c.level)} level; showing {n} texts below.</p>"
    )
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        "<title>wordlight comparison</title>\n</head>\n"
        f'<body style="margin:16px;font-family:{_FONT};font-size:14px">\n'
        f"<h2>wordlight comparison</h2>{note}{table}{side}\n</body>\n</html>\n"
    )


def _side_by_side(c: Comparison, n: int) -> str:
    methods = [m for m in c.methods if m in c.explanations]
    scales = {m: scale_for(list(c.explanations[m][:n]), c.level, None) for m in methods}
    head = "".join(f'<th style="{_TH}">{_ESC(m)}</th>' for m in methods)
    rows = []
    for i in range(n):
        cells = []
        for m in methods:
            e = c.explanations[m][i]
            text = highlight_text(e, c.level, scales[m])
            meta = " · ".join(f"{k} {c.values[m][k][i]:.3f}" for k in c.metrics)
            total = float(level_scores(e, c.level).sum())
            cells.append(
                f'<td style="{_TD}"><div data-wl="text" style="{_TEXT}">{text}</div>'
                f'<div style="{_META}">target {_ESC(e.target_label)} · sum {total:.3g}'
                f"<br>{_ESC(meta)}</div></td>"
            )
        rows.append(f'<tr><td style="{_TD}">{i}</td>{"".join(cells)}</tr>')
    return (
        '<h3>Explanations side by side</h3><table style="border-collapse:collapse;width:100%">'
        f'<thead><tr><th style="{_TH}">#</th>{head}</tr></thead><tbody>{"".join(rows)}</tbody>'
        "</table>"
    )
