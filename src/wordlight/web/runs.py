"""The app's view over ``explain-dataset`` runs: the run directories declared at start-up, by name.

A client names a run only by its declared name; no path from a client is ever opened. Rows are paged
on the server by :func:`wordlight.batch.query.query_rows` (DuckDB over the shards); one row becomes
the single-text view's answer; the corpus report's numbers are computed once per run and kept.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from wordlight.batch.query import MAX_PAGE_SIZE, METRICS, RowFilter, get_row, query_rows
from wordlight.batch.report_data import connect, corpus_summary
from wordlight.errors import InputError
from wordlight.results.parquet import row_explanation
from wordlight.web.params import is_unsigned
from wordlight.web.service import prediction
from wordlight.web.state import NotFound

PAGE_SIZE_CAP = min(200, MAX_PAGE_SIZE)


class RunStore:
    """The declared runs (name -> run directory), checked once, at start-up."""

    def __init__(self, results: Mapping[str, str | Path]) -> None:
        self._dirs: dict[str, Path] = {}
        for name, where in results.items():
            path = Path(where).expanduser().resolve()
            if not (path / "shards").is_dir():
                raise InputError(
                    f"--results {name}={where}: not a wordlight run (no shards/ in it)"
                )
            self._dirs[name] = path
        self._info: dict[str, dict[str, Any]] = {}
        self._summaries: dict[tuple[str, int, int], dict[str, Any]] = {}
        self._lock = threading.Lock()

    @property
    def names(self) -> list[str]:
        return list(self._dirs)

    def path(self, name: str) -> Path:
        if name not in self._dirs:
            declared = ", ".join(self._dirs) or "none"
            raise NotFound(f"unknown run {name!r}; declared: {declared}")
        return self._dirs[name]

    def info(self, name: str) -> dict[str, Any]:
        """Counts, classes, method, model and the faithfulness columns of a run (kept)."""
        path = self.path(name)
        with self._lock:
            if name not in self._info:
                self._info[name] = _run_info(name, path)
            return self._info[name]

    def page(
        self, name: str, filters: RowFilter, *, sort: str, descending: bool, page: int,
        page_size: int,
    ) -> dict[str, Any]:  # fmt: skip
        found = query_rows(self.path(name), filters, sort=sort, descending=descending, page=page,
                           page_size=page_size)  # fmt: skip
        rows = [finite(r) for r in found.rows]
        return {"run": name, "total": found.total, "page": page, "page_size": page_size,
                "rows": rows}  # fmt: skip

    def row(self, name: str, row: int, target: int | None) -> dict[str, Any]:
        """One row as the single-text view shows it: the explanation, the prediction, metrics."""
        try:
            found = get_row(self.path(name), row, target)
        except InputError as exc:
            which = "" if target is None else f" for target {target}"
            raise NotFound(f"run {name!r} has no row {row}{which}") from exc
        explanation = row_explanation(found).to_dict()
        metrics = {m: found[m] for m in METRICS if m in found}
        return finite({
            "run": name, "row": int(found["row"]), "target": int(found["target"]),
            "id": found.get("id"), "correct": found.get("correct"),
            "confidence": found.get("confidence"),
            "explanation": explanation,
            "prediction": prediction(explanation),
            "unsigned": is_unsigned(found["method"], explanation.get("params", {})),
            "faithfulness": metrics or None,
        })  # fmt: skip

    def summary(self, name: str, min_count: int, top: int) -> dict[str, Any]:
        """The corpus report's numbers (per-class words, flipping words), computed once."""
        key = (name, min_count, top)
        path = self.path(name)
        with self._lock:
            if key not in self._summaries:
                self._summaries[key] = finite(
                    {"run": name, **corpus_summary(path, min_count=min_count, top=top)}
                )
            return self._summaries[key]


def _run_info(name: str, path: Path) -> dict[str, Any]:
    con = connect(path)
    try:
        columns = {r[0] for r in con.execute("DESCRIBE rows").fetchall()}
        rows, texts, labels, method, model = con.execute(
            "SELECT count(*), count(DISTINCT row), any_value(labels), any_value(method), "
            "any_value(model_name) FROM rows"
        ).fetchone()
        head = "classification"
        if "head" in columns:  # older runs have no head column: classifiers
            head = con.execute("SELECT any_value(head) FROM rows").fetchone()[0] or head
        true_labels = [
            r[0]
            for r in con.execute(
                "SELECT DISTINCT true_label FROM rows WHERE true_label IS NOT NULL ORDER BY 1"
            ).fetchall()
        ]
    finally:
        con.close()
    return {
        "name": name, "rows": int(rows), "texts": int(texts), "labels": list(labels or []),
        "true_labels": true_labels, "method": method, "model": model, "head": head,
        "metrics": [m for m in METRICS if m in columns],
    }  # fmt: skip


def finite(value: Any) -> Any:
    """``value`` with every NaN or infinity made None (JSON has neither), tuples as lists."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, Mapping):
        return {k: finite(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [finite(v) for v in value]
    return value
