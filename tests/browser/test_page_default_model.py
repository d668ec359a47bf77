"""The page with the built-in default model and the movies data set: what a user sees first.
The screenshots (out/browser/default-*.png) are the ones docs/app.md shows."""

from __future__ import annotations

import socket
import threading
import time

import pytest

pytestmark = pytest.mark.browser
TIMEOUT = 120_000
SNIPPET = "Rare Birds has more than enough charm to make it memorable."


@pytest.fixture(scope="module")
def default_url():
    import uvicorn

    from wordlight.web import create_app

    app = create_app({"default": "default"}, {"movies": "movies"})
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        assert thread.is_alive(), "the app did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


def test_default_model_explains_a_movie_snippet(page, default_url, shot):
    page.set_viewport_size({"width": 1100, "height": 900})
    page.goto(f"{default_url}/?view=explain&model=default&method=integrated_gradients"
              f"&p.n_steps=auto&text={SNIPPET.replace(' ', '+')}")  # fmt: skip
    page.wait_for_selector("body[data-ready=explain]", timeout=TIMEOUT)
    assert "Predicted: positive" in page.inner_text("#prediction")
    scores = dict(
        page.eval_on_selector_all(
            "#highlights span.w", "els => els.map(e => [e.textContent, Number(e.dataset.score)])"
        )
    )
    assert scores["charm"] > 0 and scores["memorable"] > 0  # the words a reader would name
    shot("default-explain")
    page.click("#data-panel summary")
    page.select_option("#f-label", "negative")
    page.click("#pick-random")
    page.wait_for_function(
        "() => document.getElementById('row-info').textContent.includes('negative')",
        timeout=TIMEOUT,
    )
    page.click("#tab-compare")
    page.click("#run-compare")
    page.wait_for_selector("body[data-ready=compare]", timeout=TIMEOUT)
    assert len(page.query_selector_all(".card")) == 3
    shot("default-compare")
