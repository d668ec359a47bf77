"""Where the result types find their views (notebook HTML, DataFrame) without importing viz.

:mod:`wordlight.viz` registers its functions here when it is imported; a result asking for a
view before that imports ``wordlight.viz`` by name, so no result module depends on the renderers
(the import graph stays results -> nothing above it).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

VIEWS: dict[str, Callable[..., Any]] = {}
DEFAULT_PROVIDER = "wordlight.viz"


def register_view(name: str, function: Callable[..., Any]) -> None:
    """Make ``function`` the view ``name`` ("html": list of Explanations -> HTML fragment,
    "frame": one Explanation and a level -> DataFrame)."""
    VIEWS[name] = function


def view(name: str) -> Callable[..., Any]:
    """The registered view ``name``, importing the default renderers first if needed."""
    if name not in VIEWS:
        importlib.import_module(DEFAULT_PROVIDER)
    return VIEWS[name]
