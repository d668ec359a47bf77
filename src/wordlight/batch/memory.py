"""Keeping a long run's memory flat: the C heap's free memory handed back between chunks.

glibc keeps the blocks that a chunk's tensors freed, and the next chunks' allocations fragment
them, so without help the resident size grew with the number of chunks (saliency, chunks of 256:
1.3 GiB after the first chunk, 1.7 GiB after the tenth). ``malloc_trim`` hands the free memory
back, but a chunk that then needs it again pays the page faults (~3% of saliency's time when
trimmed after every chunk), so :class:`HeapCap` trims only when the process has grown past what
it held after its first chunk, plus a margin. Figures: benchmarks/README.md.
"""

from __future__ import annotations

import ctypes
import functools
import os
from typing import Any


def release_memory() -> None:
    """Hand the C heap's free memory back to the system (glibc ``malloc_trim``; a no-op
    elsewhere)."""
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


def resident_bytes() -> int | None:
    """This process's resident size in bytes (Linux ``/proc/self/statm``), else None."""
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError, AttributeError):
        return None


class HeapCap:
    """Call :meth:`after_chunk` after each chunk: the first call notes the resident size (the
    model and one chunk's heap), later calls trim the heap when the process has grown more
    than ``margin`` over it. Returns whether it trimmed."""

    def __init__(self, margin: float = 0.1) -> None:
        self.margin = margin
        self.ceiling: int | None = None

    def after_chunk(self) -> bool:
        rss = resident_bytes()
        if rss is None or _malloc_trim() is None:
            return False
        if self.ceiling is None:
            self.ceiling = int(rss * (1 + self.margin))
            return False
        if rss <= self.ceiling:
            return False
        release_memory()
        return True


@functools.cache
def _malloc_trim() -> Any:
    try:
        return ctypes.CDLL(None).malloc_trim
    except (OSError, AttributeError, TypeError):  # not glibc (macOS, musl, Windows)
        return None
