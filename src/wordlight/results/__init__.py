"""Result types and their serialisation: data only, no maths, no rendering.

- :class:`Explanation`: one text's token and word scores for one class;
- :class:`LayerExplanation`: the same at every encoder layer (rows = layers);
- :func:`layer_profile`: layer results summarised over many texts;
- :func:`save_explanations` / :func:`load_explanations` and the layer pair: JSON / JSON Lines.

Nothing here imports :mod:`wordlight.viz`; ``Explanation.to_frame()`` and the notebook view
import their renderer when called.
"""

from __future__ import annotations

from wordlight.results.explanation import Explanation, Token, Word
from wordlight.results.layer_explanation import LayerExplanation
from wordlight.results.layer_profile import LayerProfile, layer_profile
from wordlight.results.saving import (
    load_explanations,
    load_layer_explanations,
    save_explanations,
    save_layer_explanations,
)
from wordlight.results.words import WORD_AGGREGATIONS

__all__ = [
    "WORD_AGGREGATIONS",
    "Explanation",
    "LayerExplanation",
    "LayerProfile",
    "Token",
    "Word",
    "layer_profile",
    "load_explanations",
    "load_layer_explanations",
    "save_explanations",
    "save_layer_explanations",
]
