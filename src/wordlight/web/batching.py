"""Dynamic batching: concurrent requests with the same key run as one engine call.

A request is (key, text, run); ``run(texts)`` returns one result per text. Workers take the
oldest request and every waiting request with the same key (up to ``max_batch``), run them in
one call and hand each caller its result. The queue is bounded: a full queue raises QueueFull
at once (the app answers 503 with Retry-After), so memory never grows without bound.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable, Hashable, Sequence
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Any

Runner = Callable[[Sequence[str]], Sequence[Any]]


class QueueFull(Exception):
    """The work queue is full; retry after a moment."""


@dataclass
class _Request:
    key: Hashable
    text: str
    run: Runner
    future: Future[Any] = field(default_factory=Future)


class Batcher:
    def __init__(
        self, workers: int = 1, max_queue: int = 64, max_batch: int = 32, wait_s: float = 0.002
    ) -> None:
        self.max_queue = max_queue
        self.max_batch = max_batch
        self.wait_s = wait_s
        self._pending: deque[_Request] = deque()
        self._cond = threading.Condition()
        self._closed = False
        self.batches = 0  # engine calls made
        self.requests = 0  # requests served
        self._threads = [
            threading.Thread(target=self._loop, name=f"wordlight-batch-{i}", daemon=True)
            for i in range(workers)
        ]
        for t in self._threads:
            t.start()

    @property
    def queued(self) -> int:
        return len(self._pending)

    def submit(self, key: Hashable, text: str, run: Runner) -> Future[Any]:
        request = _Request(key, text, run)
        with self._cond:
            if self._closed:
                raise QueueFull("the server is shutting down")
            if len(self._pending) >= self.max_queue:
                raise QueueFull(f"the work queue is full ({self.max_queue} waiting)")
            self._pending.append(request)
            self._cond.notify()
        return request.future

    def close(self) -> None:
        with self._cond:
            self._closed = True
            self._cond.notify_all()
        for t in self._threads:
            t.join(timeout=5)

    def _take(self) -> list[_Request] | None:
        with self._cond:
            while not self._pending and not self._closed:
                self._cond.wait()
            if self._closed and not self._pending:
                return None
        if self.wait_s > 0:
            time.sleep(self.wait_s)  # let simultaneous requests arrive
        with self._cond:
            if not self._pending:
                return []
            key = self._pending[0].key
            batch = [r for r in self._pending if r.key == key][: self.max_batch]
            chosen = {id(r) for r in batch}
            self._pending = deque(r for r in self._pending if id(r) not in chosen)
            return batch

    def _loop(self) -> None:
        while True:
            batch = self._take()
            if batch is None:
                return
            if not batch:
                continue
            live = [r for r in batch if r.future.set_running_or_notify_cancel()]
            if not live:
                continue
            self._run(live)

    def _run(self, live: list[_Request]) -> None:
        try:
            results = live[0].run([r.text for r in live])
        except Exception as exc:
            if len(live) > 1:  # one bad text must not fail its neighbours: run each alone
                for r in live:
                    self._run([r])
                return
            live[0].future.set_exception(exc)
            return
        self.batches += 1
        self.requests += len(live)
        for r, result in zip(live, results, strict=True):
            r.future.set_result(result)
