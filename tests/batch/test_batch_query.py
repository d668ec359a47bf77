"""The data set view's query layer against plain-Python filtering of the same rows, and the
first page of a 100,000-row run under a second."""

from __future__ import annotations

import time

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from wordlight.batch.query import RowFilter, get_row, query_rows
from wordlight.errors import InputError


@pytest.fixture(scope="module")
def all_rows(small_run):
    return pq.read_table(small_run / "shards").to_pylist()


@pytest.mark.parametrize(
    ("filters", "keep"),
    [
        (RowFilter(), lambda r: True),
        (RowFilter(true_label="positive"), lambda r: r["true_label"] == "positive"),
        (RowFilter(correct=False, target_label="neutral"),
         lambda r: not r["correct"] and r["target_label"] == "neutral"),
        (RowFilter(min_confidence=0.34, max_confidence=0.345),
         lambda r: 0.34 <= r["confidence"] <= 0.345),
        (RowFilter(max_abs_delta=1e-7), lambda r: abs(r["completeness_delta"]) <= 1e-7),
        (RowFilter(word="MOVIE"), lambda r: "movie" in [w.lower() for w in r["words"]]),
    ],
)  # fmt: skip
def test_filters_and_sort_match_python(small_run, all_rows, filters, keep):
    want = sorted((r for r in all_rows if keep(r)), key=lambda r: (-r["confidence"], r["row"],
                                                                   r["target"]))  # fmt: skip
    got = query_rows(small_run, filters, sort="confidence", descending=True, page_size=7)
    assert got.total == len(want)
    assert [(r["row"], r["target"]) for r in got.rows] == [
        (r["row"], r["target"]) for r in want[:7]
    ]
    second = query_rows(small_run, filters, sort="confidence", descending=True, page=1,
                        page_size=7)  # fmt: skip
    assert [(r["row"], r["target"]) for r in second.rows] == [
        (r["row"], r["target"]) for r in want[7:14]
    ]
    for r in got.rows:
        assert len(r["words"]) == len(r["word_scores"])  # what an inline heatmap needs


def test_get_row_and_bad_queries(small_run, all_rows):
    row = get_row(small_run, 5, target=2)
    want = next(r for r in all_rows if r["row"] == 5 and r["target"] == 2)
    assert row["token_scores"] == want["token_scores"] and row["id"] == "s5"
    with pytest.raises(InputError, match="unknown sort 'speed'"):
        query_rows(small_run, sort="speed")
    with pytest.raises(InputError, match="no faithfulness column 'comprehensiveness'"):
        query_rows(small_run, RowFilter(metric="comprehensiveness", min_metric=0.1))
    with pytest.raises(InputError, match="no row 999"):
        get_row(small_run, 999)


def test_first_page_of_100k_rows_under_a_second(small_run, tmp_path):
    base = pq.read_table(small_run / "shards")
    shards = tmp_path / "big" / "shards"
    shards.mkdir(parents=True)
    per_shard = 10_000
    reps = -(-per_shard // base.num_rows)
    block = pa.concat_tables([base] * reps).slice(0, per_shard)
    for k in range(10):  # 10 shards of 10,000 rows, row numbers made unique
        rows = pa.array(range(k * per_shard, (k + 1) * per_shard), pa.int64())
        pq.write_table(block.set_column(0, "row", rows), shards / f"part-{k:05d}.parquet")
    start = time.perf_counter()
    page = query_rows(tmp_path / "big", RowFilter(correct=False, word="movie"),
                      sort="confidence", descending=True)  # fmt: skip
    cold = time.perf_counter() - start
    start = time.perf_counter()
    query_rows(tmp_path / "big", RowFilter(true_label="negative"), sort="abs_delta", page=3)
    warm = time.perf_counter() - start
    print(f"100k rows: first page {cold * 1000:.0f} ms (cold), {warm * 1000:.0f} ms (warm)")
    assert page.total > 10_000 and len(page.rows) == 50
    assert cold < 1.0 and warm < 1.0
