"""JSON: one list of results (``load_explanations`` / ``load_layer_explanations`` read it back),
or the comparison's ``to_dict()``."""

from __future__ import annotations

import json
from typing import Any

from wordlight.results.saving import dumps
from wordlight.viz.formats.base import Renderer, comparison


def render(items: Any, kind: str, **_: Any) -> str:
    if kind == "comparison":
        return json.dumps(comparison(items).to_dict(), ensure_ascii=False)
    return dumps(items, lines=False)


RENDERER = Renderer("json", (".json",), ("explanations", "layers", "comparison"), render)
