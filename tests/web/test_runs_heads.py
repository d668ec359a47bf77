"""A run of a regression model in the Runs view: the run says its head (the page words the
columns by it), and its rows mark no prediction right or wrong, since a value has no class."""

from __future__ import annotations

import pytest

from tests.batch.helpers import texts, write_jsonl
from tests.conftest import tiny_bert_head


@pytest.fixture(scope="module")
def reg_run(tmp_path_factory):
    from wordlight import load_model
    from wordlight.batch import Source, explain_dataset

    root = tmp_path_factory.mktemp("regrun")
    model = load_model(*tiny_bert_head("regression", 1, seed=5))
    records = [{"text": t} for t in texts(6)]
    src = Source(file=str(write_jsonl(root / "in.jsonl", records)))
    explain_dataset(src, model, out=root / "run", method="saliency", progress=False)
    return model, root / "run"


def test_a_regression_run_says_its_head_and_its_rows_hold_the_value(reg_run):
    from fastapi.testclient import TestClient

    from wordlight import explain
    from wordlight.web import create_app

    model, run = reg_run
    app = create_app({"reg": model}, {}, results={"reg": str(run)})
    with TestClient(app) as client:
        info = {r["name"]: r for r in client.get("/api/v1/runs").json()}["reg"]
        rows = client.get("/api/v1/runs/reg/rows?limit=10").json()["rows"]
    app.state.wordlight.close()
    assert info["head"] == "regression"
    values = [e.value for e in explain(model, [r["text"] for r in rows], "saliency")]
    assert [r["confidence"] for r in rows] == pytest.approx(values, abs=1e-6)
    assert all(r["correct"] is None for r in rows)


def test_a_regression_row_is_never_right_or_wrong():
    from dataclasses import replace

    from wordlight import explain, load_model
    from wordlight.results.parquet import RowContext, explanation_row

    model = load_model(*tiny_bert_head("regression", 1, seed=5))
    e = explain(model, ["a good film"], "saliency")[0]
    ctx = RowContext(row=0, id="0", model_name="m", model_hash="h", wordlight_version="v")
    assert explanation_row(replace(e, true_label=e.labels[0]), ctx)["correct"] is None
    classifier = replace(e, head="classification", true_label=e.labels[0])
    assert explanation_row(classifier, ctx)["correct"] is True  # the classifier case is unchanged
