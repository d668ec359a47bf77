"""The page with a multi-label and a regression model: the label threshold control rewords the
prediction, and the edit diff words a value, not a class. References: the models' own forward
passes."""

from __future__ import annotations

import numpy as np
import pytest

from tests.batch.helpers import texts, write_jsonl
from tests.browser.conftest import serve
from tests.browser.test_page import TIMEOUT, open_page
from tests.conftest import TEXTS, raw_outputs, two_heads

pytestmark = pytest.mark.browser
TEXT = TEXTS[3]


@pytest.fixture(scope="module")
def heads():
    return two_heads()


@pytest.fixture(scope="module")
def heads_url(heads, tmp_path_factory):
    from wordlight import load_model
    from wordlight.batch import Source, explain_dataset
    from wordlight.web import create_app

    models = {name: load_model(*pair) for name, pair in heads.items()}
    root = tmp_path_factory.mktemp("regpage")
    src = Source(file=str(write_jsonl(root / "in.jsonl", [{"text": t} for t in texts(6)])))
    explain_dataset(src, models["reg"], out=root / "run", method="saliency", progress=False)
    app = create_app(models, {}, results={"reg": str(root / "run")})
    with serve(app) as base:
        yield base
    app.state.wordlight.close()


def _bold_labels(page) -> list[str]:
    return page.eval_on_selector_all(
        "#prediction .pred span.truth", "els => els.map(e => e.textContent)"
    )


def test_the_threshold_control_rewords_the_predicted_labels(page, heads_url, heads, shot):
    sig = 1 / (1 + np.exp(-raw_outputs(heads["ml"], TEXT)))
    open_page(page, heads_url)
    page.select_option("#model", "ml")
    page.select_option("#method", "saliency")
    page.fill("#text", TEXT)
    page.evaluate("document.body.removeAttribute('data-ready')")
    page.click("#run-explain")
    page.wait_for_selector("body[data-ready=explain]", timeout=TIMEOUT)
    assert page.input_value("#label-threshold") == "0.5"
    assert _bold_labels(page) == [f"label_{i}" for i, s in enumerate(sig) if s > 0.5]
    low = round(float(sig.min()) * 0.9, 3)  # below every sigmoid: every label is predicted
    page.evaluate("document.body.removeAttribute('data-ready')")
    page.fill("#label-threshold", str(low))
    page.dispatch_event("#label-threshold", "change")
    page.wait_for_selector("body[data-ready=explain]", timeout=TIMEOUT)
    assert _bold_labels(page) == ["label_0", "label_1", "label_2"]
    assert f"probability above {low:.3f}" in page.inner_text("#prediction")
    assert f"threshold={low}" in page.url  # the shared URL keeps it
    shot("multi-label-threshold")


def test_the_edit_diff_of_a_regression_model_shows_the_value(page, heads_url, heads):
    after = TEXTS[0]
    v0, v1 = float(raw_outputs(heads["reg"], TEXT)[0]), float(raw_outputs(heads["reg"], after)[0])
    open_page(page, heads_url)
    page.select_option("#model", "reg")
    page.select_option("#method", "saliency")
    page.fill("#text", TEXT)
    page.click("#tab-edit")
    page.fill("#edited", after)
    page.click("#run-diff")
    page.wait_for_selector("body[data-ready=edit]", timeout=TIMEOUT)
    summary = page.inner_text("#diff-summary")
    assert summary.startswith("Predicted value: ") and "(" not in summary
    shown = [float(x) for x in summary.removeprefix("Predicted value: ").split(" → ")]
    assert shown == pytest.approx([v0, v1], abs=6e-4)  # printed to 3 decimals
    head = page.eval_on_selector("#diff-prediction th", "th => th.textContent")
    assert head == "output"


def test_the_runs_view_of_a_regression_run_shows_values(page, heads_url, heads):
    page.goto(f"{heads_url}/?page=runs&run=reg")
    page.wait_for_selector("body[data-runs]", timeout=TIMEOUT)
    assert page.inner_text("#rh-pred") == "value" and not page.is_visible("#rh-p")
    assert "raising the value" in page.inner_text("#rh-words")
    rows = page.eval_on_selector_all(
        "#run-rows tbody tr", "rs => rs.map(r => [r.className, r.cells[2].textContent])"
    )
    texts_shown = page.eval_on_selector_all(
        "#run-rows tbody tr", "rs => rs.map(r => r.getAttribute('data-row'))"
    )
    assert len(rows) == 6 and all(cls != "wrong" for cls, _ in rows)
    wanted = [float(raw_outputs(heads["reg"], texts(6)[int(i)])[0]) for i in texts_shown]
    assert [float(v) for _, v in rows] == pytest.approx(wanted, abs=6e-4)
