"""The duplicate-id check in 8 bytes a row gives the answer of a plain dict of every id, even when
digests collide."""

from __future__ import annotations

import random

import pytest

from wordlight.batch.ids import check_ids


def _reference(rows):
    """The first usable row whose id occurred before, with a dict of every id."""
    seen: dict[str, int] = {}
    for row, row_id, usable in rows:
        if row_id in seen and usable:
            return row_id, seen[row_id], row
        seen.setdefault(row_id, row)
    return None


@pytest.mark.parametrize("bits", [64, 6])  # 6 bits: 64 digests for thousands of ids
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_first_duplicate_equals_a_dict_of_every_id(bits, seed):
    rng = random.Random(seed)
    ids = [f"id-{i}" for i in range(5000)]
    rows = [(i, row_id, rng.random() > 0.1) for i, row_id in enumerate(ids)]
    if seed:  # plant repeats, one of them at an unusable row (which does not count)
        for at in rng.sample(range(100, 5000), 3):
            rows[at] = (at, ids[rng.randrange(at)], rows[at][2])
    found = check_ids(lambda: iter(rows), bits=bits)
    assert found.rows == 5000
    assert found.duplicate == _reference(rows)
    assert (found.duplicate is None) == (seed == 0)


def test_an_unusable_row_may_repeat_an_id_but_not_be_repeated_by_a_usable_one():
    rows = [(0, "a", False), (1, "a", False), (2, "b", True), (3, "a", True)]
    assert check_ids(lambda: iter(rows)).duplicate == ("a", 0, 3)
    assert check_ids(lambda: iter(rows[:3])).duplicate is None
    assert check_ids(lambda: iter([])).rows == 0
