"""``explain_dataset``: every text of a data set explained into a resumable run directory.

The input is read in chunks of ``chunk_size`` rows; each chunk goes through ``wordlight.explain``
(length-bucketed batches) and becomes one shard (see :mod:`wordlight.batch.shards`). The same
call on the same directory resumes: finished chunks are skipped, so after a kill at any moment
the final output has no row lost and none twice.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import sys
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import wordlight
from wordlight.batch.ids import check_ids
from wordlight.batch.memory import HeapCap
from wordlight.batch.shards import FORMATS, RunDir, read_manifest
from wordlight.batch.source import InputRow, Source
from wordlight.batch.worker import Job, explain_chunk, model_identity
from wordlight.errors import InputError, one_of
from wordlight.results.explanation import check_label_threshold
from wordlight.results.parquet import SCHEMA_VERSION

ENGINES = ("local", "ray")


@dataclass(frozen=True)
class RunSummary:
    """What a run (or its resumption) did."""

    out: Path
    texts: int  # input rows
    rows: int  # explanation rows written, over the whole run
    rejected: int
    shards: int
    resumed: int  # shards found done when this call started
    seconds: float  # this call's time

    def line(self) -> str:
        return (
            f"{self.rows} row(s) from {self.texts} text(s) in {self.shards} shard(s), "
            f"{self.rejected} rejected (see rejects.jsonl), {self.seconds:.1f} s -> {self.out}"
        )


@dataclass(frozen=True)
class RayOptions:
    address: str | None = None
    actors: int = 2
    gpus_per_actor: float = 0.0


def explain_dataset(
    source: Source | str | Path,
    model: Any = "default",
    method: str = "integrated_gradients",
    *,
    out: str | Path,
    params: dict[str, Any] | None = None,
    target: Any = "predicted",
    metrics: Sequence[str] = (),
    fmt: str = "parquet",
    chunk_size: int = 256,
    overwrite: bool = False,
    progress: bool | None = None,
    engine: str = "local",
    ray: RayOptions | None = None,
    label_threshold: float = 0.5,
) -> RunSummary:
    """Explain every row of ``source`` (a :class:`Source`, or a file with a ``text`` column)
    with ``model`` and ``method`` into the run directory ``out``; returns a summary.

    ``model`` is a built-in name or a model directory (needed for ``engine="ray"``), or a
    loaded model; ``target`` "predicted", "all" or a label; ``metrics`` faithfulness metric
    names added as columns; ``label_threshold``: a multi-label model's predicted labels are
    those above it. Rerunning the same call resumes; different settings are refused unless
    ``overwrite``.
    """
    started = time.perf_counter()
    src = source if isinstance(source, Source) else Source(file=str(source))
    job, config = _plan(src, model, method, params or {}, target, metrics, fmt, chunk_size)
    threshold = check_label_threshold(label_threshold)
    if threshold != 0.5:  # only then: runs made before the option keep their fingerprint
        job = dataclasses.replace(job, label_threshold=threshold)
        config["label_threshold"] = threshold
    if engine not in ENGINES:
        raise one_of("engine", engine, ENGINES)
    fingerprint = hashlib.sha256(json.dumps(config, sort_keys=True).encode()).hexdigest()
    run = RunDir(Path(out), fmt)
    texts = _check_ids(src, run, fingerprint)
    done = run.prepare(config, fingerprint, overwrite)
    n_chunks = max(1, -(-texts // chunk_size))
    manifest = {"schema_version": SCHEMA_VERSION, "wordlight_version": wordlight.__version__,
                "fingerprint": fingerprint, "config": config, "source": src.describe(),
                "texts": texts, "chunks": n_chunks, "complete": False}  # fmt: skip
    run.write_manifest({**manifest, "shards_done": len(done)})
    show = sys.stderr.isatty() if progress is None else progress
    meter = Meter(texts, sum(min(chunk_size, texts - k * chunk_size) for k in done), show)
    pending = ((k, rows) for k, rows in enumerate(chunks(src.rows(), chunk_size)) if k not in done)

    finished_chunks = set(done)

    def finished(k: int, n_texts: int) -> None:
        finished_chunks.add(k)
        meter.advance(n_texts)
        run.write_manifest({**manifest, "shards_done": len(finished_chunks)})

    if engine == "ray":
        from wordlight.batch.ray_engine import run_on_ray

        opts = ray or RayOptions()
        run_on_ray(pending, model, job, run, opts.address, opts.actors, opts.gpus_per_actor,
                   finished)  # fmt: skip
    else:
        loaded, heap = None, HeapCap()
        for k, rows in pending:
            if loaded is None:  # only when there is work: a finished run reruns in no time
                loaded = wordlight.load_model(model)
                meter.restart()
            out_rows, rejects = explain_chunk(loaded, job, rows)
            run.write_chunk(k, out_rows, rejects, job.metrics)
            del out_rows, rejects
            heap.after_chunk()
            finished(k, len(rows))
    counts = [run.chunk_counts(k) for k in sorted(run.done())]
    rejected = run.merge_rejects()
    summary = RunSummary(run.path, texts, sum(c[0] for c in counts), rejected, len(counts),
                         len(done), time.perf_counter() - started)  # fmt: skip
    run.write_manifest({**manifest, "shards_done": len(counts), "complete": True,
                        "rows": summary.rows, "rejected": rejected})  # fmt: skip
    return summary


def _plan(
    src: Source,
    model: Any,
    method: str,
    params: dict[str, Any],
    target: Any,
    metrics: Sequence[str],
    fmt: str,
    chunk_size: int,
) -> tuple[Job, dict[str, Any]]:
    """The job and the settings that a resumed run must share (checked before any work)."""
    from wordlight.evaluation import FAITHFULNESS_METRICS

    if fmt not in FORMATS:
        raise one_of("format", fmt, FORMATS)
    if chunk_size < 1:
        raise InputError(f"chunk_size must be >= 1, got {chunk_size}")
    for name in metrics:
        if name not in FAITHFULNESS_METRICS:
            raise one_of("faithfulness metric", name, FAITHFULNESS_METRICS)
    explainer = wordlight.make_explainer(method, **params)  # checks method and parameters
    all_params = json.loads(json.dumps(explainer.params(), sort_keys=True, default=repr))
    name, model_hash = model_identity(model)
    job = Job(method, dict(params), None if target == "predicted" else target, tuple(metrics),
              name, model_hash)  # fmt: skip
    config = {"input": src.fingerprint(), "model_hash": model_hash, "method": method,
              "params": all_params, "target": str(target), "metrics": list(metrics),
              "format": fmt, "chunk_size": chunk_size}  # fmt: skip
    return job, config


def _check_ids(src: Source, run: RunDir, fingerprint: str) -> int:
    """The number of input rows; refuses duplicate ids (one line). A resumed run takes the
    number from its manifest: the manifest is written only after the ids passed, and its
    fingerprint covers the input's content."""
    old = read_manifest(run.path)
    if old is not None and old.get("fingerprint") == fingerprint and "texts" in old:
        return int(old["texts"])
    found = check_ids(lambda: ((r.row, r.id, r.problem is None) for r in src.rows()))
    if found.duplicate is not None:
        row_id, first, again = found.duplicate
        raise InputError(
            f"duplicate id {row_id!r} at rows {first + 1} and {again + 1}"
            f"{f' of column {src.id_col!r}' if src.id_col else ''}; ids must be unique"
        )
    return found.rows


def chunks(rows: Iterator[InputRow], size: int) -> Iterator[list[InputRow]]:
    chunk: list[InputRow] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


class Meter:
    """Progress on standard error: texts done, rows/s of this call and the time left."""

    def __init__(self, total: int, already: int, show: bool) -> None:
        self.total, self.done, self.show = total, already, show
        self.fresh = 0
        self.start = time.perf_counter()

    def restart(self) -> None:
        """Count time from now (after the model has loaded)."""
        self.start = time.perf_counter()

    def advance(self, n: int) -> None:
        self.done += n
        self.fresh += n
        if not self.show:
            return
        elapsed = max(time.perf_counter() - self.start, 1e-9)
        rate = self.fresh / elapsed
        left = (self.total - self.done) / rate if rate > 0 else float("inf")
        eta = time.strftime("%H:%M:%S", time.gmtime(left)) if left < 1e7 else "?"
        share = 100.0 * self.done / max(self.total, 1)
        print(f"explain-dataset: {self.done}/{self.total} texts ({share:.1f}%), "
              f"{rate:.1f} rows/s, ETA {eta}", file=sys.stderr, flush=True)  # fmt: skip
