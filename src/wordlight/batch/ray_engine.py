"""``engine="ray"``: the same chunks on a Ray Data actor pool, one model per actor.

The driver reads the input and hands the chunks not yet done to ``ray.data``; ``map_batches``
with ``compute=ray.data.ActorPoolStrategy(size=N)`` runs :class:`ChunkActor`, which loads the
model once in its constructor and, per chunk, explains it and writes its shard and rejects
into the run directory (temporary name, then rename) exactly as the local engine does. So the
layout, the manifest and resume are the same; the run directory must be on a filesystem every
node sees (docs/scale.md). Needs the extra ``wordlight[scale]``.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import asdict
from pathlib import Path
from typing import Any

from wordlight.batch.shards import RunDir
from wordlight.batch.source import InputRow
from wordlight.batch.worker import Job, explain_chunk, release_memory
from wordlight.checks import require


class ChunkActor:
    """One Ray actor: a model loaded once, then any number of chunks explained and written."""

    def __init__(
        self, model: Any, job: Job, run_dir: str, fmt: str, threads: int, gpu: bool
    ) -> None:
        import torch

        import wordlight

        torch.set_num_threads(max(1, threads))
        device = "cuda" if gpu and torch.cuda.is_available() else None
        self.model = wordlight.load_model(model, device=device)
        self.job = job
        self.run = RunDir(Path(run_dir), fmt)

    def __call__(self, batch: dict[str, Any]) -> dict[str, list[int]]:
        done: dict[str, list[int]] = {"chunk": [], "texts": [], "rows": []}
        for k, payload in zip(batch["chunk"], batch["rows"], strict=True):
            rows = [InputRow(**r) for r in json.loads(str(payload))]
            out, rejects = explain_chunk(self.model, self.job, rows)
            self.run.write_chunk(int(k), out, rejects, self.job.metrics)
            release_memory()
            done["chunk"].append(int(k))
            done["texts"].append(len(rows))
            done["rows"].append(len(out))
        return done


def run_on_ray(
    pending: Iterable[tuple[int, list[InputRow]]],
    model: Any,
    job: Job,
    run: RunDir,
    address: str | None,
    actors: int,
    gpus_per_actor: float,
    on_chunk: Callable[[int, int], None],
) -> None:
    """Explain the pending chunks on a Ray actor pool; ``on_chunk(k, texts)`` as each finishes."""
    ray = require("ray", "scale")
    if isinstance(model, str | Path) and Path(model).exists():
        model = str(Path(model).resolve())  # actors may run in another directory
    items = [{"chunk": k, "rows": json.dumps([asdict(r) for r in rows])} for k, rows in pending]
    if not items:
        return
    started_here = not ray.is_initialized()
    if started_here:
        ray.init(address=address, include_dashboard=False, log_to_driver=False,
                 runtime_env=_local_env() if address is None else None)  # fmt: skip
    try:
        ds = ray.data.from_items(items, override_num_blocks=len(items))
        results = ds.map_batches(
            ChunkActor,
            fn_constructor_kwargs={
                "model": model,
                "job": job,
                "run_dir": str(run.path.resolve()),
                "fmt": run.fmt,
                "threads": 1,
                "gpu": gpus_per_actor > 0,
            },
            batch_size=1,
            compute=ray.data.ActorPoolStrategy(size=actors),
            num_cpus=1,
            num_gpus=gpus_per_actor or None,
        )
        for done in results.iter_rows():
            on_chunk(int(done["chunk"]), int(done["texts"]))
    finally:
        if started_here:
            ray.shutdown()


def _local_env() -> dict[str, Any]:
    """Workers of a local Ray import this same wordlight, even if it is not installed."""
    import os

    import wordlight

    here = str(Path(wordlight.__file__).resolve().parents[1])
    path = os.pathsep.join(p for p in (here, os.environ.get("PYTHONPATH", "")) if p)
    return {"env_vars": {"PYTHONPATH": path}}
