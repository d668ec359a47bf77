"""``create_app``: the FastAPI app of ``wordlight app``: the API under ``/api/v1`` and one static
page shipped in the package (no CDN, works offline)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from importlib import resources
from typing import Any

from fastapi import FastAPI
from fastapi.responses import FileResponse, Response
from fastapi.staticfiles import StaticFiles

import wordlight
from wordlight.web import errors
from wordlight.web.routes import data as data_routes
from wordlight.web.routes import explain, jobs, meta, runs
from wordlight.web.runs import RunStore
from wordlight.web.security import SecurityMiddleware
from wordlight.web.state import AppConfig, AppState

STATIC = resources.files("wordlight.web") / "static"


def create_app(
    models: Mapping[str, Any] | None = None,
    data: Mapping[str, Any] | None = None,
    config: AppConfig | None = None,
    results: Mapping[str, Any] | None = None,
    **settings: Any,
) -> FastAPI:
    """The app for the declared ``models`` (name -> built-in name, directory or loaded model)
    and ``data`` sets (name -> built-in set, data file or TextDataset), ``results`` (name ->
    an explain-dataset run directory: the Runs view); ``settings`` are
    :class:`AppConfig` fields (caps, workers, queue and cache sizes)."""
    if config is None:
        config = AppConfig(
            models=dict(models) if models is not None else {"default": "default"},
            data=dict(data or {}),
            results=dict(results or {}),
            **settings,
        )
    state = AppState(config)
    state.runs = RunStore(config.results)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield
        state.jobs.cancel_all()  # running jobs stop at their next chunk

    app = FastAPI(
        title="wordlight",
        version=wordlight.__version__,
        description="Explanations for text classifiers: explain, compare, layers, edit and diff.",
        docs_url=None,  # Swagger/Redoc load scripts from a CDN; the schema is served as JSON
        redoc_url=None,
        openapi_url="/api/v1/openapi.json",
        lifespan=lifespan,
    )
    app.state.wordlight = state
    errors.install(app)
    for router in (meta.router, data_routes.router, explain.router, jobs.router, runs.router):
        app.include_router(router)
    static_dir = str(STATIC)
    app.mount("/static", StaticFiles(directory=static_dir), name="static")

    @app.get("/", include_in_schema=False)
    def index() -> FileResponse:
        return FileResponse(f"{static_dir}/index.html", media_type="text/html")

    @app.get("/favicon.ico", include_in_schema=False)
    def favicon() -> Response:
        return Response(status_code=204)

    if config.cors_origins:
        from fastapi.middleware.cors import CORSMiddleware

        app.add_middleware(
            CORSMiddleware, allow_origins=list(config.cors_origins), allow_methods=["GET", "POST"]
        )
    app.add_middleware(SecurityMiddleware, max_body_bytes=config.max_body_bytes)
    return app
