"""A run directory: shards written under a temporary name and renamed, and the manifest.

Layout of RUN_DIR::

    manifest.json              what made the run (fingerprint), shards done, counts
    shards/part-00000.parquet  rows of input chunk 0 (or .jsonl with --format jsonl)
    rejects/part-00000.jsonl   rows of chunk 0 that could not be explained, with the reason
    rejects.jsonl              all rejects, written when the run completes

Chunk ``k`` holds input rows ``[k * chunk_size, (k + 1) * chunk_size)``. Its rejects file is
renamed into place first, its shard last: a shard file that exists is complete, and it is the
only record of completion that counts. A kill at any moment leaves at most ``*.tmp`` files,
which the next start deletes; the chunks without a shard are explained again.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from wordlight.batch.rejects import Reject, read_rejects, write_rejects
from wordlight.errors import InputError
from wordlight.results.parquet import SCHEMA_VERSION, rows_table

FORMATS = ("parquet", "jsonl")
MANIFEST = "manifest.json"


@dataclass(frozen=True)
class RunDir:
    path: Path
    fmt: str = "parquet"

    @property
    def shards(self) -> Path:
        return self.path / "shards"

    @property
    def rejects(self) -> Path:
        return self.path / "rejects"

    def shard_path(self, k: int) -> Path:
        return self.shards / f"part-{k:05d}.{self.fmt}"

    def rejects_path(self, k: int) -> Path:
        return self.rejects / f"part-{k:05d}.jsonl"

    # --- starting and resuming ---------------------------------------------------------
    def prepare(self, config: Mapping[str, Any], fingerprint: str, overwrite: bool) -> set[int]:
        """Create or reopen the run; the chunks already done. Refuses a run made otherwise."""
        old = read_manifest(self.path)
        ours = {"shards", "rejects", MANIFEST + ".tmp"}  # a first start killed before its manifest
        foreign = old is None and self.path.exists() and not overwrite
        stray = foreign and any(self.shards.glob("part-*"))
        if stray or (foreign and any(p.name not in ours for p in self.path.iterdir())):
            raise InputError(
                f"{self.path} exists and is not a wordlight run; choose another --out "
                "or pass --overwrite"
            )
        if old is not None and old.get("fingerprint") != fingerprint and not overwrite:
            what = _differences(old.get("config", {}), config) or "settings"
            raise InputError(
                f"{self.path} holds a run made with a different {what}; "
                "pass --overwrite to replace it, or choose another --out"
            )
        if overwrite and (old is None or old.get("fingerprint") != fingerprint):
            for part in (self.shards, self.rejects):
                shutil.rmtree(part, ignore_errors=True)
            for name in (MANIFEST, "rejects.jsonl"):
                (self.path / name).unlink(missing_ok=True)
        self.shards.mkdir(parents=True, exist_ok=True)
        self.rejects.mkdir(parents=True, exist_ok=True)
        for tmp in [*self.shards.glob("*.tmp"), *self.rejects.glob("*.tmp")]:
            tmp.unlink()
        return self.done()

    def done(self) -> set[int]:
        return {int(p.stem.split("-")[1]) for p in self.shards.glob(f"part-*.{self.fmt}")}

    # --- one chunk ---------------------------------------------------------------------
    def write_chunk(
        self,
        k: int,
        rows: Sequence[Mapping[str, Any]],
        rejects: Sequence[Reject],
        metrics: Sequence[str],
    ) -> None:
        """Write chunk ``k``: rejects first, then the shard, each via a temporary name."""
        write_rejects(rejects, self.rejects_path(k))
        final = self.shard_path(k)
        tmp = final.with_name(final.name + ".tmp")
        if self.fmt == "parquet":
            import pyarrow.parquet as pq

            pq.write_table(rows_table(rows, metrics), tmp, compression="zstd")
        else:
            with tmp.open("w", encoding="utf-8") as f:
                for row in rows:
                    f.write(json.dumps(row, ensure_ascii=False) + "\n")
        tmp.replace(final)

    def chunk_counts(self, k: int) -> tuple[int, int]:
        """(rows, rejects) of a finished chunk, read from its files."""
        path = self.shard_path(k)
        if self.fmt == "parquet":
            import pyarrow.parquet as pq

            n = pq.ParquetFile(path).metadata.num_rows
        else:
            with path.open(encoding="utf-8") as f:
                n = sum(1 for line in f if line.strip())
        return n, len(read_rejects(self.rejects_path(k)))

    # --- the manifest ------------------------------------------------------------------
    def write_manifest(self, data: Mapping[str, Any]) -> None:
        tmp = self.path / (MANIFEST + ".tmp")
        tmp.write_text(json.dumps(data, indent=1, sort_keys=True), encoding="utf-8")
        tmp.replace(self.path / MANIFEST)

    def merge_rejects(self) -> int:
        """All chunks' rejects in one ``rejects.jsonl``, in input order."""
        rejects = [r for p in sorted(self.rejects.glob("part-*.jsonl")) for r in read_rejects(p)]
        return write_rejects(sorted(rejects, key=lambda r: r.row), self.path / "rejects.jsonl")


def read_manifest(path: Path) -> dict[str, Any] | None:
    file = Path(path) / MANIFEST
    if not file.exists():
        return None
    try:
        data = json.loads(file.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise InputError(f"{file} is not valid JSON ({exc.msg}); pass --overwrite") from None
    if int(data.get("schema_version", 0)) > SCHEMA_VERSION:
        raise InputError(f"{file} was written by a newer wordlight; upgrade wordlight")
    return dict(data)


def _differences(old: Mapping[str, Any], new: Mapping[str, Any]) -> str:
    names = {"input": "input", "model_hash": "model", "method": "method", "params": "parameters"}
    changed = [key for key in sorted(set(old) | set(new)) if old.get(key) != new.get(key)]
    return ", ".join(names.get(key, key.replace("_", " ")) for key in changed)
