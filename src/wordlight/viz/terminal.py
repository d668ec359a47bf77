"""Explanations for a terminal: 24-bit ANSI backgrounds, or plain text with signed scores.

Colour is used when asked (``color=True``), or by default when the stream is a TTY, ``NO_COLOR``
is unset or empty (https://no-color.org) and ``TERM`` is not ``dumb``. Plain text keeps the
signs visible: every word is followed by its score, ``charm[+0.31]``, and the strongest words
for and against the target are listed. Unsigned methods (``colors.unsigned_meaning``) get no
"towards/against": their scores print without a sign, the highest ones are listed, and a legend
line says what the number means.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable
from typing import IO

import numpy as np

from wordlight.results import Explanation, LayerExplanation
from wordlight.viz.colors import (
    TEXT_RGB,
    check_level,
    format_score,
    level_scores,
    level_units,
    plain_score,
    scale_for,
    score_to_rgb,
    unsigned_meaning,
)
from wordlight.viz.prediction import directions, explained, prediction_line, prediction_parts

RESET = "\x1b[0m"
TOP_K = 5


def use_color(color: bool | None = None, stream: IO[str] | None = None) -> bool:
    """Whether to emit ANSI colours: ``color`` if given, else TTY and no ``NO_COLOR``."""
    if color is not None:
        return bool(color)
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("TERM") == "dumb":
        return False
    stream = sys.stdout if stream is None else stream
    isatty = getattr(stream, "isatty", None)
    try:
        return bool(isatty()) if callable(isatty) else False
    except (ValueError, OSError):  # a closed or detached stream
        return False


def render_terminal(
    explanations: Explanation | Iterable[Explanation],
    *,
    level: str = "word",
    color: bool | None = None,
    scale: float | None = None,
    stream: IO[str] | None = None,
) -> str:
    """The explanations as text for a terminal; ``stream`` (default stdout) only decides colour.

    Each explanation gets a header line (prediction, target, method, completeness delta), the
    text with every word (or token) coloured or followed by ``[score]``, and the top words.
    All explanations share one scale, the max ``|score|`` unless ``scale`` is given.
    """
    items = [explanations] if isinstance(explanations, Explanation) else list(explanations)
    check_level(level)
    shared = scale_for(items, level, scale)
    colored = use_color(color, stream)
    blocks = [_block(i, e, level, shared, colored) for i, e in enumerate(items, 1)]
    meanings = [unsigned_meaning(e) for e in items]
    for meaning in dict.fromkeys(m for m in meanings if m is not None):
        blocks.append(_unsigned_legend(shared, level, meaning, colored))
    signed = [e for e, m in zip(items, meanings, strict=True) if m is None]
    if colored and signed:
        blocks.append(_legend(shared, level, directions(signed)))
    return "\n\n".join(blocks) + ("\n" if blocks else "")


def header(explanation: Explanation, index: int | None = None) -> str:
    """``[1] predicted: positive (0.91) | target: positive | method: ... | delta: ...``."""
    e = explanation
    parts = prediction_parts(e)  # a value (regression), each label's probability (multi-label)
    if e.true_label is not None:
        parts.append(f"true: {e.true_label}")
    parts.append(f"method: {e.method}")
    if e.n_steps is not None:
        parts.append(f"steps: {e.n_steps}")
    if e.completeness_delta is not None:
        parts.append(f"delta: {e.completeness_delta:.3g}")
    if e.max_token_error is not None:
        parts.append(f"token error: {e.max_token_error:.2g}")
    prefix = f"[{index}] " if index is not None else ""
    return prefix + " | ".join(parts)


def _block(index: int, e: Explanation, level: str, scale: float, colored: bool) -> str:
    scores = level_scores(e, level)
    units = level_units(e, level)
    signed = unsigned_meaning(e) is None
    body = _highlight(e.text, units, scores, scale, colored, signed)
    lines = [header(e, index), body]
    unit = "words" if level == "word" else "tokens"
    if not signed:  # a size, no direction: the total and the highest, no sign
        total = plain_score(float(scores.sum()), scale)
        lines.append(f"  total: {total}  (sum of {len(units)} {unit})")
        top = [i for i in np.argsort(-scores, kind="stable") if scores[i] > 0][:TOP_K]
        if top:
            shown = ", ".join(f"{units[i][0]} {plain_score(scores[i], scale)}" for i in top)
            lines.append(f"  highest: {shown}")
        return "\n".join(lines)
    total = format_score(float(scores.sum()), scale)
    regression = e.head == "regression"
    meaning = "+ raises the value" if regression else f"+ towards {e.target_label}"
    lines.append(f"  total: {total}  (sum of {len(units)} {unit}; {meaning})")
    order = np.argsort(-np.abs(scores), kind="stable")
    pro = [i for i in order if scores[i] > 0][:TOP_K]
    con = [i for i in order if scores[i] < 0][:TOP_K]
    for sign, picks in (("+", pro), ("-", con)):
        if picks:
            shown = ", ".join(f"{units[i][0]} {format_score(scores[i], scale)}" for i in picks)
            if regression:
                name = "raising the value" if sign == "+" else "lowering the value"
            else:
                name = ("towards " if sign == "+" else "against ") + e.target_label
            lines.append(f"  {name}: {shown}")
    return "\n".join(lines)


def _highlight(
    text: str,
    units: list[tuple[str, int, int]],
    scores: np.ndarray,
    scale: float,
    colored: bool,
    signed: bool = True,
) -> str:
    """The text with each unit coloured, or followed by ``[score]``; gaps copied verbatim."""
    parts: list[str] = []
    cursor = 0
    fg = "\x1b[38;2;{};{};{}m".format(*TEXT_RGB)
    for (_, start, end), score in sorted(zip(units, scores, strict=True), key=lambda u: u[0][1:]):
        start = max(start, cursor)
        if end <= start:
            continue
        parts.append(text[cursor:start])
        piece = text[start:end]
        if colored:
            r, g, b = score_to_rgb(float(score), scale, signed)
            parts.append(f"\x1b[48;2;{r};{g};{b}m{fg}{piece}{RESET}")
        else:
            shown = (format_score if signed else plain_score)(float(score), scale)
            parts.append(f"{piece}[{shown}]")
        cursor = end
    parts.append(text[cursor:])
    return "".join(parts)


def _legend(scale: float, level: str, words: tuple[str, str]) -> str:
    fg = "\x1b[38;2;{};{};{}m".format(*TEXT_RGB)

    def chip(score: float, label: str) -> str:
        r, g, b = score_to_rgb(score, scale)
        return f"\x1b[48;2;{r};{g};{b}m{fg} {label} {RESET}"

    unit = "word" if level == "word" else "token"
    return (
        f"{chip(-scale, words[0])} {chip(0.0, 'neutral')} {chip(scale, words[1])};"
        f" full colour at |{unit} score| >= {scale:.3g}"
    )


def render_layer_table(results: LayerExplanation | Iterable[LayerExplanation]) -> str:
    """Plain text: for each result a row per layer, a column per position (special included)."""
    from wordlight.viz.layer_plots import layer_names

    items = [results] if isinstance(results, LayerExplanation) else list(results)
    blocks = []
    for result in items:
        labels = result.token_labels
        width = max(8, *(len(t) for t in labels))
        answer = prediction_line(result)  # a value (regression), each label (multi-label)
        lines = [f"{result.text}  [{result.method} -> {explained(result)}]  {answer}"]
        lines.append("layer " + "".join(f"{t:>{width + 1}}" for t in labels))
        for name, row in zip(layer_names(result), result.scores, strict=True):
            lines.append(f"{name:<6}" + "".join(f"{v:>+{width + 1}.3f}" for v in row))
        blocks.append("\n".join(lines) + "\n\n")
    return "".join(blocks)


def _unsigned_legend(scale: float, level: str, meaning: str, colored: bool) -> str:
    """The one-colour scale (when coloured) and what an unsigned number means."""
    unit = "word" if level == "word" else "token"
    text = f"score = {meaning}"
    if not colored:
        return text
    fg = "\x1b[38;2;{};{};{}m".format(*TEXT_RGB)
    chips = [
        "\x1b[48;2;{};{};{}m{}{}{}".format(*score_to_rgb(v, scale, False), fg, f" {lab} ", RESET)
        for v, lab in ((0.0, "0"), (scale / 2, "half"), (scale, "full"))
    ]
    return f"{' '.join(chips)} full colour at {unit} score >= {scale:.3g}; {text}"
