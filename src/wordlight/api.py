"""``explain``: the one-call entry point, and building a method from its name and parameters."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from typing import Any

from wordlight.engine import Target
from wordlight.errors import InputError, one_of
from wordlight.methods import LAYER_METHODS, METHODS, Explainer, LayerMethod
from wordlight.results import Explanation, LayerExplanation


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


def make_layer_method(method: str | LayerMethod, **params: Any) -> LayerMethod:
    """A layer method from its name (``LAYER_METHODS``) and parameters, or ``method`` with
    ``params`` replaced; unknown names or parameters are one-line InputErrors."""
    if isinstance(method, LayerMethod):
        return dataclasses.replace(method, **params) if params else method
    if method not in LAYER_METHODS:
        raise one_of("layer method", method, LAYER_METHODS)
    cls = LAYER_METHODS[method]
    names = [f.name for f in dataclasses.fields(cls)]
    unknown = [k for k in params if k not in names]
    if unknown:
        raise InputError(
            f"{method} has no parameter {unknown[0]!r}; its parameters are: {', '.join(names)}"
        )
    return cls(**params)


def explain_layers(
    model: Any,
    texts: str | Sequence[str],
    method: str | LayerMethod = "layer_integrated_gradients",
    *,
    target: Target = None,
    progress: bool | None = None,
    **params: Any,
) -> list[LayerExplanation]:
    """Scores at every encoder layer: one LayerExplanation per text (per class with "all").

    ``method``: layer_integrated_gradients, layer_conductance or information (``LAYER_METHODS``);
    ``params`` its hyperparameters, e.g. ``layers=(0, 3, 6)``, ``n_steps=32``, ``keep_dims=True``.
    """
    from wordlight.models.loading import load_model

    layer_method = make_layer_method(method, **params)
    return layer_method.explain(load_model(model), texts, target, progress=progress)
