"""Result types and their serialisation: data only, no maths, no rendering."""

from __future__ import annotations

from wordlight.explanation import Explanation, Token, Word
from wordlight.io import load_explanations, save_explanations
from wordlight.layer_explanation import LayerExplanation

__all__ = [
    "Explanation",
    "LayerExplanation",
    "Token",
    "Word",
    "load_explanations",
    "save_explanations",
]
