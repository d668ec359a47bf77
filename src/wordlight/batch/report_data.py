"""What a model relies on over a whole run: DuckDB aggregations over the run's shards.

Nothing loads the run into pandas: DuckDB reads the Parquet (or JSONL) shards, unnests the word
lists and aggregates; only the aggregated numbers (and the scores of the few words reported,
for their bootstrap intervals) come back to Python. The result is a JSON-ready dict.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from wordlight.checks import require
from wordlight.errors import InputError

BOOTSTRAP_MAX_N = 5000  # above this many occurrences the mean's normal interval is used
HIST_BINS = 30


def connect(run_dir: str | Path) -> Any:
    """A DuckDB connection with the view ``rows`` over the run's shards."""
    duckdb = require("duckdb", "batch")
    shards = Path(run_dir) / "shards"
    if not shards.is_dir():
        raise InputError(f"{run_dir} is not a wordlight run directory (no shards/ in it)")
    con = duckdb.connect()
    if any(shards.glob("*.parquet")):
        source = f"read_parquet('{_quoted(shards / '*.parquet')}', union_by_name=true)"
    elif any(shards.glob("*.jsonl")):
        source = f"read_json_auto('{_quoted(shards / '*.jsonl')}', format='newline_delimited')"
    else:
        raise InputError(f"{run_dir} has no shards yet; run explain-dataset first")
    con.execute(f"CREATE VIEW rows AS SELECT * FROM {source}")
    con.execute(
        "CREATE VIEW words AS SELECT row, target_label, correct, lower(word) AS word, score "
        "FROM (SELECT row, target_label, correct, unnest(words) AS word, "
        "unnest(word_scores) AS score FROM rows) WHERE regexp_matches(word, '\\w')"
    )
    return con


def corpus_summary(
    run_dir: str | Path, *, min_count: int = 5, top: int = 15, n_boot: int = 1000, seed: int = 0
) -> dict[str, Any]:
    """Per-class words towards/against (overall, correct, wrong), flipping words, distributions."""
    if min_count < 1 or top < 1:
        raise InputError("min_count and top must be >= 1")
    con = connect(run_dir)
    rng = np.random.default_rng(seed)
    head = con.execute(
        "SELECT count(*), count(DISTINCT row), avg(CASE WHEN correct THEN 1.0 WHEN NOT correct "
        "THEN 0.0 END), any_value(method), any_value(model_name) FROM rows"
    ).fetchone()
    classes = [
        r[0] for r in con.execute("SELECT DISTINCT target_label FROM rows ORDER BY 1").fetchall()
    ]
    summary: dict[str, Any] = {
        "rows": int(head[0]), "texts": int(head[1]),
        "accuracy": None if head[2] is None else float(head[2]),
        "method": head[3], "model": head[4], "min_count": min_count, "classes": classes,
    }  # fmt: skip
    summary["per_class"] = {}
    for label in classes:
        summary["per_class"][label] = {
            outcome: {
                "towards": _words(con, label, outcome, "DESC", min_count, top, n_boot, rng),
                "against": _words(con, label, outcome, "ASC", min_count, top, n_boot, rng),
            }
            for outcome in ("all", "correct", "wrong")
        }
    summary["flipping"] = _flipping(con, min_count, top)
    summary["distributions"] = {
        "word_score": _histogram(con, "words", "score"),
        "confidence": _histogram(con, "rows", "confidence"),
        "completeness_delta": _histogram(con, "rows", "completeness_delta"),
    }
    return summary


def _words(
    con: Any, label: str, outcome: str, order: str, min_count: int, top: int, n_boot: int, rng: Any
) -> list[dict[str, Any]]:
    where = {"all": "", "correct": "AND correct", "wrong": "AND NOT correct"}[outcome]
    sign = ">" if order == "DESC" else "<"
    found = con.execute(
        f"SELECT word, count(*) AS n, avg(score) AS mean, list(score) FROM words "
        f"WHERE target_label = ? {where} GROUP BY word "
        f"HAVING count(*) >= ? AND avg(score) {sign} 0 "
        f"ORDER BY mean {order}, word LIMIT ?",
        [label, min_count, top],
    ).fetchall()
    return [
        {
            "word": word,
            "count": int(n),
            "mean": float(mean),
            "ci": bootstrap_ci(scores, n_boot, rng),
        }
        for word, n, mean, scores in found
    ]


def bootstrap_ci(
    values: Sequence[float], n_boot: int, rng: Any, level: float = 0.95
) -> tuple[float, float]:
    """Percentile bootstrap interval of the mean (normal interval above BOOTSTRAP_MAX_N values)."""
    x = np.asarray(values, dtype=np.float64)
    alpha = (1.0 - level) / 2.0
    if len(x) > BOOTSTRAP_MAX_N:
        half = 1.959963984540054 * x.std(ddof=1) / np.sqrt(len(x))
        return float(x.mean() - half), float(x.mean() + half)
    means = x[rng.integers(0, len(x), size=(n_boot, len(x)))].mean(axis=1)
    low, high = np.quantile(means, [alpha, 1.0 - alpha])
    return float(low), float(high)


def _flipping(con: Any, min_count: int, top: int) -> list[dict[str, Any]]:
    """Words that push towards one class in some rows and towards another in others."""
    found = con.execute(
        "WITH per AS (SELECT word, target_label, count(*) AS n, avg(score) AS mean FROM words "
        "GROUP BY ALL HAVING count(*) >= ? AND avg(score) > 0) "
        "SELECT word, list(target_label ORDER BY target_label), list(mean ORDER BY target_label), "
        "list(n ORDER BY target_label), min(mean) AS weakest FROM per GROUP BY word "
        "HAVING count(*) >= 2 ORDER BY weakest DESC, word LIMIT ?",
        [min_count, top],
    ).fetchall()
    return [
        {"word": w, "classes": list(c), "means": [float(m) for m in means], "counts": list(n)}
        for w, c, means, n, _ in found
    ]


def _histogram(con: Any, view: str, column: str) -> dict[str, Any]:
    """Counts in HIST_BINS equal bins between the 0.5% and 99.5% quantiles (ends clipped in)."""
    lo, hi, n = con.execute(
        f"SELECT quantile_cont({column}, 0.005), quantile_cont({column}, 0.995), count({column}) "
        f"FROM {view}"
    ).fetchone()
    if not n:
        return {"edges": [], "counts": [], "n": 0}
    lo, hi = float(lo), float(hi)
    hi = hi if hi > lo else lo + 1e-12
    width = (hi - lo) / HIST_BINS
    counts = np.zeros(HIST_BINS, dtype=np.int64)
    for b, c in con.execute(
        f"SELECT least(greatest(floor(({column} - ?) / ?), 0), ?)::INTEGER AS b, count(*) "
        f"FROM {view} WHERE {column} IS NOT NULL GROUP BY b",
        [lo, width, HIST_BINS - 1],
    ).fetchall():
        counts[int(b)] = int(c)
    edges = [lo + i * width for i in range(HIST_BINS + 1)]
    return {"edges": edges, "counts": counts.tolist(), "n": int(n)}


def _quoted(path: Path) -> str:
    return str(path).replace("'", "''")
