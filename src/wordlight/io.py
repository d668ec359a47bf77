"""Save and load Explanations as JSON (one list) or JSON Lines (one per line)."""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path

from wordlight.errors import InputError
from wordlight.explanation import Explanation


def save_explanations(explanations: Iterable[Explanation], path: str | Path) -> Path:
    """Write to ``path``: JSON Lines if it ends in .jsonl, else a JSON list."""
    path = Path(path)
    rows = [e.to_dict() for e in explanations]
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    with tmp.open("w", encoding="utf-8") as f:
        if path.suffix == ".jsonl":
            for row in rows:
                f.write(json.dumps(row, ensure_ascii=False) + "\n")
        else:
            json.dump(rows, f, ensure_ascii=False, indent=1)
    tmp.replace(path)  # never leave a half-written file behind
    return path


def load_explanations(path: str | Path) -> list[Explanation]:
    path = Path(path)
    if not path.exists():
        raise InputError(f"{path} does not exist")
    if path.is_dir() or path.suffix == ".parquet":  # a dataset run (wordlight explain-dataset)
        from wordlight.results.parquet import load_parquet_explanations

        return load_parquet_explanations(path)
    text = path.read_text(encoding="utf-8")
    try:
        if path.suffix == ".jsonl":
            rows = [json.loads(line) for line in text.splitlines() if line.strip()]
        else:
            rows = json.loads(text)
            rows = rows if isinstance(rows, list) else [rows]
        return [Explanation.from_dict(r) for r in rows]
    except (json.JSONDecodeError, KeyError, TypeError, ValueError) as exc:
        raise InputError(f"{path} is not a saved wordlight explanation file: {exc}") from exc
