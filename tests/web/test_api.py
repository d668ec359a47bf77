"""The /api/v1 endpoints through FastAPI's TestClient, against closed forms and the library."""

from __future__ import annotations

import time

import numpy as np
import pytest
import torch

from tests.web.conftest import ROWS

IG = {"model": "linear", "method": "integrated_gradients", "params": {"output": "logit"}}


def linear_logits(app, text):
    module, vocab = app.state.linear
    ids = [vocab["[cls]"]] + [vocab.get(w, 1) for w in text.split()]  # the [cls] prefix counts
    with torch.no_grad():
        pooled = module.embedding.weight[ids].sum(0)
        return (pooled @ module.head.weight.T + module.head.bias).numpy()


def test_health_models_methods(client):
    health = client.get("/api/v1/health").json()
    assert health["status"] == "ok" and health["models"] == ["linear", "tiny"]
    assert [m["name"] for m in client.get("/api/v1/models").json()] == ["linear", "tiny"]
    from wordlight import METHODS
    from wordlight.methods import LAYER_METHODS

    methods = client.get("/api/v1/methods").json()
    assert [m["name"] for m in methods] == [*METHODS, *LAYER_METHODS]
    ig = next(m for m in methods if m["name"] == "integrated_gradients")
    params = {p["name"]: p for p in ig["parameters"]}
    assert params["n_steps"]["type"] == "int_or_auto" and params["n_steps"]["default"] == 50
    assert params["baseline"]["choices"] == ["pad", "mask", "zero"]
    info = next(m for m in methods if m["name"] == "information")
    assert "cache_dir" not in {p["name"] for p in info["parameters"]}  # a path: never settable


def test_explain_matches_the_closed_form_of_ig_on_a_linear_model(client, app):
    text = "a good movie"
    body = client.post("/api/v1/explain", json={**IG, "text": text}).json()
    e = body["explanation"]
    module, vocab = app.state.linear
    w = module.head.weight[e["target"]].detach()
    emb = module.embedding.weight.detach()
    expected = [float((emb[vocab[t]] - emb[0]) @ w) for t in text.split()]
    np.testing.assert_allclose(e["scores"], expected, rtol=1e-4, atol=1e-5)
    logits = linear_logits(app, text)
    probs = np.exp(logits - logits.max()) / np.exp(logits - logits.max()).sum()
    np.testing.assert_allclose(body["prediction"]["values"], probs, rtol=1e-5)
    assert body["prediction"]["predicted"] == ["neg", "pos"][int(np.argmax(logits))]
    assert body["unsigned"] is False and body["faithfulness"] is None
    assert [w[0] for w in e["words"]] == ["a", "good", "movie"]


def test_explain_is_wordlights_own_json(client):
    from wordlight import Explanation

    body = client.post("/api/v1/explain", json={**IG, "text": "great fun"}).json()
    rebuilt = Explanation.from_dict(body["explanation"])
    assert rebuilt.to_dict() == body["explanation"]


def test_faithfulness_badges_are_the_library_eraser_metrics(client, app):
    from wordlight import Explanation
    from wordlight.evaluation import comprehensiveness, sufficiency

    text = "the film was not very good but the acting was great"
    body = client.post("/api/v1/explain", json={**IG, "text": text, "faithfulness": True}).json()
    e = Explanation.from_dict(body["explanation"])
    model = app.state.wordlight.model("linear")
    assert body["faithfulness"]["comprehensiveness"] == pytest.approx(
        float(comprehensiveness(model, [e])[0]), abs=1e-6
    )
    assert body["faithfulness"]["sufficiency"] == pytest.approx(
        float(sufficiency(model, [e])[0]), abs=1e-6
    )


def test_predict(client, app):
    body = client.post("/api/v1/predict", json={"model": "linear", "text": "boring plot"}).json()
    logits = linear_logits(app, "boring plot")
    assert body["kind"] == "distribution" and body["labels"] == ["neg", "pos"]
    assert np.argmax(body["values"]) == np.argmax(logits)
    assert sum(body["values"]) == pytest.approx(1.0)


def test_unsigned_method_is_flagged(client):
    body = client.post(
        "/api/v1/explain", json={"model": "linear", "method": "saliency", "text": "good fun"}
    ).json()
    assert body["unsigned"] is True and min(body["explanation"]["scores"]) >= 0


def test_compare_two_models_and_the_agreement_matrix(client):
    from scipy.stats import spearmanr

    text = "a good movie with charm but a bad plot"
    runs = [
        {"model": "linear", "method": "integrated_gradients"},
        {"model": "linear", "method": "occlusion"},
        {"model": "tiny", "method": "gradient_x_input"},
    ]
    body = client.post("/api/v1/compare", json={"text": text, "runs": runs}).json()
    assert [(r["model"], r["method"]) for r in body["results"]] == [
        (r["model"], r["method"]) for r in runs
    ]
    assert all(
        set(r["faithfulness"]) == {"comprehensiveness", "sufficiency"} for r in body["results"]
    )
    m = body["agreement"]["matrix"]
    assert m[0][0] == pytest.approx(1.0)
    a, b = (body["results"][i]["explanation"]["word_scores"] for i in (0, 1))
    assert m[0][1] == pytest.approx(spearmanr(a, b)[0]) and m[1][0] == pytest.approx(m[0][1])


