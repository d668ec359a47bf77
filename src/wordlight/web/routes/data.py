"""Declared data sets and their rows, with filters."""

from __future__ import annotations

from fastapi import APIRouter, Query, Request

from wordlight.errors import InputError
from wordlight.web.errors import ERROR_RESPONSES
from wordlight.web.rows import RowFilter, dataset_info, get_rows
from wordlight.web.schemas import DatasetInfo, Row, Rows

# repeated ?column=NAME&value=V pairs filter by extra columns, AND-ed (at most 10)
COLUMNS = Query([], max_length=10, description="an extra column; pair each with a value")
VALUES = Query([], max_length=10, description="the value its column must equal")
router = APIRouter(prefix="/api/v1", responses=ERROR_RESPONSES)


@router.get("/datasets", response_model=list[DatasetInfo])
def datasets(request: Request) -> list[DatasetInfo]:
    state = request.app.state.wordlight
    return [DatasetInfo(**dataset_info(state, n)) for n in state.config.data]


@router.get("/datasets/{name}", response_model=DatasetInfo)
def dataset(request: Request, name: str) -> DatasetInfo:
    return DatasetInfo(**dataset_info(request.app.state.wordlight, name))


@router.get("/datasets/{name}/rows", response_model=Rows)
def rows(
    request: Request,
    name: str,
    label: str | None = Query(None, max_length=100),
    correct: bool | None = None,
    min_confidence: float | None = Query(None, ge=0, le=1),
    max_confidence: float | None = Query(None, ge=0, le=1),
    min_words: int | None = Query(None, ge=0, le=100_000),
    max_words: int | None = Query(None, ge=0, le=100_000),
    model: str | None = Query(None, max_length=100),
    column: list[str] = COLUMNS,
    value: list[str] = VALUES,
    random: bool = False,
    seed: int | None = Query(None, ge=0, le=2**32 - 1),
    offset: int = Query(0, ge=0, le=10_000_000),
    limit: int = Query(20, ge=1, le=200),
) -> Rows:
    if len(column) != len(value):
        raise InputError("give one value=V for each column=NAME (repeat both to AND filters)")
    pairs = tuple(zip(column, value, strict=True))
    filters = RowFilter(
        label, correct, min_confidence, max_confidence, min_words, max_words, model, pairs
    )
    found = get_rows(
        request.app.state.wordlight, name, filters,
        random=random, seed=seed, offset=offset, limit=limit,
    )  # fmt: skip
    return Rows(**found)


@router.get("/datasets/{name}/rows/{index}", response_model=Row)
def row(
    request: Request, name: str, index: int, model: str | None = Query(None, max_length=100)
) -> Row:
    found = get_rows(request.app.state.wordlight, name, RowFilter(model=model), index=index)
    return Row(**found["rows"][0])
