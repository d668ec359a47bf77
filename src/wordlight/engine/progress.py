"""The one progress rule of every pass wordlight runs.

``progress`` is taken by every public function that runs a model:

- ``None`` (the default): a tqdm bar on a terminal, shown once the work has taken more than
  ``DELAY_S`` seconds (quick work stays silent; no bar when the output is not a terminal);
- ``True``: a bar at once; ``False``: no bar;
- a callable ``callback(done, total)``: no bar; called as the work advances (``done`` grows
  monotonically, in the units of the outer loop, and ends at ``done == total``). An exception
  it raises propagates and stops the work: this is how a caller cancels a job.

Work nested inside a running ``Progress`` (the perturbation passes of a LIME call, the
optimisation loop of the information method) opens ``nested(...)``: under a bar it draws a
transient inner bar by the same rule; under a callback it calls the callback again with the
outer ``(done, total)`` at every inner step, so a cancel lands mid-group; under ``False`` it
stays silent.
"""

from __future__ import annotations

from collections.abc import Callable
from contextvars import ContextVar, Token
from types import TracebackType
from typing import Any

from tqdm.auto import tqdm

Callback = Callable[[int, int], None]
ProgressOption = bool | None | Callback

DELAY_S = 1.0  # a bar for progress=None appears after this long


class Progress:
    """Progress of ``total`` units of work under one ``progress`` option; a context manager
    that closes the bar and lets nested work (``nested``) find it."""

    def __init__(
        self,
        total: int,
        desc: str,
        unit: str = "it",
        progress: ProgressOption = None,
        *,
        leave: bool = True,
    ) -> None:
        self.total = int(total)
        self.done = 0
        self.option = progress
        self._callback: Callback | None = progress if callable(progress) else None
        self._bar: Any = None
        if self._callback is None and progress is not False:
            self._bar = tqdm(
                total=self.total,
                desc=desc,
                unit=unit,
                leave=leave,
                disable=None if progress is None else False,
                delay=DELAY_S if progress is None else 0.0,
            )
        self._token: Token[Progress | None] | None = None

    def update(self, n: int = 1) -> None:
        """``n`` more units done: the bar moves, or the callback hears ``(done, total)``."""
        self.done = min(self.total, self.done + int(n))
        if self._bar is not None:
            self._bar.update(n)
        if self._callback is not None:
            self._callback(self.done, self.total)

    def heartbeat(self) -> None:
        """Tell a callback that work goes on (the same ``done``): its chance to cancel."""
        if self._callback is not None:
            self._callback(self.done, self.total)

    def finish(self) -> None:
        """All units done (work that stops early, e.g. on convergence)."""
        if self.done < self.total:
            self.update(self.total - self.done)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None

    def __enter__(self) -> Progress:
        self._token = _CURRENT.set(self)
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        if self._token is not None:
            _CURRENT.reset(self._token)
            self._token = None
        self.close()


_CURRENT: ContextVar[Progress | None] = ContextVar("wordlight_progress", default=None)


class _Inherit:
    def __repr__(self) -> str:
        return "INHERIT"


INHERIT: Any = _Inherit()  # nested(): follow the Progress that encloses the work


def current() -> Progress | None:
    """The innermost running ``Progress`` (inside its ``with`` block), or None."""
    return _CURRENT.get()


def nested(
    total: int, desc: str, unit: str = "it", progress: ProgressOption | _Inherit = INHERIT
) -> Progress:
    """Progress of work inside other work. With ``INHERIT``: silent when nothing encloses it
    or the enclosing work is silent; a transient bar (shown after ``DELAY_S``) under a bar;
    heartbeats of the enclosing callback under a callback. Any other value: that option."""
    if not isinstance(progress, _Inherit):
        return Progress(total, desc, unit, progress)
    outer = current()
    if outer is None or outer.option is False:
        return Progress(total, desc, unit, False)
    if outer._callback is not None:
        return Progress(total, desc, unit, lambda done, all_: outer.heartbeat())
    return Progress(total, desc, unit, None, leave=False)
