"""Whole data sets: texts/s of explain-dataset (local engine, Ray with N actors) against one
``wordlight.explain`` call on everything, peak RSS at two corpus sizes, and the cost of resuming
after a SIGKILL. Figures and protocol: benchmarks/README.md.

    python benchmarks/dataset_scale.py                 # the full sizes (2,000 texts; 1k vs 10k)
    python benchmarks/dataset_scale.py --n 200 --rss 500,2000   # reduced, for a busy machine
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "benchmarks"))
os.environ["PYTHONPATH"] = os.pathsep.join([str(ROOT / "src"), os.environ.get("PYTHONPATH", "")])

from _common import machine  # noqa: E402

import wordlight  # noqa: E402
from wordlight.batch import RayOptions, Source, explain_dataset  # noqa: E402


def corpus(n: int) -> list[str]:
    """The first n texts of the movies + rotten test splits, cycled when n is larger."""
    from wordlight.data import load_dataset

    pool = list(load_dataset("movies").test.texts) + list(load_dataset("rotten").test.texts)
    return [pool[i % len(pool)] for i in range(n)]


def write_input(texts: list[str], path: Path) -> Path:
    import pyarrow as pa
    import pyarrow.parquet as pq

    pq.write_table(pa.table({"text": texts}), path)
    return path


THREADS: list[int] = []  # --threads, for the child processes too


def cli_env() -> dict[str, str]:
    env = dict(os.environ, HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1")
    if THREADS:
        env["OMP_NUM_THREADS"] = str(THREADS[0])
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT / "src"), env.get("PYTHONPATH", "")])
    return env


def cli_args(file: Path, out: Path, args: argparse.Namespace, method: str, params: list[str]):
    argv = [sys.executable, "-m", "wordlight.cli.main", "explain-dataset", "--file", str(file),
            "--model", args.model, "--method", method, "--out", str(out), "--no-progress",
            "--chunk-size", str(args.chunk)]  # fmt: skip
    for p in params:
        argv += ["-p", p]
    return argv


def child(argv: list[str], kill_after: float | None = None) -> tuple[float, float, float]:
    """(seconds, CPU seconds, peak RSS MiB) of a child process; SIGKILLed after ``kill_after``
    seconds when given (then its exit status is not checked)."""
    start = time.perf_counter()
    proc = subprocess.Popen(argv, env=cli_env(), stderr=subprocess.DEVNULL)
    if kill_after is not None:
        try:
            proc.wait(timeout=kill_after)
        except subprocess.TimeoutExpired:
            proc.send_signal(signal.SIGKILL)
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    if kill_after is None and proc.returncode != 0:
        raise SystemExit(f"{argv} failed ({proc.returncode})")
    cpu = usage.ru_utime + usage.ru_stime
    return time.perf_counter() - start, cpu, usage.ru_maxrss / 1024


def peak_rss_mb(argv: list[str]) -> tuple[float, float]:
    """(peak RSS in MiB, seconds) of a child process."""
    seconds, _, mb = child(argv)
    return mb, seconds


def throughput(args: argparse.Namespace, tmp: Path) -> None:
    texts = corpus(args.n)
    file = write_input(texts, tmp / "in.parquet")
    params = {"n_steps": "auto"}
    model = wordlight.load_model(args.model)
    wordlight.explain(model, texts[:8], n_steps="auto", progress=False)  # warm up
    start = time.perf_counter()
    wordlight.explain(model, texts, n_steps="auto", progress=False)
    one_call = time.perf_counter() - start
    start = time.perf_counter()
    explain_dataset(Source(file=str(file)), model, out=tmp / "local", params=params,
                    chunk_size=args.chunk)  # fmt: skip
    local = time.perf_counter() - start
    print(f"\nthroughput: {args.n} movies+rotten test texts, IG n_steps=auto, model {args.model}")
    print(f"{'contestant':58s} {'time s':>8s} {'texts/s':>8s} {'vs one call':>11s}")

    def show(name: str, seconds: float) -> None:
        print(f"{name:58s} {seconds:8.1f} {args.n / seconds:8.2f} {one_call / seconds:10.2f}x",
              flush=True)  # fmt: skip

    show("wordlight.explain, one call", one_call)
    show(f"explain-dataset local (chunks of {args.chunk})", local)
    if args.actors:
        import ray

        start = time.perf_counter()
        ray.init(num_cpus=args.actors, include_dashboard=False, log_to_driver=False)
        started = time.perf_counter() - start
        start = time.perf_counter()
        explain_dataset(Source(file=str(file)), args.model, out=tmp / "ray", params=params,
                        chunk_size=args.chunk, engine="ray",
                        ray=RayOptions(actors=args.actors))  # fmt: skip
        on_ray = time.perf_counter() - start
        ray.shutdown()
        show(f"explain-dataset ray, {args.actors} actors (+{started:.1f} s ray.init)", on_ray)
        per_actor = args.n / on_ray / args.actors
        print(f"per-actor rate on this machine: {per_actor:.2f} texts/s")


def rss(args: argparse.Namespace, tmp: Path) -> None:
    print(f"\npeak RSS of the explain-dataset process ({args.rss_method}, chunks of {args.chunk})")
    for n in args.rss:
        file = write_input(corpus(n), tmp / f"rss{n}.parquet")
        mb, seconds = peak_rss_mb(cli_args(file, tmp / f"rss{n}", args, args.rss_method, []))
        print(f"{n:7d} texts: {mb:8.0f} MiB peak RSS, {seconds:7.1f} s, {n / seconds:7.1f} texts/s")


def resume(args: argparse.Namespace, tmp: Path) -> None:
    """Uninterrupted vs killed at 50% + resumed, in wall time and in CPU time (the CPU time of
    the processes is what a loaded machine does not inflate; read it with --threads 1)."""
    file = write_input(corpus(args.resume_n), tmp / "resume.parquet")
    params = args.param or []
    whole, whole_cpu, _ = child(cli_args(file, tmp / "whole", args, args.rss_method, params))
    argv = cli_args(file, tmp / "killed", args, args.rss_method, params)
    killed, killed_cpu, _ = child(argv, kill_after=whole * 0.5)
    done = len(list((tmp / "killed" / "shards").glob("*.parquet")))
    resumed, resumed_cpu, _ = child(argv)
    one = write_input(corpus(1), tmp / "one.parquet")  # the fixed cost of a start: a 1-text run
    start, start_cpu, _ = child(cli_args(one, tmp / "one", args, args.rss_method, params))
    chunks = -(-args.resume_n // args.chunk)
    print(
        f"\nresume: {args.resume_n} texts ({args.rss_method} {' '.join(params)}, chunks of "
        f"{args.chunk}), killed "
        f"at 50% of the uninterrupted time ({done} of {chunks} shards done), then resumed"
    )
    for name, a, b, c, fixed in (
        ("wall", whole, killed, resumed, start),
        ("CPU", whole_cpu, killed_cpu, resumed_cpu, start_cpu),
    ):
        extra = b + c - a
        print(
            f"{name:4s}: uninterrupted {a:.1f} s; killed {b:.1f} s + resumed {c:.1f} s: "
            f"{100 * extra / a:+.1f}%; one more start (a 1-text run: process, imports, model "
            f"load) {fixed:.1f} s = {100 * fixed / a:.1f}%; the rest (the killed chunk's lost "
            f"work, noise) {extra - fixed:+.1f} s = {100 * (extra - fixed) / a:+.1f}%"
        )


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--n", type=int, default=2000, help="texts for the throughput comparison")
    p.add_argument("--model", default="default")
    p.add_argument("--chunk", type=int, default=256)
    p.add_argument("--actors", type=int, default=2, help="Ray actors (0: skip Ray)")
    p.add_argument("--rss", default="1000,10000", help="corpus sizes for peak RSS")
    p.add_argument("--rss-method", default="saliency", help="method of the RSS and resume runs")
    p.add_argument("--param", "-p", action="append",
                   help="KEY=VALUE for the resume runs' method, e.g. -p n_steps=auto")  # fmt: skip
    p.add_argument("--resume-n", type=int, default=2000)
    p.add_argument("--only", choices=("throughput", "rss", "resume"))
    p.add_argument("--threads", type=int, help="torch threads (default: torch's own choice)")
    args = p.parse_args()
    if args.threads:
        import torch

        torch.set_num_threads(args.threads)
        THREADS.append(args.threads)
    args.rss = [int(x) for x in args.rss.split(",")]
    print("\n".join(machine()))
    tmp = Path(tempfile.mkdtemp(prefix="wordlight-scale-"))
    try:
        for name, fn in (("throughput", throughput), ("rss", rss), ("resume", resume)):
            if args.only in (None, name):
                fn(args, tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
