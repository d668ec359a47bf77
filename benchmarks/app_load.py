"""Load on the web app: one client, then many concurrent clients, against the library's batch speed.

Starts ``wordlight app --model default`` as a child process on a free loopback port (127.0.0.1
only, result cache off so every request is computed), and explains movie snippets of about 50
model tokens with IG ``n_steps="auto"``:

1. one client, requests one after another: latency p50/p95;
2. ``--clients`` concurrent clients for ``--seconds``: errors, latency p50/p95, texts/s;
3. ``wordlight.explain`` on the same texts in one batch call in this process, with the server's
   torch threads and with torch's default: texts/s, and the app's throughput as a ratio of it.

Bounded: at most ``--max-requests`` requests in phase 2 and a hard deadline; the server is stopped
at the end whatever happens. Results: benchmarks/README.md.

    .venv/bin/python benchmarks/app_load.py             # 20 clients for 60 s
    .venv/bin/python benchmarks/app_load.py --quick     # 4 clients for 10 s
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import busy_processes, machine

ROOT = Path(__file__).resolve().parents[1]


def snippets(model, n: int, lo: int = 40, hi: int = 60) -> list[str]:
    """The first ``n`` movie test snippets with ``lo``..``hi`` model tokens."""
    from wordlight.data import load_dataset

    texts = list(load_dataset("movies").test.texts)
    lengths = [len(e.ids) for e in model.encode(texts)]
    chosen = [t for t, k in zip(texts, lengths, strict=True) if lo <= k <= hi][:n]
    if len(chosen) < n:
        raise SystemExit(f"only {len(chosen)} snippets with {lo}..{hi} tokens")
    return chosen


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(port: int, threads: int | None) -> subprocess.Popen[bytes]:
    cmd = [sys.executable, "-m", "wordlight.cli.main", "app", "--model", "default",
           "--host", "127.0.0.1", "--port", str(port), "--cache-mb", "0"]  # fmt: skip
    if threads:
        cmd += ["--threads", str(threads)]
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    return subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def wait_ready(client, url: str, server: subprocess.Popen[bytes], timeout: float = 180) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"the server exited: {server.stderr.read().decode()[-2000:]}")
        try:
            return client.get(f"{url}/api/v1/health", timeout=2).json()
        except Exception:
            time.sleep(0.3)
    raise SystemExit("the server did not answer within the time limit")


def request(client, url: str, text: str) -> tuple[float, int]:
    body = {"model": "default", "method": "integrated_gradients", "text": text,
            "params": {"n_steps": "auto"}}  # fmt: skip
    t0 = time.perf_counter()
    r = client.post(f"{url}/api/v1/explain", json=body, timeout=120)
    return time.perf_counter() - t0, r.status_code


def load_phase(url: str, texts: list[str], clients: int, seconds: float, max_requests: int):
    import httpx

    latencies: list[float] = []
    codes: dict[int, int] = {}
    lock = threading.Lock()
    counter = iter(range(10**9))
    stop_at = time.monotonic() + seconds

    def worker() -> None:
        with httpx.Client() as client:
            while time.monotonic() < stop_at:
                with lock:
                    i = next(counter)
                if i >= max_requests:
                    return
                try:
                    dt, code = request(client, url, texts[i % len(texts)])
                except Exception:
                    dt, code = float("nan"), -1
                with lock:
                    latencies.append(dt)
                    codes[code] = codes.get(code, 0) + 1

    start = time.perf_counter()
    threads = [threading.Thread(target=worker) for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return np.array(latencies), codes, time.perf_counter() - start


def library_rate(texts: list[str], threads: int | None) -> float:
    import torch

    import wordlight

    before = torch.get_num_threads()
    if threads:
        torch.set_num_threads(threads)
    model = wordlight.load_model("default")
    wordlight.explain(model, texts[:2], n_steps="auto", progress=False)  # warm-up
    t0 = time.perf_counter()
    wordlight.explain(model, texts, n_steps="auto", progress=False)
    rate = len(texts) / (time.perf_counter() - t0)
    torch.set_num_threads(before)
    return rate


def main() -> None:
    import httpx

    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--clients", type=int, default=20)
    p.add_argument("--seconds", type=float, default=60.0)
    p.add_argument("--single", type=int, default=20, help="requests of the one-client phase")
    p.add_argument("--texts", type=int, default=40)
    p.add_argument("--max-requests", type=int, default=5000)
    p.add_argument("--threads", type=int, help="the server's torch threads (default: its rule)")
    p.add_argument("--quick", action="store_true", help="4 clients, 10 s, 8 single requests")
    args = p.parse_args()
    if args.quick:
        args.clients, args.seconds, args.single, args.texts = 4, 10.0, 8, 16
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    sys.path.insert(0, str(ROOT / "src"))
    import wordlight

    print("\n".join(machine()))
    busy = busy_processes()
    print("other busy processes:", "; ".join(busy) if busy else "none")
    texts = snippets(wordlight.load_model("default"), args.texts)
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    server = start_server(port, args.threads)
    try:
        with httpx.Client() as client:
            health = wait_ready(client, url, server)
            print(f"server: torch threads {health['torch_threads']}; {len(texts)} snippets, "
                  f"{args.clients} clients for {args.seconds:.0f} s")  # fmt: skip
            request(client, url, texts[0])  # the model loads and warms up
            single = np.array([request(client, url, t)[0] for t in texts[: args.single]])
        lat, codes, elapsed = load_phase(url, texts, args.clients, args.seconds, args.max_requests)
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
    ok = codes.get(200, 0)
    errors = sum(n for c, n in codes.items() if c != 200)
    rate = ok / elapsed
    same = library_rate(texts, health["torch_threads"])
    default = library_rate(texts, None)
    print(f"one client, {len(single)} requests: p50 {np.median(single):.3f} s, "
          f"p95 {np.percentile(single, 95):.3f} s")  # fmt: skip
    print(f"{args.clients} clients, {elapsed:.1f} s: {ok} answered, {errors} errors {codes}, "
          f"p50 {np.nanmedian(lat):.3f} s, p95 {np.nanpercentile(lat, 95):.3f} s, "
          f"{rate:.2f} texts/s")  # fmt: skip
    threads = health["torch_threads"]
    print(f"wordlight.explain, one batch call of {len(texts)} texts: {same:.2f} texts/s with "
          f"{threads} threads, {default:.2f} texts/s with torch's default")  # fmt: skip
    print(f"app throughput / library: {rate / same:.2f} (same threads), "
          f"{rate / default:.2f} (default threads)")  # fmt: skip
    busy = busy_processes()
    print("other busy processes after:", "; ".join(busy) if busy else "none")


if __name__ == "__main__":
    main()
