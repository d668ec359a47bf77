"""The one serialiser of results: Explanations and LayerExplanations as JSON or JSON Lines.

Files written by wordlight 0.1.0 load unchanged (tests/fixtures/saved_v0).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any, TypeVar

from wordlight.errors import InputError
from wordlight.results.explanation import Explanation
from wordlight.results.layer_explanation import LayerExplanation

T = TypeVar("T")


def dumps(results: Iterable[Explanation | LayerExplanation], lines: bool) -> str:
    """The text of a saved file: JSON Lines (one result per line) or an indented JSON list."""
    rows = [r.to_dict() for r in results]
    if lines:
        return "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows)
    return json.dumps(rows, ensure_ascii=False, indent=1)


def save_explanations(explanations: Iterable[Explanation], path: str | Path) -> Path:
    """Write to ``path``: JSON Lines if it ends in .jsonl, else a JSON list."""
    return _write(dumps(explanations, Path(path).suffix == ".jsonl"), Path(path))


def load_explanations(path: str | Path) -> list[Explanation]:
    """The Explanations saved in ``path``: .jsonl one per line, .parquet or a run directory of
    ``wordlight explain-dataset`` (Parquet shards), else a JSON list."""
    path = Path(path)
    if path.is_dir() or path.suffix == ".parquet":
        from wordlight.results.parquet import load_parquet_explanations

        return load_parquet_explanations(path)
    return _load(path, "explanation", Explanation.from_dict)


def save_layer_explanations(items: Iterable[LayerExplanation], path: str | Path) -> Path:
    """JSON Lines, one LayerExplanation per line."""
    return _write(dumps(items, lines=True), Path(path))


def load_layer_explanations(path: str | Path) -> list[LayerExplanation]:
    """The LayerExplanations saved in ``path`` (JSON Lines, or a JSON list)."""
    return _load(Path(path), "layer", LayerExplanation.from_dict)


def _write(text: str, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)  # never leave a half-written file behind
    return path


def _load(path: Path, kind: str, build: Callable[[Mapping[str, Any]], T]) -> list[T]:
    if not path.is_file():
        raise InputError(f"{path} does not exist or is not a file")
    text = path.read_text(encoding="utf-8")
    try:
        return [build(_checked(row)) for row in _rows(text, lines=path.suffix == ".jsonl")]
    except (json.JSONDecodeError, KeyError, TypeError, ValueError) as exc:
        raise InputError(f"{path} is not a saved wordlight {kind} file: {exc}") from exc


def _rows(text: str, lines: bool) -> list[Any]:
    if not lines:
        try:
            loaded = json.loads(text)
            return loaded if isinstance(loaded, list) else [loaded]
        except json.JSONDecodeError:
            if len([line for line in text.splitlines() if line.strip()]) < 2:
                raise
            # 0.1.0's `wordlight layers --out x.json` wrote JSON Lines: read them as such
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def _checked(row: Any) -> Mapping[str, Any]:
    if not isinstance(row, Mapping):
        raise TypeError(f"a row is a {type(row).__name__}, not an object")
    return row
