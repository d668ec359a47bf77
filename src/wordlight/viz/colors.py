"""The one colour scale every renderer uses, and the units (words or tokens) it colours.

Symmetric and signed: 0 is white; a positive score (towards the target class) is green, a negative
one (against it) red; the intensity grows linearly with ``|score| / scale`` and saturates at
``|score| >= scale``. Like Captum's ``visualize_text`` the two hues share saturation and
lightness (HSL hue 120 = green, 0 = red), so ``score_to_rgb(-s)`` is ``score_to_rgb(s)`` with
red and green swapped.
The darkest colour keeps 60 % lightness so dark text stays readable on it (contrast >= 5:1).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

import numpy as np

from wordlight.errors import InputError, one_of

if TYPE_CHECKING:
    from wordlight.results import Explanation

LEVELS = ("word", "token")
SATURATION = 0.75
MIN_LIGHTNESS = 0.60  # lightness at full intensity; 1.0 (white) at score 0
TEXT_RGB = (17, 17, 17)  # dark text on every background of the scale


def intensity(score: float, scale: float) -> float:
    """How strongly ``score`` is coloured, in [0, 1]: ``|score| / scale`` clipped; 0 for NaN."""
    if not math.isfinite(score) or scale <= 0 or not math.isfinite(scale):
        return 0.0
    return min(abs(score) / scale, 1.0)


def score_to_rgb(score: float, scale: float) -> tuple[int, int, int]:
    """The background colour of ``score`` as integer ``(r, g, b)``; exactly white for 0."""
    amount = intensity(float(score), float(scale))
    lightness = 1.0 - (1.0 - MIN_LIGHTNESS) * amount
    chroma = (1.0 - abs(2.0 * lightness - 1.0)) * SATURATION  # HSL -> RGB for hues 0 and 120
    strong = round((lightness + chroma / 2.0) * 255)
    weak = round((lightness - chroma / 2.0) * 255)
    return (weak, strong, weak) if score > 0 else (strong, weak, weak)


def rgb_to_hex(rgb: tuple[int, int, int]) -> str:
    """``(255, 0, 16)`` -> ``"#ff0010"``."""
    return "#{:02x}{:02x}{:02x}".format(*rgb)


def score_to_hex(score: float, scale: float) -> str:
    """The background colour of ``score`` as a CSS hex string."""
    return rgb_to_hex(score_to_rgb(score, scale))


def check_level(level: str) -> str:
    if level not in LEVELS:
        raise one_of("level", level, LEVELS)
    return level


def check_scale(scale: float | None) -> float | None:
    if scale is not None and not (math.isfinite(scale) and scale > 0):
        raise InputError(f"scale must be a positive number, got {scale!r}")
    return scale


def level_scores(explanation: Explanation, level: str = "word") -> np.ndarray:
    """The scores of the words (or tokens)."""
    check_level(level)
    scores = explanation.word_scores if level == "word" else explanation.scores
    return np.asarray(scores, dtype=np.float64)


def level_units(explanation: Explanation, level: str = "word") -> list[tuple[str, int, int]]:
    """``(text, start, end)`` of each word (or token), in the order of :func:`level_scores`."""
    check_level(level)
    units: Sequence[object] = explanation.words if level == "word" else explanation.tokens
    return [(u.text, u.start, u.end) for u in units]  # type: ignore[attr-defined]


def scale_for(
    explanations: Iterable[Explanation], level: str = "word", scale: float | None = None
) -> float:
    """The shared scale: ``scale`` if given, else the max ``|score|`` over all; 1.0 if all zero."""
    if check_scale(scale) is not None:
        return float(scale)  # type: ignore[arg-type]
    peak = 0.0
    for explanation in explanations:
        scores = np.abs(level_scores(explanation, level))
        scores = scores[np.isfinite(scores)]
        if scores.size:
            peak = max(peak, float(scores.max()))
    return peak if peak > 0 else 1.0


def decimals_for(scale: float) -> int:
    """Decimals that show scores on this scale with two significant digits (at least 2)."""
    if not math.isfinite(scale) or scale <= 0:
        return 2
    return max(2, 1 - math.floor(math.log10(scale)))


def format_score(score: float, scale: float) -> str:
    """A signed score with as many decimals as its scale needs: ``+0.31``, ``-0.0042``."""
    return f"{score:+.{decimals_for(scale)}f}"


def exact_score(score: float) -> str:
    """The shortest string that round-trips the score, with its sign: ``+0.3125``."""
    value = float(score)
    return repr(value) if value < 0 or math.isnan(value) else f"+{value!r}"
