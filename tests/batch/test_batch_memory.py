"""Handing the C heap's free memory back: real allocations, real resident sizes (glibc only)."""

from __future__ import annotations

import numpy as np
import pytest

from wordlight.batch.memory import HeapCap, _malloc_trim, release_memory, resident_bytes

pytestmark = pytest.mark.skipif(
    resident_bytes() is None or _malloc_trim() is None, reason="needs Linux /proc and glibc"
)


def _fragmented_heap(mib: int = 250) -> list[np.ndarray]:
    """``mib`` MiB freed on the C heap (64 KiB blocks: below glibc's mmap threshold), with a few
    live blocks spread over it so that the heap's top cannot simply shrink."""
    blocks = [np.ones(8192) for _ in range(mib * 16)]
    return blocks[::100]


def test_release_memory_gives_freed_heap_back():
    keep = _fragmented_heap()
    before = resident_bytes()
    release_memory()
    after = resident_bytes()
    assert before is not None and after is not None
    assert before - after > 100 * 2**20, (before >> 20, after >> 20)
    assert keep


def test_heap_cap_trims_only_past_its_ceiling():
    release_memory()
    cap = HeapCap(margin=0.1)
    assert cap.after_chunk() is False  # the first chunk sets the ceiling
    assert cap.ceiling is not None
    assert cap.after_chunk() is False  # nothing grew
    over = (cap.ceiling - (resident_bytes() or 0)) >> 20  # the 10% margin, in MiB
    keep = _fragmented_heap(over + 250)  # the process grows past it: freed, fragmented heap
    grown = resident_bytes()
    assert grown is not None and grown > cap.ceiling, "the test needs the heap above the ceiling"
    assert cap.after_chunk() is True
    after = resident_bytes()
    assert after is not None and grown - after > 100 * 2**20
    assert keep
