"""Errors as HTTP answers: the library's one-line message, never a 500 for bad input."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from wordlight.errors import DataError, InputError, ModelError, WordlightError
from wordlight.web.batching import QueueFull
from wordlight.web.jobs import UnknownJob
from wordlight.web.schemas import ErrorBody
from wordlight.web.service import TextTooLong
from wordlight.web.state import NotFound

RETRY_AFTER_S = 1
ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    code: {"model": ErrorBody, "description": what}
    for code, what in (
        (400, "the body is not readable JSON"),
        (404, "unknown model, method, data set, row or job"),
        (409, "the job has not finished"),
        (413, "text or body over the cap"),
        (422, "bad parameters"),
        (503, "the queue is full; retry after Retry-After seconds"),
    )
}


def status_of(exc: BaseException) -> int:
    if isinstance(exc, NotFound | UnknownJob):
        return 404
    if isinstance(exc, TextTooLong):
        return 413
    if isinstance(exc, QueueFull):
        return 503
    if isinstance(exc, InputError | DataError | ModelError):
        return 422
    return 422 if isinstance(exc, WordlightError) else 500


def message_of(exc: BaseException) -> str:
    if isinstance(exc, UnknownJob):
        return f"unknown job {exc.args[0]!r}; it never existed or has been dropped"
    return str(exc).splitlines()[0] if str(exc) else type(exc).__name__


def install(app: FastAPI) -> None:
    async def library_error(request: Request, exc: Exception) -> JSONResponse:
        code = status_of(exc)
        headers = {"Retry-After": str(RETRY_AFTER_S)} if code == 503 else None
        return JSONResponse({"detail": message_of(exc)}, status_code=code, headers=headers)

    async def validation_error(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, RequestValidationError)
        first = exc.errors()[0] if exc.errors() else {"loc": (), "msg": "invalid request"}
        where = ".".join(str(p) for p in first.get("loc", ()) if p != "body") or "request"
        return JSONResponse({"detail": f"{where}: {first.get('msg')}"}, status_code=422)

    for kind in (WordlightError, QueueFull, UnknownJob):
        app.add_exception_handler(kind, library_error)
    app.add_exception_handler(RequestValidationError, validation_error)
