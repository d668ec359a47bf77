"""Predict, explain, compare, layers and the edit diff, answered at once (the page runs the slow
ones as jobs: ``routes/jobs.py``)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from wordlight.web import operations
from wordlight.web.errors import ERROR_RESPONSES
from wordlight.web.schemas import (
    CompareRequest,
    CompareView,
    DiffRequest,
    DiffView,
    ExplainRequest,
    ExplainView,
    LayersRequest,
    LayersView,
    Prediction,
    PredictRequest,
    RenderRequest,
)
from wordlight.web.service import predict as predict_texts

router = APIRouter(prefix="/api/v1", responses=ERROR_RESPONSES)


@router.post("/predict", response_model=Prediction)
def predict(request: Request, body: PredictRequest) -> Any:
    state = request.app.state.wordlight
    return predict_texts(state, body.model, [body.text], body.label_threshold)[0]


@router.post("/explain", response_model=ExplainView)
def explain(request: Request, body: ExplainRequest) -> Any:
    return operations.explain(request.app.state.wordlight, body)


@router.post("/compare", response_model=CompareView)
def compare(request: Request, body: CompareRequest) -> Any:
    return operations.compare(request.app.state.wordlight, body)


@router.post("/layers", response_model=LayersView)
def layers(request: Request, body: LayersRequest) -> Any:
    return operations.layers(request.app.state.wordlight, body)


@router.post("/diff", response_model=DiffView)
def diff(request: Request, body: DiffRequest) -> Any:
    return operations.diff(request.app.state.wordlight, body)


HTML_PAGE: dict[int | str, dict[str, Any]] = {200: {"description": "a standalone HTML page",
                   "content": {"text/html": {"schema": {"type": "string"}}}}}  # fmt: skip


@router.post("/render/html", response_model=None, responses=HTML_PAGE)
def render_html(body: RenderRequest) -> HTMLResponse:
    """A standalone HTML page of explanations (``wordlight.viz`` renders it)."""
    return HTMLResponse(
        operations.render_html(body),
        headers={"Content-Disposition": 'attachment; filename="wordlight.html"'},
    )
