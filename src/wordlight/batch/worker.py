"""Explaining one chunk of input rows: the unit of work of both engines (local and Ray).

Rows that cannot be explained become Rejects with the reason; the rest go through
``wordlight.explain`` in one call (which buckets them by length and windows long texts).
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

import wordlight
from wordlight.batch.rejects import Reject
from wordlight.batch.source import InputRow
from wordlight.errors import WordlightError
from wordlight.results.parquet import RowContext, explanation_row


@dataclass(frozen=True)
class Job:
    """Everything a worker needs besides the model: picklable, so Ray actors get it too."""

    method: str
    params: Mapping[str, Any]
    target: Any = None
    metrics: tuple[str, ...] = ()
    model_name: str = ""
    model_hash: str = ""
    label_threshold: float = 0.5  # multi-label: labels above it are predicted


def explain_chunk(
    model: Any, job: Job, rows: Sequence[InputRow]
) -> tuple[list[dict[str, Any]], list[Reject]]:
    """Parquet rows (ordered by input row, then target) and rejects of one chunk."""
    rejects: list[Reject] = []
    good: list[InputRow] = []
    readable = [r for r in rows if not r.problem and r.text.strip()]
    tokens = dict(
        zip((r.row for r in readable), model.encode([r.text for r in readable]), strict=True)
    )
    for row in rows:
        reason = _problem(model, row, row.row in tokens and not tokens[row.row].ids)
        if reason:
            rejects.append(Reject(row.row, row.id, reason, row.text))
        else:
            good.append(row)
    if not good:
        return [], rejects
    try:
        pairs = _explain(model, job, good)
    except WordlightError:  # find the row(s) at fault: one at a time
        pairs = []
        for row in good:
            try:
                pairs += _explain(model, job, [row])
            except WordlightError as exc:
                rejects.append(Reject(row.row, row.id, str(exc), row.text))
    scores = _metrics(model, job, [e for _, e in pairs])
    out = []
    for i, (row, e) in enumerate(pairs):
        ctx = RowContext(row.row, row.id, job.model_name, job.model_hash, wordlight.__version__,
                         {name: float(values[i]) for name, values in scores.items()})  # fmt: skip
        out.append(explanation_row(e, ctx))
    rejects.sort(key=lambda r: r.row)
    return out, rejects


def _problem(model: Any, row: InputRow, no_tokens: bool) -> str | None:
    if row.problem:
        return row.problem
    if not row.text.strip():
        return "empty text"
    if row.label is not None and row.label not in model.labels:
        return f"label {row.label!r} is not a class of the model ({', '.join(model.labels)})"
    if no_tokens:
        return "no tokens the model knows"
    return None


def _explain(model: Any, job: Job, rows: Sequence[InputRow]) -> list[tuple[InputRow, Any]]:
    explainer = wordlight.make_explainer(job.method, **dict(job.params))
    found = wordlight.explain(
        model, [r.text for r in rows], explainer, target=job.target, progress=False,
        label_threshold=job.label_threshold,
    )  # fmt: skip
    per_text = len(found) // len(rows)  # C with target="all", else 1; text-major order
    return [
        (row, dataclasses.replace(e, true_label=row.label))
        for i, row in enumerate(rows)
        for e in found[i * per_text : (i + 1) * per_text]
    ]


def _metrics(model: Any, job: Job, explanations: list[Any]) -> dict[str, np.ndarray]:
    if not job.metrics or not explanations:
        return {name: np.full(len(explanations), np.nan) for name in job.metrics}
    from wordlight.evaluation import evaluate_faithfulness

    return evaluate_faithfulness(model, explanations, list(job.metrics), progress=False)


def model_identity(model: Any) -> tuple[str, str]:
    """(name, hash): the model's name and a SHA-256 of its weights (files or parameters)."""
    if isinstance(model, str | Path):
        name = str(model)
        path = Path(name)
        if not path.is_dir():  # a built-in model: hash the files it ships with
            from wordlight.models import builtin_default

            path = Path(builtin_default.__file__).parent / "default"
            name = str(model)
        h = hashlib.sha256()
        for file in sorted(p for p in path.rglob("*") if p.is_file()):
            h.update(file.relative_to(path).as_posix().encode() + b"\0")
            with file.open("rb") as f:
                for block in iter(lambda: f.read(1 << 20), b""):
                    h.update(block)
        return name, h.hexdigest()
    import torch

    module = _torch_module(model)
    h = hashlib.sha256(type(model).__name__.encode())
    if module is not None:
        for key, tensor in sorted(module.state_dict().items()):
            flat = tensor.detach().cpu().contiguous().reshape(-1)
            h.update(key.encode() + flat.view(torch.uint8).numpy().tobytes())
    return type(module if module is not None else model).__name__, h.hexdigest()


def _torch_module(model: Any) -> Any:
    from torch import nn

    if isinstance(model, nn.Module):
        return model
    for attr in ("model", "module"):
        inner = getattr(model, attr, None)
        if isinstance(inner, nn.Module):
            return inner
    return None
