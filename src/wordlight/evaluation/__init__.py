"""How far to trust an explanation: faithfulness (ERASER, ferret, deletion/insertion, Kendall tau
with leave-one-out), plausibility against human rationales, sanity checks (Adebayo et al.) and
``compare`` over methods. Plain functions over Explanations and a model; docs/evaluation.md."""

from __future__ import annotations

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

__all__ = [
    "FAITHFULNESS_METRICS",
    "Curve",
    "aopc_comprehensiveness",
    "aopc_sufficiency",
    "comprehensiveness",
    "deletion_auc",
    "deletion_curves",
    "evaluate_faithfulness",
    "ferret_aopc_comprehensiveness",
    "ferret_aopc_sufficiency",
    "insertion_auc",
    "insertion_curves",
    "kendall_tau_loo",
    "sufficiency",
]
