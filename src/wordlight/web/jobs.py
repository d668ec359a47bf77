"""Jobs: slow work (the information method, LIME with many samples, layer runs, comparisons)
runs in the background and reports progress; the page polls it and may cancel it.

A job function gets a :class:`Progress`; it calls ``progress(done, total)`` between chunks
(per text, per method, per layer). Calling it after ``cancel`` raises :class:`Cancelled`, which
ends the job. This is the one place where the engine's ``progress=callback(done, total)`` plugs
in once it lands.
"""

from __future__ import annotations

import itertools
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from wordlight.errors import WordlightError
from wordlight.web.batching import QueueFull

STATES = ("queued", "running", "done", "failed", "cancelled")


class Cancelled(Exception):
    """The job was cancelled by its client."""


class UnknownJob(KeyError):
    pass


@dataclass
class Job:
    id: str
    kind: str
    state: str = "queued"
    done: int = 0
    total: int = 0
    stage: str = ""
    error: str | None = None
    result: Any = None
    created: float = field(default_factory=time.time)
    finished: float | None = None
    cancel_event: threading.Event = field(default_factory=threading.Event)

    def status(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "kind": self.kind,
            "state": self.state,
            "done": self.done,
            "total": self.total,
            "stage": self.stage,
            "error": self.error,
        }


class Progress:
    """``progress(done, total, stage)``: record how far a job is; raises Cancelled once the
    job is cancelled."""

    def __init__(self, job: Job) -> None:
        self._job = job

    def __call__(self, done: int, total: int, stage: str | None = None) -> None:
        if self._job.cancel_event.is_set():
            raise Cancelled()
        self._job.done, self._job.total = int(done), int(total)
        if stage is not None:
            self._job.stage = stage

    @property
    def cancelled(self) -> bool:
        return self._job.cancel_event.is_set()


JobFunction = Callable[[Progress], Any]


class JobManager:
    """A bounded pool of job workers; at most ``max_jobs`` jobs kept (oldest finished dropped)."""

    def __init__(self, workers: int = 1, max_pending: int = 16, max_jobs: int = 256) -> None:
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="wordlight-job")
        self._jobs: OrderedDict[str, Job] = OrderedDict()
        self._lock = threading.Lock()
        self._ids = itertools.count(1)
        self.max_pending = max_pending
        self.max_jobs = max_jobs

    def submit(self, kind: str, fn: JobFunction) -> Job:
        with self._lock:
            pending = sum(j.state in ("queued", "running") for j in self._jobs.values())
            if pending >= self.max_pending:
                raise QueueFull(f"too many jobs waiting ({pending}); retry when one has finished")
            job = Job(id=f"{next(self._ids)}-{time.time_ns() % 10**9:09d}", kind=kind)
            self._jobs[job.id] = job
            self._trim()
        self._pool.submit(self._run, job, fn)
        return job

    def get(self, job_id: str) -> Job:
        with self._lock:
            job = self._jobs.get(job_id)
        if job is None:
            raise UnknownJob(job_id)
        return job

    def cancel(self, job_id: str) -> Job:
        job = self.get(job_id)
        job.cancel_event.set()
        if job.state == "queued":
            job.state = "cancelled"
        return job

    def cancel_all(self) -> None:
        for job in list(self._jobs.values()):
            if job.state in ("queued", "running"):
                self.cancel(job.id)

    def shutdown(self) -> None:
        for job in list(self._jobs.values()):
            job.cancel_event.set()
        self._pool.shutdown(wait=False, cancel_futures=True)

    def _run(self, job: Job, fn: JobFunction) -> None:
        if job.cancel_event.is_set():
            job.state = "cancelled"
            return
        job.state = "running"
        try:
            job.result = fn(Progress(job))
            job.state = "done" if not job.cancel_event.is_set() else "cancelled"
        except Cancelled:
            job.state = "cancelled"
        except WordlightError as exc:
            job.error, job.state = str(exc), "failed"
        except Exception as exc:  # reported to the page, never a silent stall
            job.error, job.state = f"{type(exc).__name__}: {exc}".splitlines()[0], "failed"
        finally:
            job.finished = time.time()

    def _trim(self) -> None:
        while len(self._jobs) > self.max_jobs:
            finished = [k for k, j in self._jobs.items() if j.state not in ("queued", "running")]
            if not finished:
                return
            del self._jobs[finished[0]]
