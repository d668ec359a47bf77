"""How far to trust an explanation: faithfulness (ERASER, ferret, deletion/insertion, Kendall tau
with leave-one-out), plausibility against human rationales, sanity checks (Adebayo et al.) and
``compare`` over methods. Plain functions over Explanations and a model; docs/evaluation.md."""

from __future__ import annotations

from wordlight.evaluation.compare import Comparison, compare
from wordlight.evaluation.curves import Curve, deletion_curves, insertion_curves
from wordlight.evaluation.faithfulness import (
    FAITHFULNESS_METRICS,
    aopc_comprehensiveness,
    aopc_sufficiency,
    comprehensiveness,
    deletion_auc,
    evaluate_faithfulness,
    ferret_aopc_comprehensiveness,
    ferret_aopc_sufficiency,
    insertion_auc,
    kendall_tau_loo,
    sufficiency,
)
from wordlight.evaluation.plausibility import (
    PLAUSIBILITY_METRICS,
    auprc,
    evaluate_plausibility,
    iou_f1,
    token_f1,
)
from wordlight.evaluation.sanity import SanityResult, label_randomization, model_randomization

__all__ = [
    "FAITHFULNESS_METRICS",
    "PLAUSIBILITY_METRICS",
    "Comparison",
    "Curve",
    "SanityResult",
    "aopc_comprehensiveness",
    "aopc_sufficiency",
    "auprc",
    "compare",
    "comprehensiveness",
    "deletion_auc",
    "deletion_curves",
    "evaluate_faithfulness",
    "evaluate_plausibility",
    "ferret_aopc_comprehensiveness",
    "ferret_aopc_sufficiency",
    "insertion_auc",
    "insertion_curves",
    "iou_f1",
    "kendall_tau_loo",
    "label_randomization",
    "model_randomization",
    "sufficiency",
    "token_f1",
]
