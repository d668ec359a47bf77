"""User data files: CSV, TSV or JSONL with a text column and a label (or score) column.

Labels may be strings or numbers. Numbers (every label parses as a number) give ordinal classes
in numeric order and keep the number as the row's score; strings give classes in sorted order
and the class index as score. With only a score column the data set is a regression set (one
label name, "score"). Every other column is kept as an extra column (``TextDataset.extra``):
whole numbers as ints, other numbers as floats when the whole column parses, else the stripped
strings. Every problem is one line naming the file, the row and what to do.
"""

from __future__ import annotations

import csv
import io
import json
import math
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

from wordlight.data.dataset import Cell, TextDataset
from wordlight.errors import DataError

FORMATS = {".csv": ",", ".tsv": "\t", ".tab": "\t", ".jsonl": "json", ".ndjson": "json"}
MISSING = {"", "nan", "na", "n/a", "null", "none"}  # after strip + lower: an empty label
TEXT_COL, LABEL_COL = "text", "label"

Table = tuple[list[str], list[dict[str, str]]]  # header, rows by column name


def read_bytes(path: Path) -> bytes:
    if not path.exists():
        raise DataError(f"{path} does not exist; check the path")
    try:
        return path.read_bytes()
    except OSError as exc:
        raise DataError(f"cannot read {path} ({exc.strerror or exc})") from None


def decode(data: bytes, source: str) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DataError(
            f"{source} is not valid UTF-8 (bad byte at offset {exc.start}); save it as UTF-8"
        ) from None


def parse_delimited(text: str, delimiter: str, source: str) -> Table:
    """Header + rows of CSV/TSV text (quoted fields may hold delimiters and newlines)."""
    csv.field_size_limit(min(sys.maxsize, 2**31 - 1))
    try:
        records = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error as exc:
        raise DataError(f"{source} is not valid delimited text ({exc})") from None
    records = [r for r in records if any(field.strip() for field in r)]
    if not records:
        raise DataError(f"{source} is empty; it needs a header row and at least one data row")
    header = [name.strip() for name in records[0]]
    rows = []
    for number, record in enumerate(records[1:], start=2):
        if len(record) != len(header):
            raise DataError(
                f"{source}: row {number} has {len(record)} fields but the header has {len(header)}"
            )
        rows.append(dict(zip(header, record, strict=True)))
    return header, rows


def parse_jsonl(text: str, source: str) -> Table:
    rows: list[dict[str, str]] = []
    header: list[str] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            raise DataError(f"{source}:{number}: not a JSON object ({exc.msg})") from None
        if not isinstance(obj, dict):
            raise DataError(f"{source}:{number}: expected a JSON object, got {type(obj).__name__}")
        header += [key for key in obj if key not in header]
        rows.append({str(k): _json_cell(v) for k, v in obj.items()})
    return header, rows


def _json_cell(value: object) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return value if isinstance(value, str) else json.dumps(value)


def read_table(path: Path) -> Table:
    kind = FORMATS.get(path.suffix.lower())
    if kind is None:
        raise DataError(
            f"{path}: unknown file type {path.suffix!r}; use one of: {', '.join(FORMATS)}"
        )
    text = decode(read_bytes(path), str(path))
    header, rows = (
        parse_jsonl(text, str(path)) if kind == "json" else parse_delimited(text, kind, str(path))
    )
    if not rows:
        raise DataError(f"{path} has no data rows; it needs at least one row besides the header")
    return header, rows


def require_columns(header: Sequence[str], wanted: Sequence[str], source: str) -> None:
    missing = [c for c in wanted if c not in header]
    if missing:
        found = ", ".join(repr(c) for c in header) or "none"
        names = ", ".join(repr(c) for c in missing)
        raise DataError(f"{source} has no column {names}; columns found: {found}")


