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
import logging
from collections.abc import Callable, Iterable
from dataclasses import asdict
from pathlib import Path
from typing import Any

from wordlight.batch.memory import HeapCap
from wordlight.batch.shards import RunDir
from wordlight.batch.source import InputRow
from wordlight.batch.worker import Job, explain_chunk
from wordlight.checks import require
from wordlight.errors import InputError


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
        self.heap = HeapCap()

    def __call__(self, batch: dict[str, Any]) -> dict[str, list[int]]:
        done: dict[str, list[int]] = {"chunk": [], "texts": [], "rows": []}
        for k, payload in zip(batch["chunk"], batch["rows"], strict=True):
            rows = [InputRow(**r) for r in json.loads(str(payload))]
            out, rejects = explain_chunk(self.model, self.job, rows)
            self.run.write_chunk(int(k), out, rejects, self.job.metrics)
            self.heap.after_chunk()
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
        try:
            ray.init(address=address, include_dashboard=False, log_to_driver=False,
                     logging_level=logging.WARNING,  # no "Connecting to ..." lines
                     runtime_env=_local_env() if address is None else None)  # fmt: skip
        except (ConnectionError, ValueError) as exc:
            raise InputError(_cannot_connect(address, exc)) from None
    try:
        _check_room(ray.cluster_resources(), gpus_per_actor, address)
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


def _check_room(have: dict[str, float], gpus_per_actor: float, address: str | None) -> None:
    """Refuse (one line) an actor that fits nowhere in the cluster: Ray would wait for it
    forever. An actor needs 1 CPU and ``gpus_per_actor`` GPUs."""
    where = f"the Ray cluster at {address}" if address else "the local Ray"
    gpus, cpus = have.get("GPU", 0.0), have.get("CPU", 0.0)
    if gpus_per_actor > gpus:
        raise InputError(
            f"--gpus-per-actor {gpus_per_actor:g} needs GPUs, but {where} has {gpus:g}; "
            "start Ray on nodes with GPUs, or leave --gpus-per-actor out"
        )
    if cpus < 1:
        raise InputError(f"each Ray actor needs 1 CPU, but {where} has {cpus:g}")


def _cannot_connect(address: str | None, exc: BaseException) -> str:
    where = f"the Ray cluster at {address}" if address else "a local Ray"
    cause: BaseException | None = exc
    while cause is not None:
        # Ray 2.60 raises ConnectionError from a RuntimeError whose text holds the traceback of
        # the ray.exceptions.AuthenticationError underneath
        if "AuthenticationError" in f"{type(cause).__name__} {cause}":
            return (
                f"{where} uses token authentication: set RAY_AUTH_MODE=token and give this "
                "process the cluster's token (~/.ray/auth_token or RAY_AUTH_TOKEN)"
            )
        cause = cause.__cause__ or cause.__context__
    reason = str(exc).strip().splitlines()[-1:] or [type(exc).__name__]
    return f"cannot connect to {where} ({reason[0]})"


def _local_env() -> dict[str, Any]:
    """Workers of a local Ray import this same wordlight, even if it is not installed."""
    import os

    import wordlight

    here = str(Path(wordlight.__file__).resolve().parents[1])
    path = os.pathsep.join(p for p in (here, os.environ.get("PYTHONPATH", "")) if p)
    return {"env_vars": {"PYTHONPATH": path}}
