"""Explanations as an HTML table, like Captum's ``visualize_text``; self-contained and offline.

Every piece of user text is escaped; styles are inline (no CDN, script, font or stylesheet link),
so the page works offline and the fragment renders the same in notebooks. The text shown for each
row is the original text sliced by character offsets, so its spacing and punctuation are kept.
Unsigned methods (``colors.unsigned_meaning``) get the one-colour scale, unsigned totals and a
legend saying what their number means instead of "towards/against the target".
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from wordlight.results import Explanation
from wordlight.viz.colors import (
    TEXT_RGB,
    check_level,
    exact_score,
    format_score,
    level_scores,
    level_units,
    plain_score,
    rgb_to_hex,
    scale_for,
    score_to_hex,
    unsigned_meaning,
)
from wordlight.viz.prediction import directions, label_probabilities, predicted_text

_TEXT = rgb_to_hex(TEXT_RGB)
_FONT = "system-ui,-apple-system,'Segoe UI',Roboto,Helvetica,Arial,sans-serif"
_BOX = f"font-family:{_FONT};font-size:14px;color:{_TEXT};background:#fff;max-width:100%"
_TABLE = "border-collapse:collapse;width:100%;margin:6px 0"
_TH = (
    "text-align:left;padding:6px 10px;background:#f3f4f6;border-bottom:2px solid #d1d5db;"
    "font-weight:600;white-space:nowrap;vertical-align:bottom"
)
_TD = "padding:8px 10px;border-bottom:1px solid #e5e7eb;vertical-align:top"
_TEXT_CELL = "white-space:pre-wrap;line-height:1.9;overflow-wrap:anywhere"
_MARK = f"color:{_TEXT};padding:1px 0;border-radius:2px;box-decoration-break:clone"
_META = "margin-top:4px;font-size:12px;color:#4b5563"
_ESC = html.escape

Explanations = Explanation | Iterable[Explanation]


def render_html(
    explanations: Explanations,
    *,
    level: str = "word",
    standalone: bool = True,
    title: str | None = None,
    scale: float | None = None,
) -> str:
    """An HTML table with one row per explanation and each word (or token) highlighted.

    Green pushes towards the attribution target, red against it; every row shares one colour
    scale, the max ``|score|`` over all rows unless ``scale`` is given. ``standalone=False``
    returns a fragment for notebooks; otherwise a complete page that needs no network.
    """
    items = _as_list(explanations)
    check_level(level)
    shared = scale_for(items, level, scale)
    unit = "Word" if level == "word" else "Token"
    heads = (
        "True label",
        "Predicted label (prob)",
        "Attribution label",
        "Attribution score",
        f"{unit} importance",
    )
    header = "".join(f'<th style="{_TH}">{_ESC(h)}</th>' for h in heads)
    rows = "".join(_row(e, level, shared) for e in items)
    if not items:
        rows = f'<tr><td style="{_TD}" colspan="5">No explanations.</td></tr>'
    body = (
        f'<div class="wordlight" style="{_BOX}">'
        + (f'<h2 style="font-size:18px;margin:4px 0 8px">{_ESC(title)}</h2>' if title else "")
        + _legends(items, shared, level)
        + f'<table style="{_TABLE}"><thead><tr>{header}</tr></thead>'
        + f"<tbody>{rows}</tbody></table></div>"
    )
    if not standalone:
        return body
    page_title = _ESC(title or "wordlight explanations")
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{page_title}</title>\n</head>\n"
        f'<body style="margin:16px;background:#fff">\n{body}\n</body>\n</html>\n'
    )


def save_html(explanations: Explanations, path: str | Path, **kwargs: Any) -> Path:
    """Write :func:`render_html` (a standalone page unless told otherwise) to ``path``."""
    kwargs.setdefault("standalone", True)
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(render_html(explanations, **kwargs), encoding="utf-8")
    return out


def highlight_text(explanation: Explanation, level: str, scale: float) -> str:
    """The text with each word (or token) in a coloured ``<mark>``; gaps are copied verbatim.

    Stripping the tags and unescaping gives back ``explanation.text`` exactly. Overlapping
    tokens are cut at the previous one's end; a token with nothing left to show is skipped.
    """
    text = explanation.text
    scores = level_scores(explanation, level)
    units = sorted(
        zip(level_units(explanation, level), scores, strict=True), key=lambda u: u[0][1:]
    )
    signed = unsigned_meaning(explanation) is None
    parts: list[str] = []
    cursor = 0
    for (unit_text, start, end), score in units:
        start = max(start, cursor)
        if end <= start:
            continue
        parts.append(_ESC(text[cursor:start]))
        tip = _ESC(f"{unit_text}: {exact_score(score) if signed else repr(float(score))}")
        style = f"background:{score_to_hex(score, scale, signed)};{_MARK}"
        parts.append(
            f'<mark style="{style}" title="{tip}" data-score="{_ESC(exact_score(score))}">'
            f"{_ESC(text[start:end])}</mark>"
        )
        cursor = end
    parts.append(_ESC(text[cursor:]))
    return "".join(parts)


def _row(explanation: Explanation, level: str, scale: float) -> str:
    e = explanation
    true_label = _ESC(e.true_label) if e.true_label is not None else "—"
    predicted = _ESC(predicted_text(e))  # "positive (0.91)", or "value: 3.71" (regression)
    if e.head == "multi_label":  # each label's own probability; predicted ones in bold
        predicted = "<br>".join(
            (f"<b>{_ESC(n)} {p:.2f}</b>" if on else f"{_ESC(n)} {p:.2f}")
            for n, p, on in label_probabilities(e)
        )
    target = _ESC(e.target_label)
    total = float(level_scores(e, level).sum())
    text = highlight_text(e, level, scale)
    shown = format_score if unsigned_meaning(e) is None else plain_score
    cells = (
        true_label,
        predicted,
        target,
        _ESC(shown(total, scale)),
        f'<div data-wl="text" style="{_TEXT_CELL}">{text}</div>'
        f'<div style="{_META}">{_ESC(caption(e))}</div>',
    )
    return "<tr>" + "".join(f'<td style="{_TD}">{c}</td>' for c in cells) + "</tr>"


def caption(explanation: Explanation) -> str:
    """One line on how the explanation was made: method, params, steps, completeness delta."""
    e = explanation
    parts = [e.method]
    if e.params:
        parts.append(", ".join(f"{k}={_param(v)}" for k, v in e.params.items()))
    if e.n_steps is not None and e.params.get("n_steps") != e.n_steps:
        parts.append(f"{e.n_steps} steps")
    if e.completeness_delta is not None:
        parts.append(f"completeness Δ {e.completeness_delta:.3g}")
    if e.max_token_error is not None:
        parts.append(f"token error ≤ {e.max_token_error:.2g} (est.)")
    if e.word_aggregation != "sum":
        parts.append(f"words: {e.word_aggregation}")
    return " · ".join(parts)


def _param(value: object) -> str:
    if isinstance(value, float):
        return f"{value:.4g}"
    if isinstance(value, Mapping):
        return "{" + ", ".join(f"{k}: {_param(v)}" for k, v in value.items()) + "}"
    if isinstance(value, Sequence) and not isinstance(value, str):
        return "[" + ", ".join(_param(v) for v in value) + "]"
    return str(value)


def _legends(items: list[Explanation], scale: float, level: str) -> str:
    """The signed legend if any row is signed, and one unsigned legend per meaning."""
    meanings = [unsigned_meaning(e) for e in items]
    parts = [_unsigned_legend(scale, level, m) for m in dict.fromkeys(meanings) if m is not None]
    signed = [e for e, m in zip(items, meanings, strict=True) if m is None]
    if not items or signed:
        parts.insert(0, _legend(scale, level, directions(signed)))
    return "".join(parts)


def _unsigned_legend(scale: float, level: str, meaning: str) -> str:
    """One colour from white (0) to blue (full): what the unsigned number means."""
    zero, full = score_to_hex(0.0, scale, False), score_to_hex(scale, scale, False)
    bar = (
        "display:inline-block;width:160px;height:12px;vertical-align:middle;"
        "border:1px solid #d1d5db;border-radius:3px;"
        f"background:linear-gradient(to right,{zero},{full})"
    )
    unit = "word" if level == "word" else "token"
    return (
        f'<div data-wl="unsigned-legend" style="font-size:13px;margin:4px 0 6px;line-height:2">'
        f'0 <span style="{bar}" title="colour scale"></span> full colour at {unit} score '
        f"&ge; {_ESC(f'{scale:.3g}')} · score = {_ESC(meaning)}</div>"
    )


def _legend(scale: float, level: str, words: tuple[str, str]) -> str:
    neg, pos = score_to_hex(-scale, scale), score_to_hex(scale, scale)
    chip = "display:inline-block;padding:0 6px;border-radius:3px;border:1px solid #d1d5db"
    bar = (
        "display:inline-block;width:160px;height:12px;vertical-align:middle;"
        "border:1px solid #d1d5db;border-radius:3px;"
        f"background:linear-gradient(to right,{neg},#ffffff 50%,{pos})"
    )
    unit = "word" if level == "word" else "token"
    items = (
        f'<span style="{chip};background:{neg}">Negative</span> {_ESC(words[0])}',
        f'<span style="{chip};background:#ffffff">Neutral</span>',
        f'<span style="{chip};background:{pos}">Positive</span> {_ESC(words[1])}',
        f'<span style="{bar}" title="colour scale"></span> full colour at '
        f"|{unit} score| &ge; {_ESC(f'{scale:.3g}')}",
    )
    gap = '<span style="display:inline-block;width:18px"></span>'
    return f'<div style="font-size:13px;margin:4px 0 6px;line-height:2">{gap.join(items)}</div>'


def _as_list(explanations: Explanations) -> list[Explanation]:
    if isinstance(explanations, Explanation):
        return [explanations]
    return list(explanations)
