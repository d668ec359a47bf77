"""The regularization of the information method: per-dimension std of a layer's hidden states
over a sample of texts, computed batched without gradients and cached.

r_d = std over every real token (special tokens included, padding excluded) of every sample text
of h_k[token, d], the hidden state of layer k. Texts of any length: long ones are cut into the
model's windows, batches are padded and the padding masked out of the sums. Cached in memory per
(model weights, layer, source, size) and, with ``cache_dir``, on disk as .safetensors.
"""

from __future__ import annotations

import hashlib
import weakref
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import Tensor

from wordlight import engine
from wordlight.errors import InputError
from wordlight.models.protocol import LayeredClassifier

SAMPLE_SEED = 0
_MEMORY: weakref.WeakKeyDictionary[Any, dict[tuple[Any, ...], Tensor]] = weakref.WeakKeyDictionary()


def hidden_std(
    model: LayeredClassifier,
    texts: Sequence[str],
    layer: int,
    max_batch_tokens: int | None = None,
) -> Tensor:
    """Per-dimension std (hidden,) of hidden state ``layer`` over every real token of ``texts``;
    batches of ``max_batch_tokens`` (default: the engine's "hidden" row budget)."""
    budget = engine.row_budget(model, max_batch_tokens, "hidden")
    encodings = [e for e in model.encode(list(texts)) if e.ids]
    if not encodings:
        raise InputError("no sample text has tokens the model knows; cannot compute a std")
    plan = engine.plan(model, encodings, overlap=0.5, tokens=budget)
    total = count = squares = None
    with model.evaluating(), torch.inference_mode():
        for _, batch in engine.batches(model, plan):
            h = model.hidden_state(model.embedding_output(batch.ids), batch.attention_mask, layer)
            values = h[batch.attention_mask.bool()].double()
            s, q = values.sum(0), values.square().sum(0)
            total = s if total is None else total + s
            squares = q if squares is None else squares + q
            count = len(values) + (count or 0)
    assert total is not None and squares is not None and count
    mean = total / count
    return (squares / count - mean.square()).clamp_min(0).sqrt().float()


def sample_texts(source: str, size: int) -> list[str]:
    """``size`` texts of a built-in data set's train split (a fixed sample) or of a text file
    (one text per non-blank line)."""
    from wordlight.data import DATASETS, load_dataset

    if source in DATASETS:
        texts = list(load_dataset(source).train.texts)
    elif Path(source).is_file():
        lines = Path(source).read_text(encoding="utf-8-sig").splitlines()
        texts = [line.strip() for line in lines if line.strip()]
    else:
        raise InputError(
            f"regularization {source!r} is neither 'self', a data set "
            f"({', '.join(DATASETS)}) nor a text file"
        )
    if len(texts) < 2:
        raise InputError(f"regularization {source!r} has {len(texts)} texts; it needs at least 2")
    if len(texts) <= size:
        return texts
    order = np.random.default_rng(SAMPLE_SEED).permutation(len(texts))[:size]
    return [texts[i] for i in sorted(order)]


def layer_regularization(
    model: LayeredClassifier,
    layer: int,
    source: str,
    size: int,
    *,
    max_batch_tokens: int | None = None,
    cache_dir: str | None = None,
) -> Tensor:
    """``hidden_std`` of ``size`` texts from ``source``, cached in memory and under
    ``cache_dir`` (as ``information-std-<key>.safetensors``) when one is given."""
    module = getattr(model, "model", model)
    versions = sum(p._version for p in module.parameters()) if hasattr(module, "parameters") else 0
    key = (layer, source, size, versions)
    cached = _MEMORY.setdefault(module, {})
    if key in cached:
        return cached[key].to(model.device)
    path = None
    if cache_dir is not None:
        digest = _fingerprint(module, layer, source, size)
        path = Path(cache_dir).expanduser() / f"information-std-{digest}.safetensors"
    if path is not None and path.is_file():
        from safetensors.torch import load_file

        std = load_file(str(path))["std"]
    else:
        std = hidden_std(model, sample_texts(source, size), layer, max_batch_tokens).cpu()
        if path is not None:
            from safetensors.torch import save_file

            path.parent.mkdir(parents=True, exist_ok=True)
            meta = {"layer": str(layer), "source": source, "size": str(size)}
            save_file({"std": std.contiguous()}, str(path), metadata=meta)
    cached[key] = std
    return std.to(model.device)


def _fingerprint(module: Any, layer: int, source: str, size: int) -> str:
    """A key for the disk cache: the model's class, name and a digest of its weights, the
    layer, and the sample (a file's content, not only its name)."""
    h = hashlib.sha256()
    name = getattr(getattr(module, "config", None), "_name_or_path", "")
    h.update(f"{type(module).__name__}|{name}|{layer}|{size}|{source}".encode())
    if Path(source).is_file():
        h.update(Path(source).read_bytes())
    with torch.no_grad():
        for p in module.parameters() if hasattr(module, "parameters") else ():
            h.update(np.float64(p.double().sum().item()).tobytes())
            h.update(np.float64(p.double().square().sum().item()).tobytes())
    return h.hexdigest()[:20]
