"""The Renderer type every output format is, and the three kinds of result it may take."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from wordlight.errors import InputError
from wordlight.results import Explanation, LayerExplanation

if TYPE_CHECKING:
    from wordlight.evaluation.compare import Comparison

Kind = Literal["explanations", "layers", "comparison"]
KINDS: tuple[Kind, ...] = ("explanations", "layers", "comparison")
Results = Explanation | LayerExplanation | Iterable[Explanation | LayerExplanation] | Any


@dataclass(frozen=True)
class Renderer:
    """One output format: its name, the file suffixes that pick it, the kinds of result it takes
    and ``function(items, kind, **options) -> str | bytes``.

    ``items`` is a list of Explanations, a list of LayerExplanations, or one Comparison, as
    ``kind`` says. A function reads the options it knows (``level``, ``color``, ``normalise``,
    ``token``, ``max_texts``) and ignores the others, so one call serves every format.
    """

    name: str
    suffixes: tuple[str, ...]
    kinds: tuple[Kind, ...]
    function: Callable[..., str | bytes]
    binary: bool = False

    def render(self, results: Results, **options: Any) -> str | bytes:
        """``results`` in this format (one result, a list of them, or a Comparison)."""
        items, kind = classify(results)
        if kind not in self.kinds:
            takes = " and ".join(self.kinds)
            raise InputError(f"the {self.name} format renders {takes}, not {kind}")
        return self.function(items, kind, **options)


def classify(results: Results) -> tuple[Any, Kind]:
    """``(items, kind)``: a list of one result type, or the Comparison itself."""
    if isinstance(results, Explanation | LayerExplanation):
        results = [results]
    if not isinstance(results, Sequence | Iterable) or isinstance(results, str | bytes):
        return results, _comparison(results)
    items = list(results)
    if items and all(isinstance(r, LayerExplanation) for r in items):
        return items, "layers"
    if all(isinstance(r, Explanation) for r in items):
        return items, "explanations"
    names = sorted({type(r).__name__ for r in items})
    raise InputError(f"cannot render a list of {', '.join(names)}; give results of one kind")


def _comparison(value: Any) -> Kind:
    from wordlight.evaluation.compare import Comparison

    if not isinstance(value, Comparison):
        raise InputError(
            f"cannot render a {type(value).__name__}; give Explanations, "
            "LayerExplanations or a Comparison"
        )
    return "comparison"


def comparison(items: Any) -> Comparison:
    """``items`` typed as the Comparison ``classify`` found."""
    return items
