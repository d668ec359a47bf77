"""Views of unsigned methods (information, saliency with norm="l2"): no towards/against, one
colour scale, a legend saying what the number means: terminal, HTML and PNG."""

from __future__ import annotations

import math
import re

import numpy as np
import pytest

from tests.unit.test_viz import make
from wordlight.methods import LAYER_METHODS, METHODS
from wordlight.results import LayerExplanation, Token
from wordlight.viz import render_html, render_terminal
from wordlight.viz.colors import score_to_hex, score_to_rgb, unsigned_meaning

SCORES = [0.2, 1.3, 0.0, 0.7, 0.4]  # "Rare birds have enough charm"
TEXT = "Rare birds have enough charm"


def information(**kw: object):
    kw.setdefault("params", {"layer": 3, "scale": 0.5})
    return make(TEXT, SCORES, method="information", completeness_delta=None, **kw)


def test_signedness_comes_from_the_method_and_its_params() -> None:
    assert unsigned_meaning(information()) == METHODS["information"].meaning
    assert "information" in METHODS["information"].meaning
    l2 = make(TEXT, SCORES, method="saliency", params={"norm": "l2"})
    signed = make(TEXT, SCORES, method="saliency", params={"norm": "signed"})
    assert unsigned_meaning(l2) is not None and unsigned_meaning(signed) is None
    for name in ("integrated_gradients", "lime", "shap", "occlusion", "no_such_method"):
        assert unsigned_meaning(make(TEXT, SCORES, method=name, params={})) is None
    assert not LAYER_METHODS["information"].signed
    assert LAYER_METHODS["layer_integrated_gradients"].signed


def test_unsigned_colour_is_one_hue_growing_from_white() -> None:
    assert score_to_rgb(0.0, 1.0, signed=False) == (255, 255, 255)
    previous = 255 * 3
    for s in (0.1, 0.4, 0.8, 1.0):
        r, g, b = score_to_rgb(s, 1.0, signed=False)
        assert b > g > r  # blue, never the signed scale's green or red
        assert r + g + b < previous  # darker with the score
        previous = r + g + b
    assert score_to_rgb(3.0, 1.0, signed=False) == score_to_rgb(1.0, 1.0, signed=False)
    # HSL(210°, 75 %, 60 %) at full colour; the signed scale (HSL 120°) is unchanged
    assert score_to_rgb(1.0, 1.0, signed=False) == (76, 153, 230)
    assert score_to_rgb(1.0, 1.0) == (76, 230, 76)


def test_terminal_plain_has_no_direction_and_says_what_the_number_means() -> None:
    out = render_terminal([information()], color=False)
    assert "towards" not in out and "against" not in out and "+" not in out
    assert "charm[0.40]" in out and "birds[1.30]" in out and "have[0.00]" in out
    assert "total: 2.60  (sum of 5 words)" in out
    assert "highest: birds 1.30, enough 0.70, charm 0.40, Rare 0.20" in out  # 'have' (0) left out
    assert METHODS["information"].meaning in out


def test_terminal_colour_uses_the_one_colour_scale_and_legend() -> None:
    out = render_terminal([information()], color=True)
    backgrounds = re.findall(r"\x1b\[48;2;(\d+);(\d+);(\d+)m", out)
    expected = {score_to_rgb(s, 1.3, signed=False) for s in SCORES}
    assert {tuple(map(int, b)) for b in backgrounds} <= expected | {
        score_to_rgb(v, 1.3, signed=False) for v in (0.0, 0.65, 1.3)
    }
    assert "towards" not in out and "against" not in out
    assert "full colour at word score >= 1.3" in out


def test_terminal_mixed_signed_and_unsigned_keeps_each_view() -> None:
    signed = make(TEXT, [0.5, -0.5, 0.1, 0.2, -0.1])
    out = render_terminal([signed, information()], color=False)
    first, second = out.split("\n\n")[:2]
    assert "towards positive" in first and "against positive" in first
    assert "towards" not in second and "highest:" in second


def test_html_unsigned_row_legend_and_colours() -> None:
    page = render_html([information()])
    marks = re.findall(r'<mark style="background:(#[0-9a-f]{6});[^"]*" title="([^"]*)"', page)
    assert len(marks) == len(SCORES)
    for (colour, title), s in zip(marks, SCORES, strict=True):
        assert colour == score_to_hex(s, 1.3, signed=False)
        assert float(title.split(": ")[1]) == pytest.approx(s) and "+" not in title
    assert 'data-wl="unsigned-legend"' in page
    assert "against the target" not in page and "towards the target" not in page
    assert METHODS["information"].meaning.split(",")[0] in page
    cells = re.findall(r"<td[^>]*>([^<]*)</td>", page)
    assert "2.60" in cells and "+2.60" not in cells  # the total has no sign


def test_html_signed_page_is_unchanged() -> None:
    page = render_html([make(TEXT, [0.5, -0.5, 0.1, 0.2, -0.1])])
    assert "towards the target" in page and 'data-wl="unsigned-legend"' not in page


def fake_layers(method: str, scores: np.ndarray) -> LayerExplanation:
    tokens = (Token("[CLS]", 0, 0), Token("good", 0, 4), Token("fun", 5, 8), Token("[SEP]", 8, 8))
    return LayerExplanation(
        text="good fun", tokens=tokens, special=(True, False, False, True), layers=(1, 2),
        scores=scores, target=0, target_label="negative", labels=("negative", "positive"),
        probabilities=np.array([0.4, 0.6]), method=method,
        params={"scale": 0.5, "hidden_size": 4},
    )  # fmt: skip


def test_png_heatmap_of_information_is_one_colour_from_zero() -> None:
    pytest.importorskip("matplotlib")
    from wordlight.viz import layer_heatmap

    scores = np.array([[math.nan, 1.0, 0.2, math.nan], [math.nan, 2.0, 0.5, math.nan]])
    fig = layer_heatmap(fake_layers("information", scores))
    image = fig.axes[0].images[0]
    assert image.norm.vmin == 0.0 and image.norm.vmax == pytest.approx(2.0)
    cmap, norm = image.cmap, image.norm
    np.testing.assert_allclose(cmap(norm(0.0))[:3], (1.0, 1.0, 1.0), atol=1 / 255)
    full = np.array(score_to_rgb(1.0, 1.0, signed=False)) / 255
    np.testing.assert_allclose(cmap(norm(2.0))[:3], full, atol=2 / 255)
    title = fig.axes[0].get_title()
    assert "→" not in title and "negative" not in title and "information the layer" in title
    assert "unsigned" in fig.axes[1].get_ylabel()
