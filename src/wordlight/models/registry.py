"""Built-in models by name. Filled in by the default-model work; loading stays offline."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from wordlight.errors import ModelError


def _load_default() -> tuple[Any, Any]:
    from wordlight.models.builtin_default import load_default

    return load_default()


BUILTIN_MODELS: dict[str, Callable[[], tuple[Any, Any]]] = {"default": _load_default}


def load_builtin(name: str) -> tuple[Any, Any]:
    """(model, tokenizer) of a built-in model."""
    try:
        loader = BUILTIN_MODELS[name]
    except KeyError:
        raise ModelError(
            f"no built-in model {name!r}; choose one of: {', '.join(BUILTIN_MODELS)}"
        ) from None
    return loader()
