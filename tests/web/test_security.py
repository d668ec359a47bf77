"""Safety: declared names only (no client path is ever opened), caps, headers, no 500s."""

from __future__ import annotations

import re
import threading
import time

import pytest

TRAVERSALS = [
    "../../etc/passwd",
    "/etc/passwd",
    "..%2F..%2Fetc%2Fpasswd",
    "%2e%2e%2f%2e%2e%2fetc%2fpasswd",
    "....//....//etc/passwd",
    "C:\\Windows\\win.ini",
]


@pytest.fixture()
def secret_file(tmp_path):
    """A real data file and model-like folder a client must not reach by their paths."""
    data = tmp_path / "secret.csv"
    data.write_text("text,label\nsecret words,pos\nmore secret,neg\n", encoding="utf-8")
    return data


@pytest.mark.parametrize("name", TRAVERSALS)
def test_model_names_are_only_the_declared_ones(client, name):
    for path, body in (
        ("/api/v1/explain", {"model": name, "method": "saliency", "text": "good"}),
        ("/api/v1/predict", {"model": name, "text": "good"}),
        ("/api/v1/layers", {"model": name, "method": "layer_integrated_gradients", "text": "a"}),
    ):
        r = client.post(path, json=body)
        assert r.status_code == 404, (path, r.text)
        assert "declared: linear, tiny" in r.json()["detail"]


def test_absolute_paths_of_real_files_are_refused(client, secret_file, tmp_path):
    for name in (str(secret_file), str(tmp_path), "secret.csv", "default", "movies"):
        r = client.post("/api/v1/predict", json={"model": name, "text": "good"})
        assert r.status_code == 404
        r = client.get(f"/api/v1/datasets/{name}/rows")
        assert r.status_code == 404
        assert "secret" not in r.text.replace(str(secret_file), "").replace("secret.csv", "")


@pytest.mark.parametrize("name", TRAVERSALS)
def test_data_set_names_are_only_the_declared_ones(client, name):
    for url in (f"/api/v1/datasets/{name}", f"/api/v1/datasets/{name}/rows",
                f"/api/v1/datasets/{name}/rows/0"):  # fmt: skip
        r = client.get(url)
        assert r.status_code == 404, (url, r.status_code)
        assert "root:" not in r.text


@pytest.mark.parametrize(
    "path",
    ["/static/../../pyproject.toml", "/static/%2e%2e/%2e%2e/pyproject.toml",
     "/static/..%2f..%2fapp.py", "/static//etc/passwd", "/static/%2fetc%2fpasswd",
     "/../../../etc/passwd"],
)  # fmt: skip
def test_static_files_cannot_escape_their_folder(client, path):
    r = client.get(path)
    assert r.status_code == 404
    assert "root:" not in r.text and "[project]" not in r.text


def test_method_parameters_never_take_a_path(client, secret_file):
    for params in (
        {"regularization": str(secret_file)},
        {"regularization": "../secret.csv"},
        {"cache_dir": "/tmp"},
    ):
        r = client.post(
            "/api/v1/explain",
            json={"model": "tiny", "method": "information", "text": "good", "params": params},
        )
        assert r.status_code == 422, r.text


def test_text_over_the_cap_is_413_and_body_over_the_cap_is_413(app, client):
    cap = app.state.wordlight.config.max_text_chars
    r = client.post(
        "/api/v1/explain", json={"model": "linear", "method": "saliency", "text": "good " * cap}
    )
    assert r.status_code == 413 and str(cap) in r.json()["detail"]
    big = "x" * (app.state.wordlight.config.max_body_bytes + 10)
    r = client.post("/api/v1/explain", content=big, headers={"content-type": "application/json"})
    assert r.status_code == 413 and "limit" in r.json()["detail"]


