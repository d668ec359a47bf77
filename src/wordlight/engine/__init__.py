"""The run engine: the one way from texts to model passes.

Every part of wordlight that runs a model goes through here: validation of the texts
(``check_texts``), encodings and windows for long texts (``make_windows``, merged back by
``merge_scores``), length buckets and padded batches (``length_buckets``, ``collate``; all of it
planned by ``prepare``/``plan`` and run by ``batches``/``predict``), the classes to explain
(``resolve_targets``), forward and gradient passes (``forward_outputs``,
``outputs_and_gradients``) under one row-budget policy (``row_budget``), and one progress rule
(``Progress``). See docs/engine.md.

Layering: the engine imports only ``errors`` and ``models``
from wordlight, never results, methods, evaluation or viz.
"""

from __future__ import annotations

from wordlight.engine.budget import (
    CPU_FORWARD_BUDGET,
    CPU_ROW_BUDGET,
    GPU_ROW_BUDGET,
    GROUP_TOKENS,
    HIDDEN_ROW_BUDGET,
    PassKind,
    check_budget,
    group_tokens,
    row_budget,
)
from wordlight.engine.passes import (
    OUTPUTS,
    Output,
    class_outputs,
    forward_outputs,
    outputs_and_gradients,
    width_chunks,
)
from wordlight.engine.pipeline import (
    Plan,
    batches,
    plan,
    predict,
    prepare,
    room,
    text_probabilities,
)
from wordlight.engine.progress import (
    DELAY_S,
    INHERIT,
    Callback,
    Progress,
    ProgressOption,
    current,
    nested,
)
from wordlight.engine.targets import Target, class_index, resolve_targets
from wordlight.engine.texts import check_encodings, check_texts
from wordlight.engine.windows import (
    Window,
    WindowBatch,
    collate,
    length_buckets,
    make_windows,
    mean_by_text,
    merge_scores,
    token_words,
)

__all__ = [
    "CPU_FORWARD_BUDGET",
    "CPU_ROW_BUDGET",
    "DELAY_S",
    "GPU_ROW_BUDGET",
    "GROUP_TOKENS",
    "HIDDEN_ROW_BUDGET",
    "INHERIT",
    "OUTPUTS",
    "Callback",
    "Output",
    "PassKind",
    "Plan",
    "Progress",
    "ProgressOption",
    "Target",
    "Window",
    "WindowBatch",
    "batches",
    "check_budget",
    "check_encodings",
    "check_texts",
    "class_index",
    "class_outputs",
    "collate",
    "current",
    "forward_outputs",
    "group_tokens",
    "length_buckets",
    "make_windows",
    "mean_by_text",
    "merge_scores",
    "nested",
    "outputs_and_gradients",
    "plan",
    "predict",
    "prepare",
    "resolve_targets",
    "room",
    "row_budget",
    "text_probabilities",
    "token_words",
    "width_chunks",
]
