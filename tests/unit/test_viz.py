"""Renderers: the shared colour scale, HTML (escaping, offline, text kept), terminal, frames."""

from __future__ import annotations

import html
import io
import re
import subprocess
import sys

import numpy as np
import pytest

from wordlight.errors import InputError
from wordlight.results import Explanation, Token
from wordlight.viz import (
    explanation_frame,
    explanations_frame,
    render_html,
    render_terminal,
    save_html,
)
from wordlight.viz.colors import intensity, scale_for, score_to_hex, score_to_rgb

ESC = "\x1b["


def make(text: str, scores: list[float] | None = None, **kw: object) -> Explanation:
    """An explanation with one token per regex word of ``text``."""
    tokens = tuple(Token(m.group(), m.start(), m.end()) for m in re.finditer(r"\w+|[^\w\s]", text))
    values = np.linspace(-0.5, 0.8, len(tokens)) if scores is None else np.asarray(scores)
    fields: dict[str, object] = {
        "target": 1,
        "target_label": "positive",
        "labels": ("negative", "positive"),
        "probabilities": np.array([0.1, 0.9]),
        "method": "integrated_gradients",
        "params": {"n_steps": 50, "baseline": "pad"},
        "completeness_delta": 0.0012,
        "n_steps": 50,
    }
    fields.update(kw)
    return Explanation(text=text, tokens=tokens, scores=values, **fields)  # type: ignore[arg-type]


def text_cells(page: str) -> list[str]:
    """The highlighted texts of a page, tags stripped and entities unescaped."""
    cells = re.findall(r'<div data-wl="text"[^>]*>(.*?)</div>', page, flags=re.S)
    return [html.unescape(re.sub(r"<[^>]+>", "", c)) for c in cells]


# --- colour scale ----------------------------------------------------------------------
def test_zero_is_exactly_white() -> None:
    assert score_to_rgb(0.0, 1.0) == (255, 255, 255)
    assert score_to_rgb(-0.0, 3.0) == (255, 255, 255)
    assert score_to_hex(0.0, 0.5) == "#ffffff"
    assert score_to_rgb(float("nan"), 1.0) == (255, 255, 255)


@pytest.mark.parametrize("score", [0.05, 0.3, 1.0, 7.0])
def test_sign_picks_green_or_red(score: float) -> None:
    r, g, b = score_to_rgb(score, 1.0)
    assert g > r and g > b
    r, g, b = score_to_rgb(-score, 1.0)
    assert r > g and r > b


@pytest.mark.parametrize("score", [0.01, 0.2, 0.37, 0.5, 0.99, 1.0, 2.0])
def test_scale_is_symmetric(score: float) -> None:
    assert intensity(score, 1.0) == intensity(-score, 1.0)
    r, g, b = score_to_rgb(score, 1.0)
    assert score_to_rgb(-score, 1.0) == (g, r, b)  # same lightness, red and green swapped


def test_intensity_grows_with_score_and_saturates() -> None:
    greens = [255 - score_to_rgb(s, 1.0)[0] for s in (0.0, 0.25, 0.5, 1.0, 3.0)]
    assert greens == sorted(greens) and greens[0] == 0 and greens[-1] == greens[-2]
    assert intensity(0.25, 0.5) == pytest.approx(0.5)
    # the strongest colour stays light enough for dark text (WCAG contrast with #111 >= 4.5)
    for rgb in (score_to_rgb(1.0, 1.0), score_to_rgb(-1.0, 1.0)):
        lin = [(c / 255 / 12.92) if c <= 10 else ((c / 255 + 0.055) / 1.055) ** 2.4 for c in rgb]
        lum = 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]
        assert (lum + 0.05) / (0.0056 + 0.05) >= 4.5


def test_scale_for_is_max_abs_over_all() -> None:
    a, b = make("good film", [0.2, -0.9]), make("bad", [0.4])
    assert scale_for([a, b]) == pytest.approx(0.9)
    assert scale_for([a, b], scale=2.0) == 2.0
    assert scale_for([make("x", [0.0])]) == 1.0  # all zero: any scale, no division by zero
    with pytest.raises(InputError):
        scale_for([a], scale=0.0)


