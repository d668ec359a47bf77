"""``explain``: the one-call entry point, and building a method from its name and parameters."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from typing import Any

from wordlight.errors import InputError, one_of
from wordlight.explanation import Explanation
from wordlight.methods import METHODS, Explainer
from wordlight.methods._targets import Target


def explain(
    model: Any,
    texts: str | Sequence[str],
    method: str | Explainer = "integrated_gradients",
    *,
    target: Target = None,
    true_labels: Sequence[int | str] | None = None,
    word_aggregation: str = "sum",
    progress: bool | None = None,
    **params: Any,
) -> list[Explanation]:
    """Explain each text: one Explanation per text (C per text with ``target="all"``).

    ``model`` is anything ``load_model`` accepts; ``params`` are the method's hyperparameters
    (``wordlight methods`` lists them), e.g. ``explain(m, texts, "integrated_gradients",
    n_steps="auto")``.
    """
    from wordlight.models.loading import load_model

    explainer = make_explainer(method, **params)
    classifier = load_model(model)
    return explainer.explain(
        classifier,
        texts,
        target,
        true_labels=true_labels,
        word_aggregation=word_aggregation,
        progress=progress,
    )


def make_explainer(method: str | Explainer, **params: Any) -> Explainer:
    if isinstance(method, Explainer):
        return dataclasses.replace(method, **params) if params else method
    if method not in METHODS:
        raise one_of("method", method, METHODS)
    cls = METHODS[method]
    names = [f.name for f in dataclasses.fields(cls)]
    unknown = [k for k in params if k not in names]
    if unknown:
        raise InputError(
            f"{method} has no parameter {unknown[0]!r}; its parameters are: {', '.join(names)}"
        )
    return cls(**params)


def method_parameters(method: str) -> Mapping[str, Any]:
    """Parameter names of a method and their defaults."""
    return {f.name: f.default for f in dataclasses.fields(METHODS[method])}
