"""Attribution methods, one file each. Adding one: write the file, add it to the registry
(``methods/registry.py``), test it (docs/adding-a-method.md)."""

from __future__ import annotations

from wordlight.methods._layer_base import LayerMethod
from wordlight.methods._perturb import PerturbationWarning
from wordlight.methods.base import Attribution, Explainer
from wordlight.methods.gradient_x_input import GradientXInput
from wordlight.methods.information import Information
from wordlight.methods.integrated_gradients import IntegratedGradients
from wordlight.methods.kernel_shap import KernelShap
from wordlight.methods.layer_conductance import LayerConductance
from wordlight.methods.layer_information import LayerInformation
from wordlight.methods.layer_integrated_gradients import LayerIntegratedGradients
from wordlight.methods.leave_one_out import LeaveOneOut
from wordlight.methods.lime import Lime
from wordlight.methods.occlusion import Occlusion
from wordlight.methods.perturbation_base import PerturbationExplainer
from wordlight.methods.registry import (
    LAYER_METHODS,
    METHODS,
    Parameter,
    Registry,
    configure,
    describe_parameters,
    get_layer_method,
    get_method,
    lookup,
    make_explainer,
    make_layer_method,
    make_method,
)
from wordlight.methods.saliency import Saliency

__all__ = [
    "LAYER_METHODS",
    "METHODS",
    "Attribution",
    "Explainer",
    "GradientXInput",
    "Information",
    "IntegratedGradients",
    "KernelShap",
    "LayerConductance",
    "LayerInformation",
    "LayerIntegratedGradients",
    "LayerMethod",
    "LeaveOneOut",
    "Lime",
    "Occlusion",
    "Parameter",
    "PerturbationExplainer",
    "PerturbationWarning",
    "Registry",
    "Saliency",
    "configure",
    "describe_parameters",
    "get_layer_method",
    "get_method",
    "lookup",
    "make_explainer",
    "make_layer_method",
    "make_method",
]
