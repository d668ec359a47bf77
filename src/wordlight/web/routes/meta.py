"""Health, models and methods (with their parameter forms)."""

from __future__ import annotations

from fastapi import APIRouter, Request

import wordlight
from wordlight.web.errors import ERROR_RESPONSES
from wordlight.web.params import describe_method
from wordlight.web.schemas import Health, MethodInfo, ModelInfo
from wordlight.web.service import method_class

router = APIRouter(prefix="/api/v1", responses=ERROR_RESPONSES)


@router.get("/health", response_model=Health)
def health(request: Request) -> Health:
    state = request.app.state.wordlight
    return Health(
        status="ok",
        version=wordlight.__version__,
        models=list(state.config.models),
        queued=state.batcher.queued,
        cache_entries=len(state.cache),
        cache_bytes=state.cache.size_bytes,
        torch_threads=state.torch_threads,
    )


@router.get("/models", response_model=list[ModelInfo])
def models(request: Request) -> list[ModelInfo]:
    state = request.app.state.wordlight
    return [ModelInfo(name=n, loaded=state.is_loaded(n)) for n in state.config.models]


def _info(name: str, layers: bool) -> MethodInfo:
    cls = method_class(name, layers)
    return MethodInfo(
        name=name,
        summary=getattr(cls, "summary", ""),
        layers=layers,
        parameters=describe_method(cls),  # type: ignore[arg-type]
    )


@router.get("/methods", response_model=list[MethodInfo])
def methods() -> list[MethodInfo]:
    from wordlight.methods import LAYER_METHODS, METHODS

    return [_info(n, False) for n in METHODS] + [_info(n, True) for n in LAYER_METHODS]


@router.get("/methods/{name}", response_model=MethodInfo)
def method(name: str, layers: bool = False) -> MethodInfo:
    return _info(name, layers)
