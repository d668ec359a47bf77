"""wordlight: which words made this NLP model say that?

Public API only. Heavy libraries (transformers, matplotlib, pandas) load when first needed.
"""

from __future__ import annotations

from wordlight.api import explain, explain_layers, make_explainer, make_layer_method
from wordlight.errors import DataError, InputError, ModelError, TargetError, WordlightError
from wordlight.methods import (
    METHODS,
    Explainer,
    GradientXInput,
    Information,
    IntegratedGradients,
    KernelShap,
    LayerConductance,
    LayerInformation,
    LayerIntegratedGradients,
    LeaveOneOut,
    Lime,
    Occlusion,
    Saliency,
)
from wordlight.models.loading import load_model
from wordlight.models.protocol import LayeredClassifier, TextClassifier
from wordlight.models.torch_module import TorchClassifier, WhitespaceTokenizer
from wordlight.results import (
    Explanation,
    LayerExplanation,
    Token,
    Word,
    load_explanations,
    save_explanations,
)

__version__ = "0.1.0"

__all__ = [
    "METHODS",
    "DataError",
    "Explainer",
    "Explanation",
    "GradientXInput",
    "Information",
    "InputError",
    "IntegratedGradients",
    "KernelShap",
    "LayerConductance",
    "LayerExplanation",
    "LayerInformation",
    "LayerIntegratedGradients",
    "LayeredClassifier",
    "LeaveOneOut",
    "Lime",
    "ModelError",
    "Occlusion",
    "Saliency",
    "TargetError",
    "TextClassifier",
    "Token",
    "TorchClassifier",
    "WhitespaceTokenizer",
    "Word",
    "WordlightError",
    "__version__",
    "explain",
    "explain_layers",
    "load_explanations",
    "load_model",
    "make_explainer",
    "make_layer_method",
    "save_explanations",
]
