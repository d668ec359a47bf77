"""engine="ray" on a real local Ray (2 CPUs, 2 actors): the same rows, shard layout and resume
as the local engine; ``--address`` joins a cluster started with ``ray start --head``, and GPUs
asked of a cluster without any are refused with one line instead of a wait for ever."""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq
import pytest

from tests.batch.helpers import cli, cli_env, texts, write_jsonl
from wordlight.batch import RayOptions, Source, explain_dataset

ray = pytest.importorskip("ray")


@pytest.fixture(scope="module")
def local_ray():
    ray.init(num_cpus=2, num_gpus=0, include_dashboard=False, log_to_driver=False)
    yield
    ray.shutdown()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass(frozen=True)
class Head:
    address: str
    env: dict[str, str]  # the environment of a driver: the cluster's auth token


@pytest.fixture(scope="module")
def ray_head():
    """A real Ray head, 2 CPUs and no GPU, started as an operator would (``ray start --head``),
    with token authentication and its own token (Ray 2.60's default when a token exists), in
    its own temp dir (so no other ``ray.init()`` on the machine finds it) and process group;
    stopped by signalling that group, never with ``ray stop`` (which stops every Ray here)."""
    ray_cli = Path(sys.executable).with_name("ray")
    if not ray_cli.exists():
        pytest.skip("the ray command is not installed next to this Python")
    temp = tempfile.mkdtemp(prefix="wlray", dir="/tmp")  # short: Ray's socket paths are limited
    argv = [str(ray_cli), "start", "--head", "--block", "--port", "0", "--num-cpus", "2",
            "--num-gpus", "0", "--node-ip-address", "127.0.0.1", "--include-dashboard", "false",
            "--disable-usage-stats", "--temp-dir", temp,
            "--ray-client-server-port", str(_free_port()),
            "--dashboard-agent-listen-port", str(_free_port())]  # fmt: skip
    env = dict(cli_env(), RAY_AUTH_MODE="token", RAY_AUTH_TOKEN=secrets.token_hex(32))
    log = open(Path(temp) / "head.log", "wb")  # noqa: SIM115 (closed in the teardown)
    head = subprocess.Popen(argv, env=env, stdout=log, stderr=subprocess.STDOUT,
                            start_new_session=True)  # fmt: skip
    address_file = Path(temp) / "ray_current_cluster"
    try:
        deadline = time.monotonic() + 300
        while not address_file.exists() and head.poll() is None:
            assert time.monotonic() < deadline, "ray start --head did not come up in 300 s"
            time.sleep(0.5)
        assert head.poll() is None, (Path(temp) / "head.log").read_text()[-2000:]
        yield Head(address_file.read_text().strip(), env)
    finally:
        head.send_signal(signal.SIGTERM)  # ray start --block stops its own processes on SIGTERM
        with contextlib.suppress(subprocess.TimeoutExpired):
            head.wait(timeout=60)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(head.pid, signal.SIGKILL)  # whatever of its group is left
        head.wait()
        log.close()
        shutil.rmtree(temp, ignore_errors=True)


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


@pytest.mark.slow  # a Ray head, a driver process and two actors: ~1 min on a busy 2-core machine
def test_address_joins_a_running_cluster_with_the_local_rows(ray_head, model_dir, tmp_path):
    records = [{"id": f"a{i}", "text": t} for i, t in enumerate(texts(8, seed=7))]
    path = write_jsonl(tmp_path / "in.jsonl", records)
    common = ["--file", str(path), "--id-col", "id", "--model", str(model_dir), "-p",
              "n_steps=8", "--chunk-size", "3", "--no-progress"]  # fmt: skip
    src = Source(file=str(path), id_col="id")
    local = explain_dataset(src, str(model_dir), out=tmp_path / "local", params={"n_steps": 8},
                            chunk_size=3)  # fmt: skip
    proc = cli("explain-dataset", *common, "--engine", "ray", "--address", ray_head.address,
               "--actors", "2", "--out", str(tmp_path / "ray"), env=ray_head.env)  # fmt: skip
    assert f"{local.rows} row(s) from 8 text(s) in 3 shard(s)" in proc.stderr
    a = pq.read_table(tmp_path / "local" / "shards").sort_by("row").to_pylist()
    b = pq.read_table(tmp_path / "ray" / "shards").sort_by("row").to_pylist()
    assert [r["id"] for r in b] == [r["id"] for r in a] == [f"a{i}" for i in range(8)]
    for x, y in zip(a, b, strict=True):
        np.testing.assert_allclose(x["token_scores"], y["token_scores"], rtol=1e-5, atol=1e-7)
        np.testing.assert_allclose(x["probabilities"], y["probabilities"], rtol=1e-6)
        assert x["words"] == y["words"] and x["predicted_label"] == y["predicted_label"]


@pytest.mark.slow  # the same Ray head (module fixture); the refusal itself takes seconds
def test_gpus_on_a_cluster_without_any_or_a_missing_token_are_one_line(
    ray_head, model_dir, tmp_path
):
    path = write_jsonl(tmp_path / "in.jsonl", [{"text": t} for t in texts(3)])
    argv = ["explain-dataset", "--file", str(path), "--model", str(model_dir), "--no-progress",
            "--engine", "ray", "--address", ray_head.address]  # fmt: skip
    started = time.monotonic()  # cli() times out after 600 s; Ray alone would wait for ever
    proc = cli(*argv, "--gpus-per-actor", "1", "--out", str(tmp_path / "gpu"), check=False,
               env=ray_head.env)  # fmt: skip
    assert time.monotonic() - started < 300
    assert proc.returncode == 2, proc.stderr[-2000:]
    assert proc.stderr.strip().splitlines() == [
        f"wordlight: error: --gpus-per-actor 1 needs GPUs, but the Ray cluster at "
        f"{ray_head.address} has 0; start Ray on nodes with GPUs, or leave --gpus-per-actor out"
    ]
    assert not list((tmp_path / "gpu" / "shards").glob("*.parquet"))
    # a driver without the cluster's token: Ray's nested ConnectionError becomes one line (after
    # the retry warnings that Ray's C++ client writes to stderr itself)
    no_token = {k: v for k, v in ray_head.env.items() if not k.startswith("RAY_AUTH")}
    proc = cli(*argv, "--out", str(tmp_path / "token"), check=False, env=no_token)
    assert proc.returncode == 2, proc.stderr[-2000:]
    assert "Traceback" not in proc.stderr
    assert [x for x in proc.stderr.splitlines() if "wordlight" in x] == [
        f"wordlight: error: the Ray cluster at {ray_head.address} uses token authentication: "
        "set RAY_AUTH_MODE=token and give this process the cluster's token "
        "(~/.ray/auth_token or RAY_AUTH_TOKEN)"
    ]
    assert proc.stderr.strip().splitlines()[-1].startswith("wordlight: error:")
