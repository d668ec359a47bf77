"""Layer figures and report: column labels are the tokens, one shared signed scale with 0 white,
per-layer normalisation labelled, common histogram bins, information curves = the closed form."""

from __future__ import annotations

import base64
import math
import re

import numpy as np
import pytest

from tests.conftest import TEXTS
from wordlight import InputError, LayerIntegratedGradients, load_model
from wordlight.results import LayerExplanation
from wordlight.viz import (
    information_curves,
    layer_distribution,
    layer_heatmap,
    render_layer_report,
)
from wordlight.viz.colors import score_to_rgb

pytest.importorskip("matplotlib")


@pytest.fixture(scope="module")
def lig(tiny_bert):
    model = load_model(*tiny_bert)
    (result,) = LayerIntegratedGradients(n_steps=8, keep_dims=True).explain(model, TEXTS[0])
    return result, tiny_bert[1]


def test_each_column_is_labelled_with_its_own_token(lig):
    result, tok = lig
    fig = layer_heatmap(result)
    ax = fig.axes[0]
    labels = [t.get_text() for t in ax.get_xticklabels()]
    ids = tok(TEXTS[0])["input_ids"]
    expected = tok.convert_ids_to_tokens(ids)  # the tokenizer's own view, independently
    assert len(labels) == len(expected) == result.scores.shape[1]
    for label, piece in zip(labels, expected, strict=True):
        assert label == piece.removeprefix("##") or label.lower() == piece.removeprefix("##")
    assert [t.get_position()[0] for t in ax.get_xticklabels()] == list(range(len(labels)))
    shown = np.asarray(ax.images[0].get_array())
    np.testing.assert_array_equal(shown, result.scores)  # column i holds token i's scores


def test_heatmap_has_one_shared_signed_scale_with_white_zero(lig):
    result, _ = lig
    image = layer_heatmap(result).axes[0].images[0]
    peak = np.abs(result.scores).max()
    assert image.norm.vmin == pytest.approx(-peak) and image.norm.vmax == pytest.approx(peak)
    cmap, norm = image.cmap, image.norm
    np.testing.assert_allclose(cmap(norm(0.0))[:3], (1.0, 1.0, 1.0), atol=1 / 255)
    for sign in (-1.0, 1.0):  # the ends are the HTML renderer's full colours
        expected = np.array(score_to_rgb(sign, 1.0)) / 255
        np.testing.assert_allclose(cmap(norm(sign * peak))[:3], expected, atol=2 / 255)


def test_per_layer_normalisation_is_labelled_and_scales_each_row(lig):
    result, _ = lig
    fig = layer_heatmap(result, normalise=True)
    ax = fig.axes[0]
    shown = np.asarray(ax.images[0].get_array())
    np.testing.assert_allclose(np.abs(shown).max(axis=1), 1.0)
    np.testing.assert_allclose(
        shown * np.abs(result.scores).max(axis=1, keepdims=True), result.scores
    )
    assert "NORMALISED" in ax.get_title()
    assert "its layer's max" in fig.axes[1].get_ylabel()


def test_distribution_uses_common_bins_and_totals_per_layer(lig):
    result, _ = lig
    fig = layer_distribution(result, token="memor")
    box, hist, total = fig.axes[:3]
    i = result.token_labels.index("memor")
    for r, line in enumerate(box.lines[5::7][: len(result.layers)]):  # medians
        assert line.get_ydata()[0] == pytest.approx(np.median(result.dims[r, i]))
    edges = {tuple(np.round(p.get_xy()[::2, 0], 9)) for p in hist.patches}
    assert len(edges) == 1  # every layer's histogram on the same bin edges
    heights = [bar.get_height() for bar in total.patches]
    np.testing.assert_allclose(heights, result.scores.sum(1))
    np.testing.assert_allclose(heights, result.gap, atol=0.05 * abs(result.gap) + 1e-6)


def test_distribution_without_dims_or_unknown_token_says_so(lig):
    result, _ = lig
    bare = LayerExplanation.from_dict(result.to_dict())  # dims are not saved
    with pytest.raises(InputError, match="keep_dims=True"):
        layer_distribution(bare)
    with pytest.raises(InputError, match="not in this result"):
        layer_distribution(result, token="zebra")


def fake_information(scores: np.ndarray) -> LayerExplanation:
    from wordlight.results import Token

    tokens = (Token("[CLS]", 0, 0), Token("good", 0, 4), Token("fun", 5, 8), Token("[SEP]", 8, 8))
    return LayerExplanation(
        text="good fun", tokens=tokens, special=(True, False, False, True), layers=(1, 2),
        scores=scores, target=0, target_label="negative", labels=("negative", "positive"),
        probabilities=np.array([0.4, 0.6]), method="information",
        params={"scale": 0.5, "hidden_size": 4},
    )  # fmt: skip


def test_information_curves_plot_the_closed_form_loss():
    scores = np.array([[math.nan, 1.0, 0.0, math.nan], [math.nan, 2.0, 0.5, math.nan]])
    fig = information_curves(fake_information(scores))
    lines = fig.axes[0].get_lines()
    assert [line.get_label() for line in lines] == ["good", "fun"]
    for j, line in enumerate(lines):  # H = K/2 log(2πe) + K log σ, σ = scale e^-score, K = 4
        sigma = 0.5 * np.exp(-scores[:, 1 + j])
        np.testing.assert_allclose(line.get_ydata(), 2 * math.log(2 * math.pi * math.e)
                                   + 4 * np.log(sigma))  # fmt: skip
    assert [t.get_text() for t in fig.axes[1].get_yticklabels()] == ["good", "fun"]


def test_report_embeds_every_figure_as_png_and_escapes_text(lig):
    result, _ = lig
    page = render_layer_report([result], normalise=True, title="<b>x</b>")
    images = re.findall(r'src="data:image/png;base64,([^"]+)"', page)
    assert len(images) == 3  # shared heatmap, normalised heatmap, distribution
    assert all(base64.b64decode(i).startswith(b"\x89PNG\r\n\x1a\n") for i in images)
    assert "&lt;b&gt;x&lt;/b&gt;" in page and "<b>x</b>" not in page
    assert "http://" not in page and "https://" not in page and "<script" not in page


def test_profile_is_the_mean_abs_over_text_tokens_and_types():
    from wordlight.results import layer_profile
    from wordlight.viz import profile_plot

    a = fake_information(np.array([[9.0, 1.0, -2.0, 9.0], [9.0, 3.0, 4.0, 9.0]]))
    b = fake_information(np.array([[9.0, -5.0, 0.0, 9.0], [9.0, 1.0, 2.0, 9.0]]))
    profile = layer_profile([a, b])
    np.testing.assert_allclose(profile.mean_abs, [(1 + 2 + 5 + 0) / 4, (3 + 4 + 1 + 2) / 4])
    np.testing.assert_allclose(profile.by_type["good"], [3.0, 2.0])
    assert profile.counts == {"good": 2, "fun": 2} and profile.top_types(1) == ["fun"]
    lines = profile_plot(profile).axes[0].get_lines()
    np.testing.assert_allclose(lines[0].get_ydata(), profile.mean_abs)
    with pytest.raises(InputError, match="same layers"):
        layer_profile([a, LayerExplanation.from_dict({**a.to_dict(), "layers": [2, 3]})])
