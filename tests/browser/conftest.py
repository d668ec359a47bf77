"""A live app on a free loopback port and Playwright driving Debian's chromium headless.

Without chromium the browser tests skip, except when ``WORDLIGHT_REQUIRE_BROWSER=1`` (CI sets it
in ``.ci/run``): then they fail, so CI never passes without running them.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import threading
import time
from pathlib import Path

import pytest

SCREENSHOTS = Path(__file__).resolve().parents[2] / "out" / "browser"
CANDIDATES = ("/usr/bin/chromium", "chromium", "chromium-browser")


def chromium_path() -> str | None:
    for name in CANDIDATES:
        found = (
            shutil.which(name)
            if not name.startswith("/")
            else (name if Path(name).exists() else None)
        )
        if found:
            return found
    return None


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    path = chromium_path()
    if path is None:
        message = "chromium is not installed (apt-get install chromium; `make test` does it)"
        if os.environ.get("WORDLIGHT_REQUIRE_BROWSER") == "1":
            pytest.fail(f"WORDLIGHT_REQUIRE_BROWSER=1 but {message}")
        pytest.skip(message)
    return {**browser_type_launch_args, "executable_path": path, "headless": True,
            "args": ["--no-sandbox", "--disable-gpu"]}  # fmt: skip


@contextlib.contextmanager
def serve(app):
    """``app`` served by uvicorn on a free loopback port in a thread: yields its base URL."""
    import uvicorn

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            pytest.fail("the app did not start within 30 s")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@pytest.fixture(scope="session")
def live_app():
    from tests.web.conftest import build_app

    app = build_app()
    with serve(app) as base:
        yield base, app


@pytest.fixture()
def url(live_app):
    return live_app[0]


@pytest.fixture()
def shot(page):
    """``shot(name)``: a full-page screenshot kept as out/browser/NAME.png."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def take(name: str) -> Path:
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


@pytest.fixture(autouse=True)
def _no_page_errors(request):
    """Every page error (an uncaught exception, a CSP violation) fails the test."""
    if "page" not in request.fixturenames:
        yield
        return
    page = request.getfixturevalue("page")
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    yield
    assert not errors, f"errors on the page: {errors}"
