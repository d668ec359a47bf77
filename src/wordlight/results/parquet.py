"""Explanations as Parquet rows: one row per (text, target), schema versioned and documented.

The columns (schema version ``SCHEMA_VERSION``; docs/datasets-runs.md describes each):

=====================  ===================  ==============================================
column                 type                 meaning
=====================  ===================  ==============================================
row                    int64                position of the text in the input (0-based)
id                     string               the input's id (its id column, else ``row``)
text                   string               the explained text
true_label             string, null         the input's label, when it has one
predicted              int32                index of the predicted class
predicted_label        string
confidence             float64              probability of the predicted class
correct                bool, null           predicted_label == true_label (null for regression)
labels                 list<string>         the model's classes
probabilities          list<float64>        the model's output for the text
target / target_label  int32 / string       the class this row explains
token_texts            list<string>         model tokens (no special tokens)
token_starts/ends      list<int32>          character span of each token in ``text``
token_scores           list<float64>        one signed score per token
words                  list<string>         words (tokens grouped back into words)
word_starts/ends       list<int32>          character span of each word
word_token_indices     list<list<int32>>    tokens of each word
word_scores            list<float64>        one signed score per word
word_aggregation       string               how token scores made word scores
completeness_delta     float64, null        sum(scores) - (f(x) - f(baseline)), path methods
n_steps                int32, null          integration steps used, where the method has them
max_token_error        float64, null        estimated largest error of one token's score (IG "auto")
head                   string               the model's head: classification, multi_label, ...
label_threshold        float64              multi-label: labels above it are predicted
method                 string               method name
params                 string               method parameters as JSON
model_name / model_hash string              what was explained, and a hash of its weights
wordlight_version      string
<metric>               float64, null        optional faithfulness scores (comprehensiveness…)
=====================  ===================  ==============================================

pyarrow is imported when first needed (extra ``wordlight[batch]``).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from wordlight.checks import require
from wordlight.errors import InputError
from wordlight.results.explanation import Explanation, Token, Word

SCHEMA_VERSION = 1
METADATA_KEY = b"wordlight.schema_version"


@dataclass(frozen=True)
class RowContext:
    """What a row records beyond its Explanation: where it came from and what made it."""

    row: int
    id: str
    model_name: str
    model_hash: str
    wordlight_version: str
    metrics: Mapping[str, float] | None = None


def pyarrow() -> Any:
    return require("pyarrow", "batch")


def arrow_schema(metrics: Sequence[str] = ()) -> Any:
    pa = pyarrow()
    i32, f64, s = pa.int32(), pa.float64(), pa.string()
    fields = [
        ("row", pa.int64()),
        ("id", s),
        ("text", s),
        ("true_label", s),
        ("predicted", i32),
        ("predicted_label", s),
        ("confidence", f64),
        ("correct", pa.bool_()),
        ("labels", pa.list_(s)),
        ("probabilities", pa.list_(f64)),
        ("target", i32),
        ("target_label", s),
        ("token_texts", pa.list_(s)),
        ("token_starts", pa.list_(i32)),
        ("token_ends", pa.list_(i32)),
        ("token_scores", pa.list_(f64)),
        ("words", pa.list_(s)),
        ("word_starts", pa.list_(i32)),
        ("word_ends", pa.list_(i32)),
        ("word_token_indices", pa.list_(pa.list_(i32))),
        ("word_scores", pa.list_(f64)),
        ("word_aggregation", s),
        ("completeness_delta", f64),
        ("n_steps", i32),
        ("max_token_error", f64),
        ("head", s),
        ("label_threshold", f64),
        ("method", s),
        ("params", s),
        ("model_name", s),
        ("model_hash", s),
        ("wordlight_version", s),
        *[(name, f64) for name in metrics],
    ]
    meta = {METADATA_KEY: str(SCHEMA_VERSION).encode()}
    return pa.schema([pa.field(n, t) for n, t in fields], metadata=meta)


def explanation_row(e: Explanation, ctx: RowContext) -> dict[str, Any]:
    """One Parquet row (a plain dict) of an Explanation."""
    # a regression value has no class to be right or wrong about
    no_class = e.true_label is None or e.head == "regression"
    correct = None if no_class else e.predicted_label == e.true_label
    row = {
        "row": ctx.row,
        "id": ctx.id,
        "text": e.text,
        "true_label": e.true_label,
        "predicted": e.predicted,
        "predicted_label": e.predicted_label,
        "confidence": float(e.probabilities[e.predicted]),
        "correct": correct,
        "labels": list(e.labels),
        "probabilities": e.probabilities.tolist(),
        "target": e.target,
        "target_label": e.target_label,
        "token_texts": [t.text for t in e.tokens],
        "token_starts": [t.start for t in e.tokens],
        "token_ends": [t.end for t in e.tokens],
        "token_scores": e.scores.tolist(),
        "words": [w.text for w in e.words],
        "word_starts": [w.start for w in e.words],
        "word_ends": [w.end for w in e.words],
        "word_token_indices": [list(w.token_indices) for w in e.words],
        "word_scores": e.word_scores.tolist(),
        "word_aggregation": e.word_aggregation,
        "completeness_delta": _finite_or_none(e.completeness_delta),
        "n_steps": e.n_steps,
        "max_token_error": _finite_or_none(e.max_token_error),
        "head": e.head,
        "label_threshold": float(e.label_threshold),
        "method": e.method,
        "params": json.dumps(e.to_dict()["params"], sort_keys=True),
        "model_name": ctx.model_name,
        "model_hash": ctx.model_hash,
        "wordlight_version": ctx.wordlight_version,
    }
    for name, value in (ctx.metrics or {}).items():
        row[name] = _finite_or_none(value)
    return row


def rows_table(rows: Sequence[Mapping[str, Any]], metrics: Sequence[str] = ()) -> Any:
    """A pyarrow Table of rows made by :func:`explanation_row` (zero rows allowed)."""
    pa = pyarrow()
    schema = arrow_schema(metrics)
    columns = {f.name: [r.get(f.name) for r in rows] for f in schema}
    return pa.Table.from_pydict(columns, schema=schema)


def row_explanation(row: Mapping[str, Any]) -> Explanation:
    """The Explanation a Parquet row (as a dict) was made from."""
    tokens = tuple(
        Token(t, int(s), int(e))
        for t, s, e in zip(row["token_texts"], row["token_starts"], row["token_ends"], strict=True)
    )
    words = tuple(
        Word(t, int(s), int(e), tuple(int(i) for i in idx))
        for t, s, e, idx in zip(
            row["words"], row["word_starts"], row["word_ends"], row["word_token_indices"],
            strict=True,
        )
    )  # fmt: skip
    return Explanation(
        text=row["text"],
        tokens=tokens,
        scores=np.asarray(row["token_scores"], dtype=np.float64),
        target=int(row["target"]),
        target_label=row["target_label"],
        labels=tuple(row["labels"]),
        probabilities=np.asarray(row["probabilities"], dtype=np.float64),
        method=row["method"],
        params=json.loads(row["params"] or "{}"),
        completeness_delta=row["completeness_delta"],
        n_steps=row["n_steps"],
        max_token_error=row.get("max_token_error"),
        head=row.get("head") or "classification",
        label_threshold=row.get("label_threshold", 0.5),
        word_aggregation=row["word_aggregation"],
        true_label=row["true_label"],
        words=words,
    )


def shard_files(path: str | Path) -> list[Path]:
    """The shards (.parquet, or .jsonl of the same rows) of a run directory, or the file given."""
    path = Path(path)
    if path.is_file():
        return [path]
    shards = path / "shards" if (path / "shards").is_dir() else path
    return sorted([*shards.glob("*.parquet"), *shards.glob("*.jsonl")])


def read_rows(path: str | Path, columns: Sequence[str] | None = None) -> Iterable[dict[str, Any]]:
    """Rows of a run directory or Parquet file, shard by shard, in ``row`` order within each."""
    for file in shard_files(path):
        if file.suffix == ".jsonl":
            with file.open(encoding="utf-8") as f:
                yield from (json.loads(line) for line in f if line.strip())
            continue
        import pyarrow.parquet as pq

        table = pq.read_table(file, columns=list(columns) if columns else None)
        version = (table.schema.metadata or {}).get(METADATA_KEY)
        if version is not None and int(version) > SCHEMA_VERSION:
            raise InputError(
                f"{file} has schema version {int(version)}; this wordlight reads up to "
                f"{SCHEMA_VERSION}: upgrade wordlight"
            )
        yield from table.to_pylist()


def load_parquet_explanations(path: str | Path) -> list[Explanation]:
    """Every Explanation of a run directory (or one .parquet file), in input order."""
    path = Path(path)
    if not path.exists():
        raise InputError(f"{path} does not exist")
    if not shard_files(path):
        raise InputError(f"{path} holds no shards; is it a wordlight run directory?")
    rows = sorted(read_rows(path), key=lambda r: (r["row"], r["target"]))
    try:
        return [row_explanation(r) for r in rows]
    except (KeyError, TypeError, ValueError) as exc:
        raise InputError(f"{path} is not a wordlight explanation run: {exc}") from exc


def _finite_or_none(value: float | None) -> float | None:
    if value is None:
        return None
    value = float(value)
    return value if np.isfinite(value) else None
