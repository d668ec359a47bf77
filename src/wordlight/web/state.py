"""What the app holds for its whole life: its settings, the declared models and data sets
(each loaded once per process), the result cache, the batcher and the job pool."""

from __future__ import annotations

import os
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from wordlight.errors import InputError
from wordlight.web.batching import Batcher
from wordlight.web.cache import ResultCache
from wordlight.web.jobs import JobManager


@dataclass(frozen=True)
class AppConfig:
    """``models``: name -> a built-in model name, a model directory or a loaded classifier.
    ``data``: name -> a built-in data set name, a data file or a TextDataset. Clients name
    models and data sets only by these names; no path from a client is ever opened."""

    models: Mapping[str, Any] = field(default_factory=lambda: {"default": "default"})
    data: Mapping[str, Any] = field(default_factory=dict)
    results: Mapping[str, Any] = field(default_factory=dict)  # name -> explain-dataset run dir
    max_text_chars: int = 5000
    max_body_bytes: int = 64_000
    max_compare: int = 6  # methods (x models) in one comparison
    batch_workers: int | None = None  # None: one per 4 cores, at least one
    job_workers: int = 1
    max_queue: int = 128
    max_batch: int = 32
    batch_wait_s: float = 0.002
    max_jobs_pending: int = 8
    cache_bytes: int = 64 * 2**20
    torch_threads: int | None = None  # None: the cores shared out over the batch workers
    cors_origins: tuple[str, ...] = ()


class NotFound(InputError):
    """An unknown model, method, data set, row or job: a 404."""


class AppState:
    def __init__(self, config: AppConfig) -> None:
        if not config.models:
            raise InputError("declare at least one model")
        self.config = config
        cores = os.cpu_count() or 1
        batch_workers = config.batch_workers or max(1, cores // 4)
        # the cores shared out over the batch workers, which do nearly all the work; a job that
        # runs beside them shares the cores for its duration (measured: 1 thread per worker and
        # job on 2 cores gave 1.45 texts/s under 20 clients, 2 threads 2.14; benchmarks/README.md)
        threads = config.torch_threads or max(1, cores // batch_workers)
        import torch

        torch.set_num_threads(threads)
        self.torch_threads = threads
        self.cache = ResultCache(config.cache_bytes)
        self.batcher = Batcher(
            batch_workers, config.max_queue, config.max_batch, config.batch_wait_s
        )
        self.jobs = JobManager(config.job_workers, config.max_jobs_pending)
        self._models: dict[str, Any] = {}
        self._data: dict[str, Any] = {}
        self._lock = threading.Lock()
        self.runs: Any = None  # a web.runs.RunStore over config.results, set by create_app
        self.predictions: dict[tuple[str, str], list[dict[str, Any]]] = {}

    # --- declared names ---------------------------------------------------------------
    def model(self, name: str) -> Any:
        """The loaded classifier of a declared model (loaded on first use, once)."""
        if name not in self.config.models:
            raise NotFound(f"unknown model {name!r}; declared: {', '.join(self.config.models)}")
        with self._lock:
            if name not in self._models:
                from wordlight import load_model

                self._models[name] = load_model(self.config.models[name])
            return self._models[name]

    def is_loaded(self, name: str) -> bool:
        return name in self._models

    def dataset(self, name: str) -> Any:
        """The rows (a TextDataset) of a declared data set: a built-in set's test split, or a
        whole user file."""
        if name not in self.config.data:
            declared = ", ".join(self.config.data) or "none"
            raise NotFound(f"unknown data set {name!r}; declared: {declared}")
        with self._lock:
            if name not in self._data:
                self._data[name] = _load_data(self.config.data[name])
            return self._data[name]

    def close(self) -> None:
        self.batcher.close()
        self.jobs.shutdown()


def _load_data(spec: Any) -> Any:
    from pathlib import Path

    from wordlight.data import DATASETS, TextDataset, load_dataset, load_file

    if isinstance(spec, TextDataset):
        return spec
    if isinstance(spec, str) and spec in DATASETS:
        return load_dataset(spec).test
    return load_file(Path(spec))
