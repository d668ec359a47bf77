"""Reading a run's input as a stream of rows: CSV/TSV/JSONL/Parquet files or a built-in data set.

Files are read row by row (Parquet batch by batch), never whole. A row that cannot be read
(bad UTF-8, a broken JSON line, a missing field) still comes out, with ``problem`` set, so the
runner can put it in the rejects file with that reason instead of dropping it.
"""

from __future__ import annotations

import csv
import hashlib
import json
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from wordlight.errors import DataError, InputError

FILE_KINDS = {".csv": "csv", ".tsv": "tsv", ".tab": "tsv", ".jsonl": "jsonl", ".ndjson": "jsonl"}
FILE_KINDS[".parquet"] = "parquet"
PARQUET_BATCH = 4096


@dataclass(frozen=True)
class InputRow:
    """One input text. ``row`` is its 0-based position; ``problem`` why it cannot be used."""

    row: int
    id: str
    text: str
    label: str | None = None
    problem: str | None = None


@dataclass(frozen=True)
class Source:
    """Where a run's texts come from: a file with named columns, or a built-in data set split."""

    file: str | None = None
    text_col: str = "text"
    label_col: str | None = None
    id_col: str | None = None
    data: str | None = None
    split: str = "test"

    def __post_init__(self) -> None:
        if (self.file is None) == (self.data is None):
            raise InputError("give either a data set name (--data) or a file (--file)")
        if self.file is not None:
            kind = FILE_KINDS.get(Path(self.file).suffix.lower())
            if kind is None:
                raise InputError(
                    f"{self.file}: unknown file type; use one of: {', '.join(FILE_KINDS)}"
                )
            if not Path(self.file).is_file():
                raise InputError(f"{self.file} does not exist or is not a file")
        elif self.split not in ("train", "validation", "test"):
            raise InputError(f"unknown split {self.split!r}; choose train, validation or test")

    def describe(self) -> dict[str, Any]:
        if self.file is not None:
            return {"file": str(Path(self.file).resolve()), "text_col": self.text_col,
                    "label_col": self.label_col, "id_col": self.id_col}  # fmt: skip
        return {"data": self.data, "split": self.split}

    def fingerprint(self) -> str:
        """A hash of the input's content and of how it is read."""
        h = hashlib.sha256(json.dumps({**self.describe(), "file": None}, sort_keys=True).encode())
        if self.file is not None:
            with open(self.file, "rb") as f:
                for block in iter(lambda: f.read(1 << 20), b""):
                    h.update(block)
        else:
            for row in self.rows():
                h.update(f"{row.id}\0{row.text}\0{row.label}\n".encode())
        return h.hexdigest()

    def rows(self) -> Iterator[InputRow]:
        """Every input row, in order."""
        if self.data is not None:
            yield from _dataset_rows(self.data, self.split)
            return
        assert self.file is not None
        kind = FILE_KINDS[Path(self.file).suffix.lower()]
        if kind == "parquet":
            records: Iterator[tuple[dict[str, Any], str | None]] = self._parquet_records()
        elif kind == "jsonl":
            records = _jsonl_records(Path(self.file))
        else:
            delimiter = "\t" if kind == "tsv" else ","
            records = _delimited_records(Path(self.file), delimiter, self.check_columns)
        for i, (record, problem) in enumerate(records):
            yield self._row(i, record, problem)

    # --- files -------------------------------------------------------------------------
    def _row(self, i: int, record: dict[str, Any], problem: str | None) -> InputRow:
        text = _cell(record.get(self.text_col))
        label = _cell(record.get(self.label_col)) if self.label_col else None
        row_id = _cell(record.get(self.id_col)) if self.id_col else str(i)
        if problem is None and _has_surrogates(text, label, row_id):
            problem = "bad encoding: not valid UTF-8"
        if problem is None and not row_id:
            problem = f"empty id in column {self.id_col!r}"
        clean = [_printable(v) for v in (text, label, row_id)]
        return InputRow(i, clean[2] or str(i), clean[0] or "", clean[1] or None, problem)

    def check_columns(self, header: list[str]) -> None:
        wanted = [c for c in (self.text_col, self.label_col, self.id_col) if c]
        missing = [c for c in wanted if c not in header]
        if missing:
            found = ", ".join(repr(c) for c in header) or "none"
            raise DataError(f"{self.file} has no column {missing[0]!r}; columns found: {found}")

    def _parquet_records(self) -> Iterator[tuple[dict[str, Any], str | None]]:
        import pyarrow.parquet as pq

        pf = pq.ParquetFile(self.file)
        self.check_columns(list(pf.schema_arrow.names))
        cols = [c for c in (self.text_col, self.label_col, self.id_col) if c]
        for batch in pf.iter_batches(batch_size=PARQUET_BATCH, columns=cols):
            for record in batch.to_pylist():
                yield record, None


def _delimited_records(
    path: Path, delimiter: str, check: Callable[[list[str]], None]
) -> Iterator[tuple[dict[str, Any], str | None]]:
    csv.field_size_limit(min(sys.maxsize, 2**31 - 1))
    with path.open(encoding="utf-8-sig", errors="surrogateescape", newline="") as f:
        reader = csv.reader(f, delimiter=delimiter)
        header = next(reader, None)
        if header is None:
            raise DataError(f"{path} is empty; it needs a header row")
        header = [h.strip() for h in header]
        check(header)
        for record in reader:
            if not any(field.strip() for field in record):
                continue
            if len(record) != len(header):
                problem = f"{len(record)} fields where the header has {len(header)}"
                yield dict(zip(header, record, strict=False)), problem
            else:
                yield dict(zip(header, record, strict=True)), None


def _jsonl_records(path: Path) -> Iterator[tuple[dict[str, Any], str | None]]:
    with path.open("rb") as f:
        for raw in f:
            if not raw.strip():
                continue
            try:
                obj = json.loads(raw.decode("utf-8-sig"))
            except UnicodeDecodeError:
                yield {}, "bad encoding: not valid UTF-8"
                continue
            except json.JSONDecodeError as exc:
                yield {}, f"not a JSON object ({exc.msg})"
                continue
            if not isinstance(obj, dict):
                yield {}, f"expected a JSON object, got {type(obj).__name__}"
                continue
            yield obj, None


def _dataset_rows(name: str, split: str) -> Iterator[InputRow]:
    from wordlight.data import load_dataset

    part = getattr(load_dataset(name), split)
    for i, text in enumerate(part.texts):
        row_id = part.ids[i] if part.ids else str(i)
        yield InputRow(i, str(row_id), text, part.label_names[part.labels[i]])


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _has_surrogates(*values: str | None) -> bool:
    return any(v is not None and any("\udc80" <= c <= "\udcff" for c in v) for v in values)


def _printable(value: str | None) -> str | None:
    """The value with undecodable bytes shown as U+FFFD, so it can be written out."""
    if value is None:
        return None
    return value.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