# --- HTML ------------------------------------------------------------------------------
def test_html_escapes_text_and_labels() -> None:
    evil = make(
        "Great <script>alert('x')</script> & fun",
        target=0,
        target_label="<b>neg</b> & co",
        labels=("<b>neg</b> & co", "pos<img src=x>"),
        true_label="<i>t</i>",
        params={"note": "<script>p()</script>"},
        method="m<script>",
    )
    for page in (render_html([evil], title="<script>t</script>"), evil._repr_html_()):
        assert "<script" not in page.lower()
        assert "<b>" not in page and "<i>" not in page and "<img" not in page
        assert "&lt;script&gt;p()" in page and ">&amp;</mark>" in page
        assert "&lt;b&gt;neg&lt;/b&gt; &amp; co" in page
        assert text_cells(page) == [evil.text]


def test_standalone_page_needs_no_network() -> None:
    page = render_html([make("a fine film"), make("dull")], title="t")
    assert page.startswith("<!DOCTYPE html>") and page.rstrip().endswith("</html>")
    assert "http://" not in page and "https://" not in page
    for ref in ("<script", "<link", "src=", "href=", "@import", "url("):
        assert ref not in page.lower()


def test_fragment_is_not_a_page() -> None:
    fragment = render_html([make("ok")], standalone=False)
    assert "<html" not in fragment and "<!DOCTYPE" not in fragment
    assert fragment.startswith("<div") and "</table>" in fragment


def test_html_keeps_words_in_order_and_original_text() -> None:
    text = "The film's  charm,\ncan't hide (a) dull plot!"
    e = make(text)
    page = render_html([e])
    marks = re.findall(r"<mark[^>]*>(.*?)</mark>", page)
    assert [html.unescape(m) for m in marks] == [w.text for w in e.words]
    assert text_cells(page) == [text]
    scores = [float(s) for s in re.findall(r'data-score="([^"]+)"', page)]
    assert scores == e.word_scores.tolist()  # the exact score, not a rounded one


def test_html_colours_follow_the_shared_scale() -> None:
    a, b = make("good", [0.5]), make("bad", [-1.0])
    page = render_html([a, b])
    assert f"background:{score_to_hex(0.5, 1.0)}" in page
    assert f"background:{score_to_hex(-1.0, 1.0)}" in page
    assert "≥ 1" in html.unescape(page)  # the legend shows the scale
    assert "Negative" in page and "Neutral" in page and "Positive" in page
    forced = render_html([a], scale=2.0)
    assert f"background:{score_to_hex(0.5, 2.0)}" in forced


def test_html_token_level_and_table_cells() -> None:
    text = "Unbelievably boring."
    tokens = (Token("Un", 0, 2), Token("##believ", 2, 8), Token("##ably", 8, 12))
    tokens += (Token("boring", 13, 19), Token(".", 19, 20))
    e = Explanation(
        text=text,
        tokens=tokens,
        scores=np.array([0.1, -0.3, -0.1, -0.5, 0.0]),
        target=0,
        target_label="negative",
        labels=("negative", "positive"),
        probabilities=np.array([0.88, 0.12]),
        method="occlusion",
    )
    words = re.findall(r"<mark[^>]*>(.*?)</mark>", render_html(e))
    tokens_html = re.findall(r"<mark[^>]*>(.*?)</mark>", render_html(e, level="token"))
    assert words == ["Unbelievably", "boring", "."]
    assert tokens_html == ["Un", "believ", "ably", "boring", "."]
    page = render_html(e, level="token")
    assert "Token importance" in page and text_cells(page) == [text]
    cells = re.findall(r"<td[^>]*>(.*?)</td>", page, flags=re.S)
    assert cells[:4] == ["—", "negative (0.88)", "negative", "-0.80"]
    with pytest.raises(InputError):
        render_html(e, level="sentence")


def test_caption_shows_method_params_delta(tmp_path) -> None:  # type: ignore[no-untyped-def]
    e = make("fine", completeness_delta=0.0123, true_label="positive")
    page = save_html([e], tmp_path / "out.html").read_text(encoding="utf-8")
    assert "integrated_gradients" in page and "n_steps=50" in page and "baseline=pad" in page
    assert "0.0123" in page
    assert re.search(r"<td[^>]*>positive</td>", page)  # the true label column


