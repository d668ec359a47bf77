"""``wordlight app``: start the web app (FastAPI + uvicorn, extra ``wordlight[app]``) on
127.0.0.1; models and data sets are declared here, by name, and clients may only use those."""

from __future__ import annotations

import argparse
import sys
from typing import Any

LOCAL_HOSTS = ("127.0.0.1", "localhost", "::1")


def add_parser(sub: Any) -> None:
    p = sub.add_parser("app", help="explore explanations in the browser (a local web app)")
    p.add_argument("--model", "-m", action="append", default=[], metavar="NAME[=DIR]",
                   help="a built-in model, or NAME=DIR for a model directory (repeatable; "
                   "default: the built-in 'default')")  # fmt: skip
    p.add_argument("--data", "-d", action="append", default=[], metavar="NAME[=FILE]",
                   help="built-in set (test split), FILE or NAME=FILE (repeatable)")  # fmt: skip
    p.add_argument("--results", "-r", action="append", default=[], metavar="[NAME=]RUN_DIR",
                   help="an explain-dataset run directory for the Runs view (repeatable; "
                   "named by its directory name unless NAME= is given)")  # fmt: skip
    p.add_argument("--host", default="127.0.0.1",
                   help="address to bind (default 127.0.0.1: this machine only)")  # fmt: skip
    p.add_argument("--port", type=int, default=8000)
    p.add_argument("--max-text", type=int, default=5000, help="longest text in characters")
    p.add_argument("--workers", type=int, help="batch workers (default: one per 4 cores)")
    p.add_argument("--threads", type=int, help="torch threads (default: cores / batch workers)")
    p.add_argument("--cache-mb", type=float, default=64.0, help="result cache size (0: none)")
    p.add_argument("--cors", action="append", default=[], metavar="ORIGIN",
                   help="send CORS headers for this origin (none by default)")  # fmt: skip
    p.set_defaults(run=run)


def declared(items: list[str], kind: str, default: list[str]) -> dict[str, str]:
    """NAME=SOURCE and bare NAME (or FILE: named by its stem) items as {name: source}."""
    from pathlib import Path

    from wordlight.errors import InputError

    out: dict[str, str] = {}
    for item in items or default:
        name, sep, source = item.partition("=")
        if not sep:
            source = item
            name = Path(item).stem if ("/" in item or "." in item) else item
        if not name or not source:
            raise InputError(f"--{kind} {item!r}: give NAME, FILE or NAME=SOURCE")
        if name in out:
            raise InputError(f"--{kind}: the name {name!r} is declared twice")
        out[name] = source
    return out


def declared_runs(items: list[str]) -> dict[str, str]:
    """--results items as {name: run dir}; a bare RUN_DIR is named by its last part."""
    from pathlib import Path

    from wordlight.errors import InputError

    out: dict[str, str] = {}
    for item in items:
        name, sep, source = item.partition("=")
        if not sep:
            name, source = Path(item.rstrip("/")).name, item
        if not name or not source:
            raise InputError(f"--results {item!r}: give RUN_DIR or NAME=RUN_DIR")
        if name in out:
            raise InputError(f"--results: the name {name!r} is declared twice")
        out[name] = source
    return out


def host_warning(host: str) -> str | None:
    """The warning for an address other machines can reach; None for this machine only."""
    if host in LOCAL_HOSTS:
        return None
    return f"binding to {host}: other machines can reach this app, and it has no login"


def run(args: argparse.Namespace) -> int:
    from wordlight.errors import InputError

    if not 0 < args.port < 65536:
        raise InputError(f"--port must be in 1..65535, got {args.port}")
    models = declared(args.model, "model", ["default"])
    data = declared(args.data, "data", [])
    results = declared_runs(args.results)
    try:
        import uvicorn

        from wordlight.web import create_app
    except ImportError as exc:
        raise InputError(
            f"the app needs the 'app' extra ({exc.name} is missing): pip install 'wordlight[app]'"
        ) from None
    settings: dict[str, Any] = {"max_text_chars": args.max_text, "cors_origins": tuple(args.cors)}
    if args.workers:
        settings["batch_workers"] = args.workers
    if args.threads:
        settings["torch_threads"] = args.threads
    settings["cache_bytes"] = int(max(args.cache_mb, 0.0) * 2**20)
    app = create_app(models, data, results=results, **settings)
    state = app.state.wordlight
    for name in models:  # load every declared model now: a bad one fails before serving
        state.model(name)
    for name in data:
        state.dataset(name)
    for name in results:  # a broken run fails before serving
        state.runs.info(name)
    warning = host_warning(args.host)
    if warning:
        print(f"wordlight: warning: {warning}", file=sys.stderr)
    print(f"wordlight app on http://{args.host}:{args.port}/ (Ctrl-C stops it)", file=sys.stderr)
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning")
    return 0
