"""Declared explain-dataset runs: their rows paged on the server, one row, the corpus words."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Path, Query, Request

from wordlight.batch.query import RowFilter
from wordlight.errors import InputError
from wordlight.web.errors import ERROR_RESPONSES
from wordlight.web.runs import PAGE_SIZE_CAP, RunStore
from wordlight.web.schemas import RunInfo, RunRows, RunRowView, RunSummary

router = APIRouter(prefix="/api/v1", responses=ERROR_RESPONSES)
Sort = Literal["row", "id", "confidence", "completeness_delta", "abs_delta", "true_label",
               "predicted_label", "comprehensiveness", "sufficiency"]  # fmt: skip


def _store(request: Request) -> RunStore:
    store: RunStore = request.app.state.wordlight.runs
    return store


@router.get("/runs", response_model=list[RunInfo])
def runs(request: Request) -> list[RunInfo]:
    store = _store(request)
    return [RunInfo(**store.info(n)) for n in store.names]


@router.get("/runs/{name}", response_model=RunInfo)
def run(request: Request, name: str) -> RunInfo:
    return RunInfo(**_store(request).info(name))


@router.get("/runs/{name}/rows", response_model=RunRows)
def rows(
    request: Request,
    name: str,
    label: str | None = Query(None, min_length=1, max_length=200),
    predicted: str | None = Query(None, min_length=1, max_length=200),
    target: str | None = Query(None, min_length=1, max_length=200),
    correct: bool | None = None,
    min_confidence: float | None = Query(None, ge=0, le=1),
    max_confidence: float | None = Query(None, ge=0, le=1),
    min_delta: float | None = Query(None, ge=0, le=1e6),
    max_delta: float | None = Query(None, ge=0, le=1e6),
    metric: Literal["comprehensiveness", "sufficiency"] | None = None,
    min_metric: float | None = Query(None, ge=-1e6, le=1e6),
    max_metric: float | None = Query(None, ge=-1e6, le=1e6),
    word: str | None = Query(None, min_length=1, max_length=100),
    sort: Sort = "row",
    desc: bool = False,
    page: int = Query(0, ge=0, le=10_000_000),
    page_size: int = Query(50, ge=1, le=PAGE_SIZE_CAP),
) -> RunRows:
    """Rows of a run matching the filters (|delta| bounds the completeness delta or token error,
    ``metric`` names the faithfulness column ``min_metric``/``max_metric`` bound)."""
    if metric is None and (min_metric is not None or max_metric is not None):
        raise InputError("min_metric/max_metric need metric=comprehensiveness or sufficiency")
    filters = RowFilter(
        true_label=label, predicted_label=predicted, target_label=target, correct=correct,
        min_confidence=min_confidence, max_confidence=max_confidence,
        min_abs_delta=min_delta, max_abs_delta=max_delta,
        metric=metric,
        min_metric=min_metric, max_metric=max_metric, word=word,
    )  # fmt: skip
    found = _store(request).page(
        name, filters, sort=sort, descending=desc, page=page, page_size=page_size
    )
    return RunRows(**found)


@router.get("/runs/{name}/rows/{row}", response_model=RunRowView)
def row(
    request: Request,
    name: str,
    row: int = Path(ge=0, le=2**62),
    target: int | None = Query(None, ge=0, le=100_000),
) -> RunRowView:
    return RunRowView(**_store(request).row(name, row, target))


@router.get("/runs/{name}/summary", response_model=RunSummary)
def summary(
    request: Request,
    name: str,
    min_count: int = Query(5, ge=1, le=100_000),
    top: int = Query(15, ge=1, le=100),
) -> RunSummary:
    return RunSummary(**_store(request).summary(name, min_count, top))
