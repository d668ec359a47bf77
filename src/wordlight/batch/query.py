"""Server-side paging of a run's rows for the app's data set view: DuckDB over the shards.

Plain functions, no web code: ``query_rows(run_dir, filters, sort=..., page=...)`` gives one
page of rows (the columns a table with inline word heatmaps needs) and the total matching;
``get_row(run_dir, row, target)`` the full row for the single-text view. Only the page's rows
come back to Python, so the first page of a 100,000-row run takes well under a second.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, fields
from functools import lru_cache
from pathlib import Path
from typing import Any

from wordlight.batch.report_data import connect
from wordlight.errors import InputError, one_of

PAGE_COLUMNS = (
    "row", "id", "text", "true_label", "predicted_label", "confidence", "correct", "target",
    "target_label", "completeness_delta", "words", "word_scores",
)  # fmt: skip
SORTS = ("row", "id", "confidence", "completeness_delta", "abs_delta", "true_label",
         "predicted_label", "comprehensiveness", "sufficiency")  # fmt: skip
METRICS = ("comprehensiveness", "sufficiency")
MAX_PAGE_SIZE = 1000


@dataclass(frozen=True)
class RowFilter:
    """Which rows to show; ``None`` means no condition. Ranges are inclusive."""

    true_label: str | None = None
    predicted_label: str | None = None
    target_label: str | None = None
    correct: bool | None = None
    min_confidence: float | None = None
    max_confidence: float | None = None
    max_abs_delta: float | None = None  # |completeness delta| (or token error) at most this
    min_abs_delta: float | None = None
    metric: str | None = None  # a faithfulness column the next two bound
    min_metric: float | None = None
    max_metric: float | None = None
    word: str | None = None  # rows whose text has this word (case-insensitive)


@dataclass(frozen=True)
class Page:
    rows: list[dict[str, Any]]
    total: int  # rows matching the filter
    page: int
    page_size: int


@lru_cache(maxsize=8)
def _open(run_dir: str) -> tuple[Any, threading.Lock, frozenset[str]]:
    con = connect(run_dir)
    columns = frozenset(r[0] for r in con.execute("DESCRIBE rows").fetchall())
    return con, threading.Lock(), columns


def query_rows(
    run_dir: str | Path,
    filters: RowFilter | None = None,
    *,
    sort: str = "row",
    descending: bool = False,
    page: int = 0,
    page_size: int = 50,
) -> Page:
    """One page of the rows of a run that match ``filters``, sorted by ``sort``."""
    if sort not in SORTS:
        raise one_of("sort", sort, SORTS)
    if page < 0 or not 1 <= page_size <= MAX_PAGE_SIZE:
        raise InputError(f"page must be >= 0 and page_size in 1..{MAX_PAGE_SIZE}")
    con, lock, columns = _open(str(Path(run_dir).resolve()))
    where, args = _where(filters or RowFilter(), columns)
    if sort in METRICS and sort not in columns:
        raise InputError(f"this run has no {sort} column; make it with --metrics {sort}")
    key = "abs(completeness_delta)" if sort == "abs_delta" else sort
    order = f"{key} {'DESC' if descending else 'ASC'} NULLS LAST, row, target"
    wanted = [c for c in PAGE_COLUMNS if c in columns] + [m for m in METRICS if m in columns]
    with lock:  # one DuckDB connection is not safe for concurrent use
        total = con.execute(f"SELECT count(*) FROM rows WHERE {where}", args).fetchone()[0]
        cursor = con.execute(
            f"SELECT {', '.join(wanted)} FROM rows WHERE {where} ORDER BY {order} "
            f"LIMIT {int(page_size)} OFFSET {int(page) * int(page_size)}",
            args,
        )
        names = [d[0] for d in cursor.description]
        rows = [dict(zip(names, r, strict=True)) for r in cursor.fetchall()]
    return Page(rows, int(total), page, page_size)


def get_row(run_dir: str | Path, row: int, target: int | None = None) -> dict[str, Any]:
    """Every column of one row (for the single-text view); the first target if not given."""
    con, lock, _ = _open(str(Path(run_dir).resolve()))
    sql = "SELECT * FROM rows WHERE row = ?" + ("" if target is None else " AND target = ?")
    with lock:
        cursor = con.execute(
            sql + " ORDER BY target LIMIT 1", [row, *([] if target is None else [target])]
        )
        found = cursor.fetchone()
        names = [d[0] for d in cursor.description]
    if found is None:
        raise InputError(
            f"{run_dir} has no row {row}" + ("" if target is None else f" for target {target}")
        )
    return dict(zip(names, found, strict=True))


def _where(f: RowFilter, columns: frozenset[str]) -> tuple[str, list[Any]]:
    parts, args = ["TRUE"], []
    for name in ("true_label", "predicted_label", "target_label", "correct"):
        value = getattr(f, name)
        if value is not None:
            parts.append(f"{name} = ?")
            args.append(value)
    bounds = [("confidence", ">=", f.min_confidence), ("confidence", "<=", f.max_confidence),
              ("abs(completeness_delta)", "<=", f.max_abs_delta),
              ("abs(completeness_delta)", ">=", f.min_abs_delta)]  # fmt: skip
    if f.metric is not None:
        if f.metric not in METRICS or f.metric not in columns:
            raise InputError(f"this run has no faithfulness column {f.metric!r}")
        bounds += [(f.metric, ">=", f.min_metric), (f.metric, "<=", f.max_metric)]
    for column, op, value in bounds:
        if value is not None:
            parts.append(f"{column} {op} ?")
            args.append(float(value))
    if f.word:
        parts.append("list_contains(list_transform(words, lambda w: lower(w)), ?)")
        args.append(f.word.strip().lower())
    return " AND ".join(parts), args


FILTER_FIELDS = tuple(f.name for f in fields(RowFilter))
