"""The app's single-text view of a regression and a multi-label model, over HTTP: the predicted
value, and each label's own sigmoid with the labels above the threshold (no distribution), worded
as the other views word them. References: the models' own forward passes, computed here."""

from __future__ import annotations

import numpy as np
import pytest

from tests.conftest import TEXTS, raw_outputs, two_heads

TEXT = TEXTS[3]  # "awful"


@pytest.fixture(scope="module")
def heads():
    return two_heads()


@pytest.fixture(scope="module")
def client(heads):
    from fastapi.testclient import TestClient

    from wordlight import load_model
    from wordlight.web import create_app

    app = create_app({name: load_model(*pair) for name, pair in heads.items()}, {})
    with TestClient(app) as c:
        yield c
    app.state.wordlight.close()


def _explain(client, model: str) -> dict:
    req = {"model": model, "method": "gradient_x_input", "text": TEXT}
    response = client.post("/api/v1/explain", json=req)
    assert response.status_code == 200, response.text
    return response.json()


def test_a_regression_model_shows_its_value(client, heads):
    value = float(raw_outputs(heads["reg"], TEXT)[0])
    body = _explain(client, "reg")
    p = body["prediction"]
    assert p["kind"] == "value" and p["value"] == pytest.approx(value, abs=1e-5)
    shown = f"value: {p['value']:.2f}"
    assert p["predicted"] == shown and p["summary"] == shown  # no "label_0 (1.00)"
    assert p["predicted_labels"] == [] and p["threshold"] is None
    again = client.post("/api/v1/predict", json={"model": "reg", "text": TEXT}).json()
    assert again == p
    page = client.post("/api/v1/render/html", json={"explanations": [body["explanation"]]}).text
    assert shown in page and "label_0 (" not in page


def test_a_multi_label_model_shows_each_labels_sigmoid(client, heads):
    sig = 1 / (1 + np.exp(-raw_outputs(heads["ml"], TEXT)))
    on = [f"label_{i}" for i, s in enumerate(sig) if s > 0.5]
    assert 0 < len(on) < 3  # not the arg-max alone, not every label
    p = _explain(client, "ml")["prediction"]
    assert p["kind"] == "labels" and p["threshold"] == 0.5
    np.testing.assert_allclose(p["values"], sig, atol=1e-6)
    assert abs(sum(p["values"]) - 1) > 0.1  # sigmoids, not a distribution
    assert p["predicted_labels"] == on and p["predicted"] == ", ".join(on)
    each = ", ".join(f"label_{i} {s:.2f}" for i, s in enumerate(sig))
    assert p["summary"].startswith(f"labels: {each} · predicted: {', '.join(on)}")


def test_the_page_has_a_renderer_for_every_kind(client):
    from typing import get_args

    from wordlight.web.schemas import Prediction

    js = client.get("/static/views.js").text
    for kind in get_args(Prediction.model_fields["kind"].annotation):
        assert f"\n  {kind}(box, p) {{" in js


def test_the_label_threshold_rewords_a_multi_label_prediction(client, heads):
    sig = 1 / (1 + np.exp(-raw_outputs(heads["ml"], TEXT)))
    # just below the smallest sigmoid, which is under 0.5 (above): every label is predicted
    low = float(sig.min()) * 0.9
    req = {"model": "ml", "method": "gradient_x_input", "text": TEXT, "label_threshold": low}
    body = client.post("/api/v1/explain", json=req).json()
    on = [f"label_{i}" for i, s in enumerate(sig) if s > low]
    assert on != [f"label_{i}" for i, s in enumerate(sig) if s > 0.5]
    p = body["prediction"]
    assert p["threshold"] == pytest.approx(low) and p["predicted_labels"] == on
    assert body["explanation"]["label_threshold"] == pytest.approx(low)
    again = client.post(
        "/api/v1/predict", json={"model": "ml", "text": TEXT, "label_threshold": low}
    )
    assert again.json()["predicted_labels"] == on
    # the cached explanation keeps no threshold of its own: 0.5 again gives 0.5's labels
    assert _explain(client, "ml")["prediction"]["threshold"] == 0.5


@pytest.mark.parametrize("bad", [-0.1, 1.5, "high"])
def test_a_label_threshold_outside_0_1_is_a_422(client, bad):
    req = {"model": "ml", "method": "saliency", "text": TEXT, "label_threshold": bad}
    response = client.post("/api/v1/explain", json=req)
    assert response.status_code == 422 and "label_threshold" in response.text


def test_the_edit_diff_words_a_regression_value_and_labels(client, heads):
    after = TEXTS[0]
    for model, kind in (("reg", "value"), ("ml", "labels")):
        req = {"model": model, "method": "saliency", "before": TEXT, "after": after}
        d = client.post("/api/v1/diff", json=req).json()["prediction"]
        raw0, raw1 = raw_outputs(heads[model], TEXT), raw_outputs(heads[model], after)
        if kind == "value":
            want0, want1 = raw0, raw1
            assert d["predicted_before"] == f"value: {raw0[0]:.2f}"
        else:
            want0, want1 = 1 / (1 + np.exp(-raw0)), 1 / (1 + np.exp(-raw1))
            on = [f"label_{i}" for i, s in enumerate(want0) if s > 0.5]
            assert d["predicted_before"] == (", ".join(on) or "none")
        assert d["kind"] == kind
        np.testing.assert_allclose(d["before"], want0, atol=1e-5)
        np.testing.assert_allclose(d["change"], want1 - want0, atol=1e-5)


def test_the_layers_view_keeps_the_label_threshold(client, heads):
    from wordlight import LayerExplanation

    sig = 1 / (1 + np.exp(-raw_outputs(heads["ml"], TEXT)))
    low = float(sig.min()) * 0.9
    req = {"model": "ml", "method": "layer_integrated_gradients", "text": TEXT,
           "params": {"n_steps": 4}, "label_threshold": low}  # fmt: skip
    for threshold in (low, 0.5):  # the second comes from the cache
        body = client.post("/api/v1/layers", json={**req, "label_threshold": threshold}).json()
        le = LayerExplanation.from_dict(body["layers"])
        on = tuple(f"label_{i}" for i, s in enumerate(sig) if s > threshold)
        assert le.label_threshold == pytest.approx(threshold) and le.predicted_labels == on
