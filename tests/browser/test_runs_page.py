"""The Runs view in headless chromium: a real explain-dataset run, filtered, sorted, a row opened
in the single-text view, the corpus words page, and a reload of the URL."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser
TIMEOUT = 60_000
FIGURES = Path(__file__).resolve().parents[2] / "docs" / "figures" / "app"


@pytest.fixture(scope="module")
def runs_url(tmp_path_factory):
    from tests.browser.conftest import serve
    from tests.web.conftest import linear_classifier
    from tests.web.test_runs_api import make_big_run, make_run
    from wordlight import load_explanations
    from wordlight.web import create_app

    root = tmp_path_factory.mktemp("runs_page")
    run_dir = make_run(root)
    big = make_big_run(run_dir, root / "big")
    app = create_app({"linear": linear_classifier()[0]}, results={"small": run_dir, "big": big})
    for name in ("small", "big"):  # as `wordlight app` does at start-up: a broken run fails early
        app.state.wordlight.runs.info(name)
    with serve(app) as base:
        yield base, load_explanations(run_dir)
    app.state.wordlight.close()


def keep(path: Path) -> None:
    """A copy of a screenshot for docs/app.md."""
    shutil.copy(path, FIGURES / path.name)


def table_rows(page):
    return page.eval_on_selector_all(
        "#run-rows tbody tr",
        "trs => trs.map(t => [Number(t.dataset.row), t.children[1].textContent,"
        " Number(t.children[3].textContent)])",
    )


def wait_runs(page, state):
    page.wait_for_selector(f"body[data-runs^='{state}']", timeout=TIMEOUT)


def test_runs_view_filter_sort_open_a_row(page, runs_url, shot):
    url, expected = runs_url
    page.goto(f"{url}/")
    page.wait_for_selector("body[data-loaded]", timeout=TIMEOUT)
    page.click("#page-runs")
    wait_runs(page, "row:false:0:24")
    assert [r[0] for r in table_rows(page)] == list(range(24))
    # inline heatmaps: one span per word, coloured by its sign
    first = page.eval_on_selector_all(
        "#run-rows tbody tr:first-child .w",
        "els => els.map(e => [e.textContent, Number(e.dataset.score)])",
    )
    assert [w for w, _ in first] == [w.text for w in expected[0].words]
    assert [s for _, s in first] == pytest.approx(expected[0].word_scores.tolist(), abs=1e-9)

    # filter: true label "positive"; then sort by confidence, highest first
    page.select_option("#rf-label", "positive")
    page.click("#rf-apply")
    want = [i for i, e in enumerate(expected) if e.true_label == "positive"]
    wait_runs(page, f"row:false:0:{len(want)}")
    assert [r[0] for r in table_rows(page)] == want
    page.click("#run-rows th[data-sort=confidence]")
    wait_runs(page, f"confidence:true:0:{len(want)}")
    conf = {i: float(expected[i].probabilities.max()) for i in want}
    by_conf = sorted(want, key=lambda i: (-conf[i], i))
    assert [r[0] for r in table_rows(page)] == by_conf
    assert "sort=confidence" in page.url and "label=positive" in page.url
    keep(shot("runs-table"))

    # a reload of the URL gives the same table
    page.goto(page.url)
    wait_runs(page, f"confidence:true:0:{len(want)}")
    assert [r[0] for r in table_rows(page)] == by_conf

    # click a row: the single-text view with that row's explanation
    top = by_conf[0]
    page.click(f"#run-rows tbody tr[data-row='{top}']")
    page.wait_for_selector("body[data-ready=runrow]", timeout=TIMEOUT)
    assert page.is_visible("#highlights") and not page.is_visible("#runs-view")
    words = page.eval_on_selector_all(
        "#highlights span.w", "els => els.map(e => [e.textContent, Number(e.dataset.score)])"
    )
    assert [w for w, _ in words] == [w.text for w in expected[top].words]
    assert [s for _, s in words] == pytest.approx(expected[top].word_scores.tolist(), abs=1e-9)
    assert page.input_value("#text") == expected[top].text
    assert f"row {top}" in page.inner_text("#status")
    assert page.input_value("#method") == "integrated_gradients"
    assert page.input_value("#params-n_steps") == "8"  # the run's parameters in the form
    keep(shot("runs-row"))


def test_corpus_words_page(page, runs_url, shot):
    url, _ = runs_url
    page.goto(f"{url}/?page=corpus&run=small&outcome=all&min_count=2")
    page.wait_for_selector("body[data-corpus=small]", timeout=TIMEOUT)
    cards = page.eval_on_selector_all(".card[data-class]", "els => els.map(e => e.dataset.class)")
    assert cards and cards == sorted(cards)
    assert page.locator(".card[data-class] li").count() > 0
    keep(shot("runs-corpus"))


def test_first_page_of_a_100k_row_run_renders_fast(page, runs_url):
    url, _ = runs_url
    start = time.perf_counter()
    page.goto(f"{url}/?page=runs&run=big")
    wait_runs(page, "row:false:0:100000")
    opened = time.perf_counter() - start
    start = time.perf_counter()
    page.click("#run-rows th[data-sort=confidence]")
    wait_runs(page, "confidence:true:0:100000")
    sorted_ = time.perf_counter() - start
    assert len(table_rows(page)) == 25
    print(
        f"browser, 100k rows: page load to first page {opened * 1000:.0f} ms, "
        f"re-sort {sorted_ * 1000:.0f} ms"
    )
    assert sorted_ < 1.0