def test_layers_heatmap_and_curves(client):
    req = {"model": "tiny", "method": "layer_integrated_gradients", "text": "a good movie",
           "params": {"n_steps": 8}}  # fmt: skip
    body = client.post("/api/v1/layers", json=req).json()
    from wordlight import explain_layers

    layers = body["layers"]
    assert layers["layers"] == [0, 1, 2]  # embedding output + 2 encoder layers, one chunk each
    assert np.asarray(layers["scores"]).shape == (3, len(layers["tokens"]))
    assert body["curves"]["words"] == ["a", "good", "movie"]
    # the joined chunks equal one library call over all layers
    from tests.conftest import tiny_hf
    from wordlight import load_model

    whole = explain_layers(load_model(*tiny_hf("bert")), "a good movie", n_steps=8)[0]
    np.testing.assert_allclose(layers["scores"], whole.scores, rtol=1e-4, atol=1e-7)
    np.testing.assert_allclose(
        np.asarray(body["curves"]["values"]).T, whole.word_scores(), rtol=1e-4, atol=1e-7
    )


def test_diff_marks_inserted_deleted_and_replaced_words(client):
    req = {**IG, "before": "a good movie with charm", "after": "a very bad movie"}
    body = client.post("/api/v1/diff", json=req).json()
    ops = [
        (r["op"], (r["before"] or {}).get("word"), (r["after"] or {}).get("word"))
        for r in body["rows"]
    ]
    assert ops == [
        ("equal", "a", "a"),
        ("replace", "good", "very"),
        ("insert", None, "bad"),
        ("equal", "movie", "movie"),
        ("delete", "with", None),
        ("delete", "charm", None),
    ]
    before = body["before"]["explanation"]
    after = body["after"]["explanation"]
    assert before["target"] == after["target"]  # both explain the same class
    row = body["rows"][3]
    assert row["change"] == pytest.approx(row["after"]["score"] - row["before"]["score"])
    p = body["prediction"]
    np.testing.assert_allclose(p["change"], np.subtract(p["after"], p["before"]))


def test_rows_filters(client):
    rows = client.get("/api/v1/datasets/toy/rows", params={"label": "neg"}).json()
    assert [r["index"] for r in rows["rows"]] == [i for i, r in enumerate(ROWS) if r[1] == "neg"]
    short = client.get("/api/v1/datasets/toy/rows", params={"max_words": 2}).json()
    assert [r["text"] for r in short["rows"]] == [t for t, _, _ in ROWS if len(t.split()) <= 2]
    one = client.get("/api/v1/datasets/toy/rows/4").json()
    assert one["text"] == ROWS[4][0] and one["label"] == "pos" and one["id"] == "r4"
    info = client.get("/api/v1/datasets/toy").json()
    assert info["rows"] == len(ROWS) and info["labels"] == ["neg", "pos"]


def test_rows_prediction_filters_against_the_model(client):
    all_rows = client.get("/api/v1/datasets/toy/rows", params={"model": "linear"}).json()["rows"]
    right = client.get(
        "/api/v1/datasets/toy/rows", params={"model": "linear", "correct": True}
    ).json()
    wrong = client.get(
        "/api/v1/datasets/toy/rows", params={"model": "linear", "correct": False}
    ).json()
    assert right["total"] + wrong["total"] == len(ROWS)
    assert {r["index"] for r in right["rows"]} == {
        r["index"] for r in all_rows if r["predicted"] == r["label"]
    }
    sure = client.get(
        "/api/v1/datasets/toy/rows",
        params={"model": "linear", "min_confidence": 0.99},
    ).json()
    assert all(r["confidence"] >= 0.99 for r in sure["rows"])
    assert sure["total"] == sum(r["confidence"] >= 0.99 for r in all_rows)


def test_random_row_is_reproducible_with_a_seed(client):
    q = {"random": True, "seed": 7, "label": "pos"}
    a = client.get("/api/v1/datasets/toy/rows", params=q).json()["rows"]
    b = client.get("/api/v1/datasets/toy/rows", params=q).json()["rows"]
    assert len(a) == 1 and a == b and a[0]["label"] == "pos"


