"""The web app (``wordlight app``, extra ``wordlight[app]``): ``create_app(models, data)`` builds
the FastAPI app; the page under ``static/`` is plain HTML/CSS/JS shipped in the package."""

from __future__ import annotations

from typing import Any


def create_app(*args: Any, **kwargs: Any) -> Any:
    """See :func:`wordlight.web.app.create_app` (imported lazily: FastAPI is an extra)."""
    try:
        from wordlight.web.app import create_app as build
    except ImportError as exc:  # pragma: no cover - depends on the installed extras
        from wordlight.errors import InputError

        raise InputError(
            f"the app needs the 'app' extra ({exc.name} is missing): pip install 'wordlight[app]'"
        ) from None
    return build(*args, **kwargs)


__all__ = ["create_app"]
