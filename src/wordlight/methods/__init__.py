"""Attribution methods, one file each. Adding one: write the file, add it to METHODS, test it."""

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
from wordlight.methods.saliency import Saliency

METHODS: dict[str, type[Explainer]] = {
    cls.name: cls
    for cls in (
        *(Saliency, GradientXInput, IntegratedGradients, Information),
        *(Lime, KernelShap, Occlusion, LeaveOneOut),
    )
}
# Layer methods: scores at every encoder layer, one LayerExplanation per text (`wordlight layers`)
LAYER_METHODS: dict[str, type[LayerMethod]] = {
    cls.name: cls for cls in (LayerIntegratedGradients, LayerConductance, LayerInformation)
}

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
    "PerturbationWarning",
    "Saliency",
]
