"""Rows that could not be explained: each kept with its reason, never silently dropped."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from pathlib import Path


@dataclass(frozen=True)
class Reject:
    """One input row that has no explanation, and why."""

    row: int
    id: str
    reason: str
    text: str


def write_rejects(rejects: Iterable[Reject], path: Path) -> int:
    """Write JSON Lines to ``path`` (via a temporary name); the number written."""
    tmp = path.with_name(path.name + ".tmp")
    n = 0
    with tmp.open("w", encoding="utf-8") as f:
        for reject in rejects:
            f.write(json.dumps(asdict(reject), ensure_ascii=False) + "\n")
            n += 1
    tmp.replace(path)
    return n


def read_rejects(path: Path) -> list[Reject]:
    if not path.exists():
        return []
    with path.open(encoding="utf-8") as f:
        return [Reject(**json.loads(line)) for line in f if line.strip()]
