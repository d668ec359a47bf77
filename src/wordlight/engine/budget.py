"""The row budget: how many tokens (rows x width) one forward or backward pass may hold.

One policy for every pass wordlight runs. ``max_batch_tokens`` given by the caller wins;
otherwise the default depends on the device and on the kind of pass, as measured:

- ``"gradient"`` (forward + backward, and the prediction passes around them): 1024 tokens on a
  CPU, measured on 2 cores with the default model (9.0 ms per row at ~1k tokens, 10.3 at 512,
  11.7 at 8k: small chunks stay in cache); 16384 on an accelerator.
- ``"forward"`` (forward only, the perturbation methods' many rows): 2048 on a CPU, measured
  with LIME on 20 movie snippets, default model, quiet 2-core CPU (31-32 s at 2048 tokens, 32 s
  at 1024, 35-36 s at 8192; on a busy machine 512 had been 2.5-3.5x slower than 2048-16384);
  16384 on an accelerator.
- ``"hidden"`` (hidden states without gradients, the information method's regularisation
  sample): 8192 on every device.

Windows are handed to one method call in groups of at least ``GROUP_TOKENS`` tokens
(``group_tokens``): the per-window tensors a method builds are cheap; the passes inside are cut
to the row budget again (``passes.width_chunks``).
"""

from __future__ import annotations

from typing import Literal

from wordlight.errors import InputError
from wordlight.models.protocol import TextClassifier

PassKind = Literal["gradient", "forward", "hidden"]

CPU_ROW_BUDGET = 1024
GPU_ROW_BUDGET = 16384
CPU_FORWARD_BUDGET = 2048
HIDDEN_ROW_BUDGET = 8192
GROUP_TOKENS = 8192  # windows handed to one attribute() call (cheap per-window tensors only)

DEFAULTS: dict[str, tuple[int, int]] = {  # kind -> (CPU, accelerator)
    "gradient": (CPU_ROW_BUDGET, GPU_ROW_BUDGET),
    "forward": (CPU_FORWARD_BUDGET, GPU_ROW_BUDGET),
    "hidden": (HIDDEN_ROW_BUDGET, HIDDEN_ROW_BUDGET),
}


def check_budget(max_batch_tokens: int | None) -> None:
    """An InputError unless ``max_batch_tokens`` is None or an integer >= 1."""
    if max_batch_tokens is None:
        return
    if isinstance(max_batch_tokens, bool) or not isinstance(max_batch_tokens, int):
        raise InputError(f"max_batch_tokens must be an integer >= 1, got {max_batch_tokens!r}")
    if max_batch_tokens < 1:
        raise InputError(f"max_batch_tokens must be >= 1, got {max_batch_tokens}")


def row_budget(
    model: TextClassifier, max_batch_tokens: int | None = None, kind: PassKind = "gradient"
) -> int:
    """Tokens per pass: ``max_batch_tokens`` when given, else the default for ``kind`` on the
    model's device (see the module docstring for the measurements)."""
    check_budget(max_batch_tokens)
    if max_batch_tokens is not None:
        return max_batch_tokens
    if kind not in DEFAULTS:
        raise InputError(f"unknown pass kind {kind!r}; choose one of {', '.join(DEFAULTS)}")
    cpu, accelerator = DEFAULTS[kind]
    return cpu if model.device.type == "cpu" else accelerator


def group_tokens(budget: int) -> int:
    """Tokens of windows handed to one method call: the row budget, at least GROUP_TOKENS."""
    return max(budget, GROUP_TOKENS)
