"""Resume after SIGKILL: a real CLI process killed at random points several times, resumed each
time, ends with exactly the rows of an uninterrupted run (0 lost, 0 duplicated)."""

from __future__ import annotations

import json
import random
import signal
import subprocess
import sys
import time

import numpy as np
import pyarrow.parquet as pq
import pytest

from tests.batch.helpers import cli, cli_env, texts, write_jsonl

FLOATS = ("confidence", "probabilities", "token_scores", "word_scores", "completeness_delta")


def _shards(run) -> int:
    return len(list((run / "shards").glob("*.parquet"))) if (run / "shards").exists() else 0


@pytest.mark.slow  # six CLI processes: ~2 min on a busy 2-core machine
def test_sigkill_at_random_points_then_resume_equals_uninterrupted(model_dir, tmp_path):
    # 100 chunks: each kill lands within ~0.25 s of a process's first shard, so four kills stay
    # well short of the end even on a fast, quiet machine (60 texts finished there once)
    items = texts(200, seed=3)
    path = write_jsonl(tmp_path / "in.jsonl", [{"id": f"x{i}", "text": t, "label": "positive"}
                                               for i, t in enumerate(items)])  # fmt: skip

    def argv(out):
        return ["explain-dataset", "--file", str(path), "--id-col", "id", "--label-col", "label",
                "--model", str(model_dir), "-p", "n_steps=32", "--chunk-size", "2",
                "--no-progress", "--out", str(out)]  # fmt: skip

    cli(*argv(tmp_path / "reference"))
    run = tmp_path / "killed"
    rng = random.Random(16)
    kills, seen = [], []
    for _ in range(4):
        proc = subprocess.Popen([sys.executable, "-m", "wordlight.cli.main", *argv(run)],
                                env=cli_env(), stderr=subprocess.PIPE)  # fmt: skip
        before = _shards(run)
        deadline = time.monotonic() + 120
        while _shards(run) == before and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.01)
        time.sleep(rng.uniform(0.0, 0.25))  # a random moment after the run got going
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            proc.wait()
            kills.append(_shards(run))
            seen.append(sorted(p.name for p in (run / "shards").iterdir()))
        proc.stderr.close()  # type: ignore[union-attr]
    assert len(kills) >= 3, f"the run finished before it could be killed: {kills}"
    assert kills[-1] < 100  # the last kill left the run unfinished
    cli(*argv(run))  # resume to the end

    reference = pq.read_table(tmp_path / "reference" / "shards").to_pylist()
    resumed = pq.read_table(run / "shards").to_pylist()
    assert len(resumed) == len(reference) == 200
    assert sorted(r["row"] for r in resumed) == list(range(200))  # none lost, none twice
    assert not list(run.rglob("*.tmp"))
    by_row = {r["row"]: r for r in resumed}
    for ref in reference:
        got = by_row[ref["row"]]
        for key, value in ref.items():
            if key in FLOATS:
                np.testing.assert_allclose(np.asarray(got[key], float), np.asarray(value, float),
                                           rtol=1e-9, atol=1e-12)  # fmt: skip
            else:
                assert got[key] == value, key
    manifest = json.loads((run / "manifest.json").read_text())
    assert manifest["complete"] and manifest["rows"] == 200 and manifest["shards_done"] == 100
