"""Loading a local encoder as a sequence classifier with a fresh head, quietly: the part the
built-in default model and training share (so ``models`` never imports ``training``)."""

from __future__ import annotations

import warnings
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from wordlight.errors import ModelError


@contextmanager
def quiet_transformers() -> Iterator[None]:
    """Silence transformers' load reports, its weight-loading progress bar and the
    FutureWarnings peft triggers while loading; restore all of them afterwards."""
    from transformers.utils import logging as hf_logging

    level = hf_logging.get_verbosity()
    bars = hf_logging.is_progress_bar_enabled()
    hf_logging.set_verbosity_error()
    hf_logging.disable_progress_bar()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", FutureWarning)
            yield
    finally:
        hf_logging.set_verbosity(level)
        if bars:
            hf_logging.enable_progress_bar()


def load_base(path: str, label_names: Sequence[str]) -> tuple[Any, Any]:
    """A sequence classifier with a fresh head (``len(label_names)`` outputs) and its tokenizer,
    from a local directory only, with transformers' load report silenced."""
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    from wordlight.models.decoding import n_outputs

    if n_outputs("classification", len(label_names)) < 1:
        raise ModelError("the head needs at least one output")
    id2label = dict(enumerate(label_names))
    try:
        with quiet_transformers():
            tokenizer = AutoTokenizer.from_pretrained(path, local_files_only=True)
            model = AutoModelForSequenceClassification.from_pretrained(
                path,
                num_labels=len(label_names),
                id2label=id2label,
                label2id={name: i for i, name in id2label.items()},
                local_files_only=True,
            )
    except (OSError, ValueError) as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise ModelError(f"cannot load a model from {path}: {first}") from None
    return model, tokenizer
