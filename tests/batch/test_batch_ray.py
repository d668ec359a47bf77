"""engine="ray" on a real local Ray (2 CPUs, 2 actors): the same rows, shard layout and resume
as the local engine."""

from __future__ import annotations

import numpy as np
import pyarrow.parquet as pq
import pytest

from tests.batch.helpers import texts, write_jsonl
from wordlight.batch import RayOptions, Source, explain_dataset

ray = pytest.importorskip("ray")


@pytest.fixture(scope="module")
def local_ray():
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    yield
    ray.shutdown()


@pytest.mark.slow  # starting Ray and two actors takes ~30-60 s on a busy 2-core machine
def test_ray_gives_the_local_rows_and_resumes(local_ray, model_dir, tmp_path):
    records = [{"id": f"r{i}", "text": t, "label": "negative"} for i, t in enumerate(texts(14))]
    records[4]["text"] = ""  # a reject, on both engines
    src = Source(file=str(write_jsonl(tmp_path / "in.jsonl", records)), label_col="label",
                 id_col="id")  # fmt: skip
    kw = dict(params={"n_steps": 8}, chunk_size=3, metrics=["comprehensiveness"])
    local = explain_dataset(src, str(model_dir), out=tmp_path / "local", **kw)
    on_ray = explain_dataset(src, str(model_dir), out=tmp_path / "ray", engine="ray",
                             ray=RayOptions(actors=2), **kw)  # fmt: skip
    assert (on_ray.rows, on_ray.rejected, on_ray.shards) == (local.rows, local.rejected, 5)
    names = sorted(p.name for p in (tmp_path / "ray" / "shards").iterdir())
    assert names == sorted(p.name for p in (tmp_path / "local" / "shards").iterdir())
    a = pq.read_table(tmp_path / "local" / "shards").sort_by("row").to_pylist()
    b = pq.read_table(tmp_path / "ray" / "shards").sort_by("row").to_pylist()
    assert [r["id"] for r in a] == [r["id"] for r in b] and len(a) == 13
    for x, y in zip(a, b, strict=True):
        np.testing.assert_allclose(x["token_scores"], y["token_scores"], rtol=1e-5, atol=1e-7)
        np.testing.assert_allclose(x["probabilities"], y["probabilities"], rtol=1e-6)
        assert x["comprehensiveness"] == pytest.approx(y["comprehensiveness"], abs=1e-6)
        assert x["words"] == y["words"] and x["model_hash"] == y["model_hash"]
    (tmp_path / "ray" / "shards" / "part-00003.parquet").unlink()
    again = explain_dataset(src, str(model_dir), out=tmp_path / "ray", engine="ray",
                            ray=RayOptions(actors=2), **kw)  # fmt: skip
    assert again.resumed == 4 and again.rows == 13
    assert pq.read_table(tmp_path / "ray" / "shards").sort_by("row").to_pylist() == b
