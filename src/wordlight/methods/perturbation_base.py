"""The base of the perturbation methods (lime, kernel_shap, occlusion, leave_one_out): what they
remove (whole words or single tokens) and the token id that replaces a removed one.

A perturbation method subclasses :class:`PerturbationExplainer`, declares its own fields and
implements ``attribute``; ``level`` and ``replace`` and their checks come from here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from wordlight.methods.base import Explainer

# "word": whole words (all their subword tokens) are removed together; "token": one token
Level = Literal["word", "token"]
# the id of a removed token: "mask" ([MASK]), "pad"; "auto": mask if the tokenizer has one
Replace = Literal["auto", "mask", "pad"]


@dataclass(frozen=True, kw_only=True)
class PerturbationExplainer(Explainer):
    """An Explainer that scores features by removing them from the text."""

    level: Level = "word"
    replace: Replace = "auto"
