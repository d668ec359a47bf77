"""``explain``: the one-call entry point, and building a method from its name and parameters."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from wordlight.engine import ProgressOption, Target
from wordlight.methods import Explainer, LayerMethod
from wordlight.methods.registry import make_explainer, make_layer_method
from wordlight.results import Explanation, LayerExplanation

__all__ = ["explain", "explain_layers", "make_explainer", "make_layer_method"]


def explain(
    model: Any,
    texts: str | Sequence[str],
    method: str | Explainer = "integrated_gradients",
    *,
    target: Target = None,
    true_labels: Sequence[int | str] | None = None,
    word_aggregation: str = "sum",
    progress: ProgressOption = None,
    label_threshold: float = 0.5,
    **params: Any,
) -> list[Explanation]:
    """Explain each text: one Explanation per text (C per text with ``target="all"``).

    ``model`` is anything ``load_model`` accepts; ``params`` are the method's hyperparameters
    (``wordlight methods`` lists them), e.g. ``explain(m, texts, "integrated_gradients",
    n_steps="auto")``. ``label_threshold``: a multi-label model's predicted labels are those
    whose sigmoid probability is above it.
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
        label_threshold=label_threshold,
    )


def explain_layers(
    model: Any,
    texts: str | Sequence[str],
    method: str | LayerMethod = "layer_integrated_gradients",
    *,
    target: Target = None,
    progress: ProgressOption = None,
    label_threshold: float = 0.5,
    **params: Any,
) -> list[LayerExplanation]:
    """Scores at every encoder layer: one LayerExplanation per text (per class with "all").

    ``method``: layer_integrated_gradients, layer_conductance or information (``LAYER_METHODS``);
    ``params`` its hyperparameters, e.g. ``layers=(0, 3, 6)``, ``n_steps=32``, ``keep_dims=True``;
    ``label_threshold`` as for :func:`explain`.
    """
    from wordlight.models.loading import load_model

    layer_method = make_layer_method(method, **params)
    classifier = load_model(model)
    return layer_method.explain(
        classifier, texts, target, progress=progress, label_threshold=label_threshold
    )
