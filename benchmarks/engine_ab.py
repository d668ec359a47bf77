"""Before/after timing of wordlight itself across a refactor: the same work, two source trees.

Issue 13 moved every model pass behind one public engine and asked for "no behaviour change",
speed included. This script times the same calls with two checkouts of wordlight, in child
processes (``PYTHONPATH=TREE/src``), alternating A, B, A, B ... so that load on a shared machine
falls on both alike, and prints each side's best (least disturbed) wall time, its median CPU
time (the process's own, less sensitive to other load on the machine) and the ratios B / A.

    .venv/bin/python benchmarks/engine_ab.py --before ../old-checkout --after .
    .venv/bin/python benchmarks/engine_ab.py --before OLD --after . --rounds 5 --n 40

Work per call (default model, movie test snippets): IG with a fixed ``n_steps=32`` (the same
points in both trees, so the same maths), LIME with 300 samples and KernelSHAP with 128 samples
on the first ``--n-perturb`` snippets. Numbers must agree between the trees (checked).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np

CHILD = r"""
import json, sys, time, warnings
import numpy as np, torch
warnings.filterwarnings("ignore")
torch.set_num_threads(int(sys.argv[3]))
import wordlight
from wordlight.data import load_dataset
n, n_perturb = int(sys.argv[1]), int(sys.argv[2])
texts = load_dataset("movies").test.texts
model = wordlight.load_model("default")
wordlight.explain(model, texts[:2], "integrated_gradients", n_steps=8, progress=False)  # warm-up
out = {}
for name, method, params, k in (
    ("ig_32", "integrated_gradients", {"n_steps": 32}, n),
    ("lime_300", "lime", {"n_samples": 300}, n_perturb),
    ("shap_128", "shap", {"n_samples": 128}, n_perturb),
):
    start, cpu = time.perf_counter(), time.process_time()
    found = wordlight.explain(model, texts[:k], method, progress=False, **params)
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    digest = float(sum(np.abs(e.scores).sum() for e in found))
    out[name] = (seconds, cpu, digest)
print(json.dumps(out))
"""


def run(tree: Path, n: int, n_perturb: int, threads: int, python: str) -> dict[str, list[float]]:
    env = {**os.environ, "PYTHONPATH": str(tree.resolve() / "src")}
    done = subprocess.run(
        [python, "-c", CHILD, str(n), str(n_perturb), str(threads)],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--before", type=Path, required=True, help="checkout A (its src/)")
    parser.add_argument("--after", type=Path, default=Path("."), help="checkout B (its src/)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--n", type=int, default=40, help="snippets for IG")
    parser.add_argument("--n-perturb", type=int, default=8, help="snippets for LIME / SHAP")
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    times: dict[str, dict[str, list[float]]] = {"before": {}, "after": {}}
    cpus: dict[str, dict[str, list[float]]] = {"before": {}, "after": {}}
    digests: dict[str, dict[str, float]] = {"before": {}, "after": {}}
    for r in range(args.rounds):
        for side, tree in (("before", args.before), ("after", args.after)):
            got = run(tree, args.n, args.n_perturb, args.threads, sys.executable)
            for name, (seconds, cpu, digest) in got.items():
                times[side].setdefault(name, []).append(seconds)
                cpus[side].setdefault(name, []).append(cpu)
                digests[side][name] = digest
            shown = ", ".join(f"{k} {v[0]:.2f}s (cpu {v[1]:.2f}s)" for k, v in got.items())
            print(f"round {r + 1} {side}: {shown}", flush=True)
    # best wall time, and the median CPU time of the process (less sensitive to other load)
    header = f"{'work':<10} {'wall before':>11} {'after':>7} {'ratio':>6}"
    print(f"\n{header} {'CPU before':>10} {'after':>7} {'ratio':>6}  same numbers")
    for name in times["before"]:
        a, b = min(times["before"][name]), min(times["after"][name])
        ca, cb = (float(np.median(cpus[side][name])) for side in ("before", "after"))
        da, db = digests["before"][name], digests["after"][name]
        same = abs(da - db) <= 1e-9 * max(1.0, abs(da))
        print(
            f"{name:<10} {a:>10.2f}s {b:>6.2f}s {b / a:>6.3f}"
            f" {ca:>9.2f}s {cb:>6.2f}s {cb / ca:>6.3f}  {same}"
        )


if __name__ == "__main__":
    main()
