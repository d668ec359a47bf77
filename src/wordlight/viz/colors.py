"""The one colour scale every renderer uses, and the units (words or tokens) it colours.

Symmetric and signed: 0 is white; a positive score (towards the target class) is green, a negative
one (against it) red; the intensity grows linearly with ``|score| / scale`` and saturates at
``|score| >= scale``. Like Captum's ``visualize_text`` the two hues share saturation and
lightness (HSL hue 120 = green, 0 = red), so ``score_to_rgb(-s)`` is ``score_to_rgb(s)`` with
red and green swapped.
The darkest colour keeps 60 % lightness so dark text stays readable on it (contrast >= 5:1).

Unsigned methods (the information method, saliency with ``norm="l2"``: see
:func:`unsigned_meaning`) get a one-colour scale instead: white at 0 to blue (HSL hue 210) at
``score >= scale``, with the same saturation and lightness, and no towards/against wording.
"""

from __future__ import annotations

import colorsys
import math
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from wordlight.errors import InputError, one_of

if TYPE_CHECKING:
    from wordlight.results import Explanation

LEVELS = ("word", "token")
SATURATION = 0.75
MIN_LIGHTNESS = 0.60  # lightness at full intensity; 1.0 (white) at score 0
TEXT_RGB = (17, 17, 17)  # dark text on every background of the scale
UNSIGNED_HUE = 210 / 360  # blue: the one colour of unsigned scores


def intensity(score: float, scale: float) -> float:
    """How strongly ``score`` is coloured, in [0, 1]: ``|score| / scale`` clipped; 0 for NaN."""
    if not math.isfinite(score) or scale <= 0 or not math.isfinite(scale):
        return 0.0
    return min(abs(score) / scale, 1.0)


def score_to_rgb(score: float, scale: float, signed: bool = True) -> tuple[int, int, int]:
    """The background colour of ``score`` as integer ``(r, g, b)``; exactly white for 0.
    ``signed=False``: the one-colour scale of unsigned scores (blue, by ``|score|``)."""
    amount = intensity(float(score), float(scale))
    lightness = 1.0 - (1.0 - MIN_LIGHTNESS) * amount
    if not signed:
        rgb = colorsys.hls_to_rgb(UNSIGNED_HUE, lightness, SATURATION)
        return (round(rgb[0] * 255), round(rgb[1] * 255), round(rgb[2] * 255))
    chroma = (1.0 - abs(2.0 * lightness - 1.0)) * SATURATION  # HSL -> RGB for hues 0 and 120
    strong = round((lightness + chroma / 2.0) * 255)
    weak = round((lightness - chroma / 2.0) * 255)
    return (weak, strong, weak) if score > 0 else (strong, weak, weak)


def rgb_to_hex(rgb: tuple[int, int, int]) -> str:
    """``(255, 0, 16)`` -> ``"#ff0010"``."""
    return "#{:02x}{:02x}{:02x}".format(*rgb)


def score_to_hex(score: float, scale: float, signed: bool = True) -> str:
    """The background colour of ``score`` as a CSS hex string."""
    return rgb_to_hex(score_to_rgb(score, scale, signed))


def unsigned_meaning(result: object) -> str | None:
    """None when ``result`` (an Explanation or LayerExplanation) has signed scores (towards /
    against the target); otherwise what its unsigned number means, for the legend. Decided by
    the method that made it (``scores_signed`` of its registry entry, with its params); a method
    not in the registries counts as signed."""
    from wordlight.methods import LAYER_METHODS, METHODS

    registry: Mapping[str, Any] = LAYER_METHODS if hasattr(result, "layers") else METHODS
    cls = registry.get(str(getattr(result, "method", "")))
    if cls is None or cls.scores_signed(getattr(result, "params", {}) or {}):
        return None
    return str(cls.meaning) or "an unsigned score: size only, no direction"


def all_unsigned(results: Iterable[object]) -> str | None:
    """The shared meaning when every result is unsigned (and there is at least one), else None:
    the views then use the one-colour scale and legend."""
    meanings = [unsigned_meaning(r) for r in results]
    if not meanings or any(m is None for m in meanings):
        return None
    return meanings[0] if len(set(meanings)) == 1 else "unsigned scores: size only, no direction"


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


def plain_score(score: float, scale: float) -> str:
    """An unsigned score with as many decimals as its scale needs: ``0.31``."""
    return f"{score:.{decimals_for(scale)}f}"


def exact_score(score: float) -> str:
    """The shortest string that round-trips the score, with its sign: ``+0.3125``."""
    value = float(score)
    return repr(value) if value < 0 or math.isnan(value) else f"+{value!r}"