def load_file(
    path: str | Path,
    *,
    text_col: str | None = None,
    label_col: str | None = None,
    score_col: str | None = None,
) -> TextDataset:
    """A user file as one data set (see the module docstring)."""
    path = Path(path)
    header, rows = read_table(path)
    text_col = text_col or TEXT_COL
    if label_col is None and score_col is None:
        label_col = LABEL_COL
    wanted = [c for c in (text_col, label_col, score_col) if c is not None]
    require_columns(header, wanted, str(path))
    texts = [row[text_col].strip() for row in rows]
    for number, text in enumerate(texts, start=1):
        if not text:
            raise DataError(f"{path}: data row {number} has an empty text in column {text_col!r}")
    scores = numbers([row[score_col] for row in rows], score_col, str(path)) if score_col else None
    extra = extra_columns(header, rows, wanted)
    if label_col is None:
        assert scores is not None
        return TextDataset(
            texts=tuple(texts),
            labels=(0,) * len(texts),
            scores=tuple(scores),
            label_names=("score",),
            task="regression",
            extra=extra,
        )
    return labelled(
        texts, [row[label_col] for row in rows], label_col, str(path), scores, extra=extra
    )


def extra_columns(
    header: Sequence[str], rows: Sequence[dict[str, str]], used: Sequence[str]
) -> dict[str, tuple[Cell, ...]]:
    """Every column not in ``used``, one value per row (a row without it gets "")."""
    return {name: cells([row.get(name, "") for row in rows]) for name in header if name not in used}


def cells(raw: Sequence[str]) -> tuple[Cell, ...]:
    """A column's values: ints if all are whole numbers, floats if all are numbers, else strings."""
    values = [value.strip() for value in raw]
    as_numbers = _all_numbers(values)
    if as_numbers is None:
        return tuple(values)
    if all(x.is_integer() for x in as_numbers) and not any(
        "." in v or "e" in v.lower() for v in values
    ):
        return tuple(int(x) for x in as_numbers)
    return tuple(as_numbers)


def labelled(
    texts: Sequence[str],
    raw: Sequence[str],
    column: str,
    source: str,
    scores: Sequence[float] | None = None,
    ids: Sequence[str] = (),
    extra: Mapping[str, tuple[Cell, ...]] | None = None,
) -> TextDataset:
    """Texts with string labels -> a data set of at least two classes (see module docstring)."""
    values = [value.strip() for value in raw]
    for number, value in enumerate(values, start=1):
        if value.lower() in MISSING:
            raise DataError(
                f"{source}: data row {number} has an empty or NaN label in column {column!r}; "
                "fill it in or remove the row"
            )
    as_numbers = _all_numbers(values)
    if as_numbers is not None:
        order = sorted(set(as_numbers))
        names = tuple(_number_name(v) for v in order)
        labels = [order.index(v) for v in as_numbers]
        task = "ordinal"
        raw_scores = as_numbers
    else:
        names = tuple(sorted(set(values)))
        labels = [names.index(v) for v in values]
        task = "classification"
        raw_scores = [float(label) for label in labels]
    if len(names) < 2:
        raise DataError(
            f"{source} has a single class ({names[0]!r}) in column {column!r}; "
            "a classifier needs at least two"
        )
    return TextDataset(
        texts=tuple(texts),
        labels=tuple(labels),
        scores=tuple(scores if scores is not None else raw_scores),
        label_names=names,
        ids=tuple(ids),
        task=task,
        extra=dict(extra or {}),
    )


def numbers(values: Sequence[str], column: str, source: str) -> list[float]:
    out = []
    for number, value in enumerate(values, start=1):
        try:
            x = float(value)
        except ValueError:
            x = math.nan
        if not math.isfinite(x):
            raise DataError(
                f"{source}: data row {number} has {value!r} in column {column!r}; expected a number"
            )
        out.append(x)
    return out


def _all_numbers(values: Sequence[str]) -> list[float] | None:
    try:
        out = [float(v) for v in values]
    except ValueError:
        return None
    return out if all(math.isfinite(x) for x in out) else None


def _number_name(value: float) -> str:
    return str(int(value)) if value.is_integer() else repr(value)