def test_bad_input_is_4xx_with_one_line(client):
    cases = [
        ({"model": "linear", "method": "saliency", "text": "   "}, 422),
        ({"model": "linear", "method": "saliency", "text": "good", "params": {"nope": 1}}, 422),
        ({"model": "linear", "method": "saliency", "text": "good", "params": {"norm": "x"}}, 422),
        (
            {
                "model": "linear",
                "method": "integrated_gradients",
                "text": "good",
                "params": {"n_steps": "many"},
            },
            422,
        ),
        ({"model": "linear", "method": "nope", "text": "good"}, 404),
        ({"model": "linear", "method": "saliency", "text": "good", "target": "maybe"}, 422),
        ({"model": "linear", "method": "saliency"}, 422),
        ({"model": "linear", "method": "saliency", "text": "good", "extra": 1}, 422),
    ]
    for body, code in cases:
        r = client.post("/api/v1/explain", json=body)
        assert r.status_code == code, (body, r.text)
        assert "\n" not in r.json()["detail"] and r.json()["detail"]
    r = client.post(
        "/api/v1/explain", content=b"{not json", headers={"content-type": "application/json"}
    )
    assert r.status_code == 422
    assert client.get("/api/v1/jobs/nope").status_code == 404
    assert client.post("/api/v1/jobs/nope/cancel").status_code == 404
    assert client.get("/api/v1/datasets/toy/rows/999").status_code == 404
    assert client.get("/api/v1/datasets/toy/rows", params={"label": "maybe"}).status_code == 422


def test_security_headers_and_no_cors_by_default(client):
    for path in ("/", "/static/app.js", "/api/v1/health", "/api/v1/nope"):
        r = client.get(path, headers={"Origin": "http://evil.example"})
        csp = r.headers["content-security-policy"]
        assert "default-src 'self'" in csp and "unsafe-inline" not in csp
        assert "unsafe-eval" not in csp and "script-src 'self'" in csp
        assert r.headers["x-content-type-options"] == "nosniff"
        assert r.headers["referrer-policy"] == "no-referrer"
        assert "access-control-allow-origin" not in r.headers


def test_cors_only_when_asked():
    from fastapi.testclient import TestClient

    from tests.web.conftest import build_app

    app = build_app(cors_origins=("http://localhost:3000",))
    with TestClient(app) as c:
        r = c.get("/api/v1/health", headers={"Origin": "http://localhost:3000"})
        assert r.headers["access-control-allow-origin"] == "http://localhost:3000"
        r = c.get("/api/v1/health", headers={"Origin": "http://evil.example"})
        assert "access-control-allow-origin" not in r.headers


def test_full_queue_is_a_quick_503_with_retry_after():
    from fastapi.testclient import TestClient

    from tests.web.conftest import build_app

    app = build_app(max_queue=1, batch_workers=1)
    state = app.state.wordlight
    release = threading.Event()

    def blocked(texts):
        release.wait(30)
        return list(texts)

    try:
        state.batcher.submit("hold", "a", blocked)  # the worker takes it and waits
        while state.batcher.queued:
            pass
        state.batcher.submit("hold", "b", blocked)  # the one queue place is now taken
        with TestClient(app) as c:
            r = c.post(
                "/api/v1/explain", json={"model": "linear", "method": "saliency", "text": "good"}
            )
            assert r.status_code == 503 and r.headers["retry-after"] == "1"
            assert "queue is full" in r.json()["detail"]
            release.set()
            while state.batcher.queued:
                time.sleep(0.01)
            r = c.post(
                "/api/v1/explain", json={"model": "linear", "method": "saliency", "text": "good"}
            )
            assert r.status_code == 200
    finally:
        release.set()
        state.close()


def test_no_page_renders_html_from_data():
    from importlib import resources

    static = resources.files("wordlight.web") / "static"
    js = "\n".join((static / name).read_text(encoding="utf-8") for name in ("views.js", "app.js"))
    for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(",
                 "new Function", "setAttribute(\"style\""):  # fmt: skip
        assert sink not in js, sink
    html = (resources.files("wordlight.web") / "static" / "index.html").read_text(encoding="utf-8")
    assert "<script>" not in html and not re.search(r"\son[a-z]+\s*=", html)
    assert "style=" not in html and "://" not in html
