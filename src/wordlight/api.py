"""``explain``: the one-call entry point, and building a method from its name and parameters."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from wordlight.methods import Explainer, LayerMethod
from wordlight.methods._targets import Target
from wordlight.methods.registry import configure, get_layer_method, get_method, make_method
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
    """A method from its registered name (``wordlight.METHODS``) and hyperparameters, or a
    configured Explainer with ``params`` changed. Unknown names and parameters raise the
    one-line InputError."""
    if isinstance(method, Explainer):
        return configure(method, params)
    return make_method(get_method(method), params)


def make_layer_method(method: str | LayerMethod, **params: Any) -> LayerMethod:
    """A layer method from its registered name (``wordlight.LAYER_METHODS``) and
    hyperparameters, or a configured LayerMethod with ``params`` changed."""
    if isinstance(method, LayerMethod):
        return configure(method, params)
    return make_method(get_layer_method(method), params)


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