def wait(client, job_id, states=("done", "failed", "cancelled"), timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        st = client.get(f"/api/v1/jobs/{job_id}").json()
        if st["state"] in states:
            return st
        time.sleep(0.02)
    raise AssertionError(f"job {job_id} still {st}")


def test_job_runs_and_returns_the_same_result(client):
    req = {**IG, "text": "great acting and a fun film"}
    start = client.post("/api/v1/jobs", json={"kind": "explain", "explain": req})
    assert start.status_code == 202
    st = wait(client, start.json()["id"])
    assert st["state"] == "done" and st["done"] == st["total"] == 1
    result = client.get(f"/api/v1/jobs/{st['id']}/result").json()["result"]
    direct = client.post("/api/v1/explain", json=req).json()
    assert result["explanation"]["scores"] == direct["explanation"]["scores"]


SLOW_INFORMATION = {
    "model": "tiny",
    "method": "information",
    "text": "a good movie with charm",
    "params": {"regularization": "self", "max_iterations": 30, "tolerance": 1e-6},
}


@pytest.mark.filterwarnings("ignore:information")
def test_layer_job_reports_progress_per_layer_and_cancels(client):
    start = client.post("/api/v1/jobs", json={"kind": "layers", "layers": SLOW_INFORMATION}).json()
    seen = wait(client, start["id"], states=("running",))
    # the information method's layers 1 and 2, one chunk each, in thousandths of the job
    assert seen["total"] in (0, 2000)
    client.post(f"/api/v1/jobs/{start['id']}/cancel")
    st = wait(client, start["id"])
    assert st["state"] == "cancelled" and st["done"] < 2000
    res = client.get(f"/api/v1/jobs/{start['id']}/result")
    assert res.status_code == 409 and "cancelled" in res.json()["detail"]


@pytest.mark.filterwarnings("ignore:information")
def test_explain_job_cancels_inside_one_engine_call(client):
    # 4,000 optimisation steps on one text: one engine call of ~10 s here. The engine calls the
    # job's progress at every step (a heartbeat of its one window), so a cancel stops it mid-run.
    slow = {**SLOW_INFORMATION, "params": {**SLOW_INFORMATION["params"], "max_iterations": 4000}}
    start = client.post("/api/v1/jobs", json={"kind": "explain", "explain": slow}).json()
    wait(client, start["id"], states=("running",))
    time.sleep(0.3)
    asked = time.monotonic()
    client.post(f"/api/v1/jobs/{start['id']}/cancel")
    st = wait(client, start["id"])
    assert st["state"] == "cancelled" and st["done"] < st["total"]
    assert time.monotonic() - asked < 3.0  # stopped mid-run, not at the end of the call


def test_failed_job_reports_the_library_message(client):
    req = {**IG, "text": "good", "params": {"n_steps": 0}}
    start = client.post("/api/v1/jobs", json={"kind": "explain", "explain": req}).json()
    st = wait(client, start["id"])
    assert st["state"] == "failed" and "n_steps" in st["error"]
    assert client.get(f"/api/v1/jobs/{start['id']}/result").status_code == 422


def test_render_html_download(client):
    e = client.post("/api/v1/explain", json={**IG, "text": "a good movie"}).json()["explanation"]
    r = client.post("/api/v1/render/html", json={"explanations": [e]})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    assert "attachment" in r.headers["content-disposition"]
    assert "<html" in r.text.lower() and "movie" in r.text


def test_the_page_and_its_static_files(client):
    page = client.get("/")
    assert page.status_code == 200 and '<script src="/static/app.js"' in page.text
    assert "http" not in page.text.replace("http-equiv", "")  # no CDN, works offline
    assert '<script src="/static/views.js"' in page.text
    js = client.get("/static/views.js").text + client.get("/static/app.js").text
    assert "innerHTML" not in js and "insertAdjacentHTML" not in js and "eval(" not in js
    assert "textContent" in js
    assert client.get("/static/app.css").status_code == 200


def test_rows_filter_by_extra_columns_like_python_does(client):
    from tests.web.conftest import STARS

    info = client.get("/api/v1/datasets/toy").json()
    assert info["columns"] == [
        {"name": "group", "kind": "text", "values": ["e1", "e2"]},
        {"name": "stars", "kind": "number", "values": sorted(set(STARS))},
    ]
    url = "/api/v1/datasets/toy/rows"
    e2 = client.get(url, params={"column": "group", "value": "e2"}).json()
    assert [r["index"] for r in e2["rows"]] == [i for i, r in enumerate(ROWS) if r[2] == "e2"]
    assert all(r["extra"]["group"] == "e2" for r in e2["rows"])
    both = client.get(url, params=[("column", "group"), ("value", "e1"), ("column", "stars"),
                                   ("value", "5"), ("label", "pos")]).json()  # fmt: skip
    expected = [i for i, r in enumerate(ROWS) if r[2] == "e1" and STARS[i] == 5 and r[1] == "pos"]
    assert [r["index"] for r in both["rows"]] == expected == [0, 6]
    assert client.get(url, params={"column": "stars", "value": "5.0"}).json()["total"] == 2
    assert client.get(url, params={"column": "stars", "value": "five"}).json()["total"] == 0
    bad = client.get(url, params={"column": "shop", "value": "x"})
    assert bad.status_code == 422
    assert bad.json()["detail"] == (
        "unknown column 'shop'; this data set has extra columns: group, stars"
    )
    unpaired = client.get(url, params={"column": "group"})
    assert (
        unpaired.status_code == 422 and "one value=V for each column" in unpaired.json()["detail"]
    )
