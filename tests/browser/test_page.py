"""The page in headless chromium: highlights, rows, compare, jobs, diff, share, layers, XSS."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.web.conftest import ROWS

pytestmark = pytest.mark.browser
TIMEOUT = 60_000


def open_page(page, url, query=""):
    page.goto(f"{url}/{query}")
    page.wait_for_selector("body[data-loaded]", timeout=TIMEOUT)


def explain(page, text, model="linear", method="integrated_gradients"):
    page.select_option("#model", model)
    page.select_option("#method", method)
    if method == "integrated_gradients":
        page.select_option("#params-output", "logit")
    page.fill("#text", text)
    page.evaluate("document.body.removeAttribute('data-ready')")
    page.click("#run-explain")
    page.wait_for_selector("body[data-ready=explain]", timeout=TIMEOUT)


def rgb(css):
    return [int(v) for v in re.findall(r"\d+", css)[:3]]


def spans(page, box="#highlights"):
    return page.eval_on_selector_all(
        f"{box} span.w",
        "els => els.map(e => [e.textContent, Number(e.dataset.score),"
        " getComputedStyle(e).backgroundColor])",
    )


def test_typed_text_shows_highlights_with_the_right_colours_and_signs(page, url, live_app, shot):
    open_page(page, url)
    text = "a good movie with charm but a bad plot"
    explain(page, text)
    module, vocab = live_app[1].state.linear
    found = spans(page)
    assert [w for w, _, _ in found] == text.split()
    target = ["neg", "pos"].index(page.inner_text("#legend").split("“")[1].split("”")[0])
    emb, w = module.embedding.weight.detach(), module.head.weight[target].detach()
    for word, score, colour in found:
        expected = float((emb[vocab[word]] - emb[0]) @ w)  # IG's closed form on a linear model
        assert score == pytest.approx(expected, rel=1e-3, abs=1e-4)
        r, g, _ = rgb(colour)
        assert (g > r) if score > 0 else (r > g), (word, score, colour)  # green +, red -
    strongest = max(found, key=lambda s: abs(s[1]))
    assert max(rgb(strongest[2])) - min(rgb(strongest[2])) > 80  # full intensity at the max
    rows = page.eval_on_selector_all(
        "#scores tbody tr", "rs => rs.map(r => r.cells[1].textContent)"
    )
    assert rows == text.split()
    assert "completeness delta" in page.inner_text("#delta")
    assert "comprehensiveness" in page.inner_text("#delta")
    page.click("#scores th[data-key=score]")  # sort by |score|, largest first
    first = page.eval_on_selector("#scores tbody tr", "r => r.cells[1].textContent")
    assert first == strongest[0]
    page.select_option("#level", "token")
    assert len(spans(page)) == len(text.split())  # one token per word for this tokenizer
    shot("explain")


def test_pick_a_data_set_row(page, url):
    open_page(page, url)
    page.click("#data-panel summary")
    page.select_option("#dataset", "toy")
    page.fill("#row-index", "4")
    page.click("#pick-row")
    page.wait_for_function(f"() => document.getElementById('text').value === {ROWS[4][0]!r}")
    assert "true label pos" in page.inner_text("#row-info")
    page.select_option("#f-label", "neg")
    for _ in range(3):
        page.click("#pick-random")
        page.wait_for_function(
            "() => document.getElementById('row-info').textContent.includes('neg')"
        )
        assert page.input_value("#text") in [t for t, label, _ in ROWS if label == "neg"]
    page.select_option("#f-correct", "true")
    page.click("#list-rows")
    page.wait_for_selector("#rows-table tbody tr")
    listed = page.eval_on_selector_all(
        "#rows-table tbody tr", "rs => rs.map(r => r.cells[1].textContent)"
    )
    assert listed and set(listed) == {"neg"}
    page.select_option("#f-correct", "")
    page.select_option("#f-label", "")
    page.select_option("#f-column", "group")  # the toy set's extra column
    page.fill("#f-value", "e2")
    page.click("#list-rows")
    expected = [i for i, (_, _, group) in enumerate(ROWS) if group == "e2"]  # [2, 3, 5, 7]
    page.wait_for_function(
        "want => JSON.stringify([...document.querySelectorAll('#rows-table tbody tr')]"
        ".map(r => Number(r.cells[0].textContent))) === JSON.stringify(want)",
        arg=expected,
    )
    assert page.inner_text("#row-info") == f"{len(expected)} matching rows"


def test_compare_methods_and_two_models(page, url, shot):
    open_page(page, url)
    page.fill("#text", "a good movie with charm but a bad plot")
    page.click("#tab-compare")
    page.select_option("#compare-model2", "tiny")
    # saliency's L2 norms are all equal on the linear bag (no rank order): swap it for occlusion
    page.uncheck("#compare-methods input[value=saliency]")
    page.check("#compare-methods input[value=occlusion]")
    page.click("#run-compare")
    page.wait_for_selector("body[data-ready=compare]", timeout=TIMEOUT)
    cards = page.eval_on_selector_all(
        ".card", "cs => cs.map(c => [c.dataset.model, c.dataset.method])"
    )
    methods = ["gradient_x_input", "integrated_gradients", "occlusion"]
    assert cards == [[m, x] for m in ("linear", "tiny") for x in methods]
    badges = page.eval_on_selector_all(".card .badge.comp", "bs => bs.map(b => b.textContent)")
    assert len(badges) == 6 and all(b.startswith("comp ") for b in badges)
    diagonal = page.eval_on_selector_all(
        "#agreement tr", "rs => rs.slice(1).map((r, i) => r.cells[i + 1].textContent)"
    )
    assert diagonal == ["1.00"] * 6
    shot("compare")


def test_slow_job_shows_progress_and_cancels(page, url, shot):
    open_page(page, url)
    page.select_option("#model", "tiny")
    page.fill("#text", "a good movie with charm")
    page.click("#tab-layers")
    page.select_option("#layer-method", "information")
    page.select_option("#layer-params-regularization", "self")
    page.fill("#layer-params-max_iterations", "2000")  # long: the cancel lands mid-layer
    page.fill("#layer-params-tolerance", "0.000001")
    page.click("#run-layers")
    page.wait_for_function(
        "() => document.getElementById('job-stage').textContent.startsWith('running')",
        timeout=TIMEOUT,
    )
    assert page.is_visible("#job-progress")
    assert re.search(r"running (0|50)% layer", page.inner_text("#job-stage"))
    shot("job-progress")
    page.click("#job-cancel")
    page.wait_for_function(
        "() => document.getElementById('status').textContent === 'cancelled'", timeout=TIMEOUT
    )
    assert not page.is_visible("#job")
    assert page.inner_text("#error") == ""


def test_edit_a_word_and_see_the_diff(page, url, shot):
    open_page(page, url)
    page.select_option("#model", "linear")
    page.fill("#text", "a good movie with charm")
    page.click("#tab-edit")
    page.fill("#edited", "a very bad movie with charm")
    page.click("#run-diff")
    page.wait_for_selector("body[data-ready=edit]", timeout=TIMEOUT)
    ops = page.eval_on_selector_all("#diff tbody tr", "rs => rs.map(r => r.dataset.op)")
    assert ops == ["equal", "replace", "insert", "equal", "equal", "equal"]
    inserted = page.eval_on_selector("#diff tr.op-insert td.after", "c => c.textContent")
    assert inserted == "bad"
    assert "→" in page.inner_text("#diff-summary")
    shot("edit-diff")


def test_a_shared_url_reproduces_the_view(page, url, context):
    open_page(page, url)
    explain(page, "great fun but a boring plot")
    page.click("#share")
    shared = page.url
    assert "text=great+fun" in shared and "p.output=logit" in shared
    before = spans(page)
    other = context.new_page()
    other.goto(shared)
    other.wait_for_selector("body[data-ready=explain]", timeout=TIMEOUT)
    assert spans(other) == before
    assert other.input_value("#params-output") == "logit"
    # a data set row in the URL: the row's text comes back
    open_page(other, url, "?view=explain&model=linear&method=saliency&dataset=toy&row=2")
    other.wait_for_selector("body[data-ready=explain]", timeout=TIMEOUT)
    assert other.input_value("#text") == ROWS[2][0]


def test_layers_heatmap_with_hover_and_curves(page, url, shot):
    open_page(page, url)
    page.select_option("#model", "tiny")
    page.fill("#text", "a good movie")
    page.click("#tab-layers")
    page.fill("#layer-params-n_steps", "8")
    page.click("#run-layers")
    page.wait_for_selector("body[data-ready=layers]", timeout=TIMEOUT)
    box = page.eval_on_selector("#heatmap", "c => [c.width, c.height]")
    assert box[0] > 100 and box[1] > 100
    page.hover("#heatmap", position={"x": 75 + 5, "y": 80 + 30})  # first token, second layer
    tip = page.inner_text("#heat-tip")
    assert tip.startswith("layer 1 · [CLS]")
    legend = page.eval_on_selector_all("#curves-legend > span", "s => s.map(x => x.textContent)")
    assert legend == ["a", "good", "movie"]
    assert not page.is_disabled("#dl-png")
    with page.expect_download() as download:
        page.click("#dl-png")
    assert download.value.suggested_filename == "heatmap.png"
    shot("layers")


def test_a_text_with_markup_shows_as_text_and_runs_nothing(page, url, shot):
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    open_page(page, url)
    attack = "<img src=x onerror=alert(1)> <script>alert(2)</script>"
    explain(page, attack, method="saliency")
    assert page.eval_on_selector("#highlights", "e => e.textContent") == attack
    assert page.query_selector_all("#highlights img, #highlights script") == []
    assert page.query_selector_all("img") == []
    page.wait_for_timeout(300)
    assert dialogs == []
    shot("markup-as-text")


def test_downloads_json_and_html(page, url):
    import json

    open_page(page, url)
    explain(page, "a good movie")
    with page.expect_download() as d:
        page.click("#dl-json")
    saved = json.loads(Path(d.value.path()).read_text(encoding="utf-8"))
    from wordlight import Explanation

    assert Explanation.from_dict(saved[0]).text == "a good movie"
    with page.expect_download() as d:
        page.click("#dl-html")
    assert "<html" in Path(d.value.path()).read_text(encoding="utf-8").lower()