# --- terminal --------------------------------------------------------------------------
class FakeTTY(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_terminal_no_color_and_non_tty_are_plain(monkeypatch: pytest.MonkeyPatch) -> None:
    e = make("a charming film", [0.1, 0.31, -0.2])
    monkeypatch.setenv("NO_COLOR", "1")
    assert ESC not in render_terminal(e, stream=FakeTTY())
    monkeypatch.delenv("NO_COLOR")
    monkeypatch.delenv("TERM", raising=False)
    assert ESC not in render_terminal(e, stream=io.StringIO())  # not a TTY
    assert ESC in render_terminal(e, stream=FakeTTY())
    monkeypatch.setenv("NO_COLOR", "")  # empty means unset
    assert ESC in render_terminal(e, stream=FakeTTY())
    assert ESC not in render_terminal(e, color=False, stream=FakeTTY())


def test_terminal_color_true_gives_24bit_backgrounds(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NO_COLOR", "1")  # an explicit color=True wins
    out = render_terminal(make("good bad", [1.0, -1.0]), color=True, stream=io.StringIO())
    r, g, b = score_to_rgb(1.0, 1.0)
    assert f"\x1b[48;2;{r};{g};{b}m" in out and "\x1b[0m" in out
    assert "\x1b[48;2;{};{};{}m".format(*score_to_rgb(-1.0, 1.0)) in out
    stripped = re.sub(r"\x1b\[[0-9;]*m", "", out)
    assert "good bad" in stripped


def test_terminal_plain_shows_signed_scores_and_header() -> None:
    e = make("a charming film", [0.1, 0.31, -0.2], completeness_delta=0.004)
    out = render_terminal(e, color=False)
    assert "a[+0.10] charming[+0.31] film[-0.20]" in out
    first = out.splitlines()[0]
    assert "predicted: positive (0.90)" in first and "target: positive" in first
    assert "integrated_gradients" in first and "delta: 0.004" in first
    assert "towards positive: charming +0.31, a +0.10" in out
    assert "against positive: film -0.20" in out


def test_terminal_keeps_spacing_and_small_scales() -> None:
    e = make("x,  y\nz", [0.001, -0.002, 0.0005, 0.0])
    out = render_terminal(e, color=False)
    assert "x[+0.0010],[-0.0020]  y[+0.0005]\nz[+0.0000]" in out


# --- frames ----------------------------------------------------------------------------
def test_word_frame_equals_word_scores() -> None:
    e = make("Unbelievably dull, truly.", [0.2, -0.7, 0.05, 0.3, -0.1])
    frame = explanation_frame(e)
    assert list(frame.columns) == ["word", "start", "end", "score", "token_indices"]
    assert frame["word"].tolist() == [w.text for w in e.words]
    assert frame["start"].tolist() == [w.start for w in e.words]
    assert frame["end"].tolist() == [w.end for w in e.words]
    np.testing.assert_array_equal(frame["score"].to_numpy(), e.word_scores)
    assert frame["token_indices"].tolist() == [w.token_indices for w in e.words]
    assert e.to_frame().equals(frame)


def test_token_frame_and_long_format() -> None:
    a, b = make("good film", [0.4, 0.1]), make("bad.", [-0.6, 0.02], method="lime")
    tokens = explanation_frame(a, level="token")
    assert list(tokens.columns) == ["token", "start", "end", "score"]
    np.testing.assert_array_equal(tokens["score"].to_numpy(), a.scores)
    long = explanations_frame([a, b])
    assert long["text_index"].tolist() == [0, 0, 1, 1]
    assert long["method"].tolist() == ["integrated_gradients"] * 2 + ["lime"] * 2
    np.testing.assert_array_equal(
        long["score"].to_numpy(), np.concatenate([a.word_scores, b.word_scores])
    )


def test_frame_without_pandas_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "pandas", None)
    with pytest.raises(InputError, match=r"pip install 'wordlight\[viz\]'"):
        explanation_frame(make("ok", [1.0]))


def test_import_does_not_load_pandas_or_matplotlib() -> None:
    code = (
        "import sys, wordlight.viz; "
        "print(sorted(m for m in ('pandas', 'matplotlib') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
