"""``load_model``: one entry point for every kind of model wordlight explains."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from wordlight.errors import ModelError
from wordlight.models.base_loading import quiet_transformers
from wordlight.models.protocol import TextClassifier


def load_model(
    model: Any, tokenizer: Any = None, *, max_length: int | None = None, device: str | None = None
) -> TextClassifier:
    """A TextClassifier from a built-in name ("default"), a local Hugging Face model directory,
    a loaded ``*ForSequenceClassification`` model with its tokenizer, a text-classification
    ``pipeline``, or anything that already follows the TextClassifier protocol."""
    from wordlight.models.huggingface import HuggingFaceClassifier
    from wordlight.models.registry import BUILTIN_MODELS, load_builtin

    if isinstance(model, TextClassifier):
        return model
    if isinstance(model, str | Path):
        name = str(model)
        if name in BUILTIN_MODELS:
            hf_model, hf_tokenizer = load_builtin(name)
        else:
            hf_model, hf_tokenizer = _from_directory(Path(name), tokenizer, BUILTIN_MODELS)
        tokenizer = hf_tokenizer
        model = hf_model
    elif hasattr(model, "model") and hasattr(model, "tokenizer") and hasattr(model, "task"):
        tokenizer = tokenizer or model.tokenizer  # a transformers pipeline
        model = model.model
    if device is not None:
        model = model.to(device)
    return HuggingFaceClassifier(model, tokenizer, max_length=max_length)


def _from_directory(path: Path, tokenizer: Any, builtins: Any) -> tuple[Any, Any]:
    if not path.exists():
        names = ", ".join(builtins)
        raise ModelError(
            f"model {str(path)!r} not found: give a local Hugging Face model directory or a "
            f"built-in name ({names})"
        )
    if not path.is_dir() or not (path / "config.json").exists():
        raise ModelError(f"{path} is not a Hugging Face model directory (no config.json in it)")
    from transformers import AutoConfig, AutoModelForSequenceClassification, AutoTokenizer

    with quiet_transformers():
        try:
            config = AutoConfig.from_pretrained(path, local_files_only=True)
        except Exception as exc:
            raise ModelError(f"cannot read {path / 'config.json'}: {_first_line(exc)}") from exc
        archs = list(getattr(config, "architectures", None) or [])
        if archs and not any(a.endswith("ForSequenceClassification") for a in archs):
            raise ModelError(
                f"{path} holds a {archs[0]}, not a text classifier; wordlight explains "
                "*ForSequenceClassification models"
            )
        if not any(path.glob("*.safetensors")):
            pickles = sorted(p.name for p in path.glob("*.bin")) or ["no weights file"]
            raise ModelError(
                f"{path} has no .safetensors weights ({', '.join(pickles)}); wordlight never "
                "unpickles weights: in a trusted environment, load the model and save it with "
                "save_pretrained(dir), which writes safetensors"
            )
        try:
            model, info = AutoModelForSequenceClassification.from_pretrained(
                path, local_files_only=True, output_loading_info=True, use_safetensors=True
            )
        except Exception as exc:
            raise ModelError(f"cannot load a classifier from {path}: {_load_problem(exc)}") from exc
        missing = list(info.get("missing_keys", []))
        if missing:
            raise ModelError(
                f"{path} has no trained classification head (missing "
                f"{', '.join(sorted(missing)[:3])}); fine-tune it first or point to a classifier"
            )
        if tokenizer is None:
            try:
                tokenizer = AutoTokenizer.from_pretrained(path, local_files_only=True)
            except Exception as exc:
                raise ModelError(f"no usable tokenizer in {path}: {_first_line(exc)}") from exc
    return model, tokenizer


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


def _load_problem(exc: BaseException) -> str:
    """One line for a failed weight load: shapes that do not fit config.json (weights of another
    architecture or size), an unreadable safetensors file, or the library's first line."""
    text = str(exc)
    if "mismatched" in text or "size mismatch" in text:
        return "its weights do not fit its config.json (another architecture or size); retrain"
    if "deserializ" in text or "header" in text:
        return f"its weights file is corrupt or truncated ({_first_line(exc)}); retrain or re-copy"
    return _first_line(exc)
