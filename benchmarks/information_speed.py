"""Speed of the information method (Guan et al., 2019): wordlight's optimiser vs the published one.

Toy: the authors' README example (x = randn(5, 256)/100, Phi = W @ x, regularization from 100
samples, scale = 1, rate = 0.1), whose optimum has a closed form σ*. The published algorithm
(``published=True``: Adam, one noise sample per step, Phi(x) recomputed, best-loss snapshot) runs
its 5,000 steps; wordlight's default stops on its own convergence test. Time and the largest
relative error against σ* are reported per seed.

BERT-sized: the built-in default model (all-MiniLM-L6-v2, 6 layers), layers 3 and 6, the first
``--n`` sentences of the movie test split: sentences/s batched (one ``explain`` call) vs one at a
time (one call per sentence), same settings and seeds (so the same σ), plus the published
algorithm's time per iteration on the layer, extrapolated to its 5,000 steps.

    .venv/bin/python benchmarks/information_speed.py             # toy + BERT-sized (n = 8)
    .venv/bin/python benchmarks/information_speed.py --toy-only
"""

from __future__ import annotations

import argparse
import math
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import machine, table, wait_until_quiet

from wordlight.interpreter import Interpreter, calculate_regularization

W = torch.tensor([10.0, 20.0, 5.0, -20.0, -10.0])


def phi(x: torch.Tensor) -> torch.Tensor:
    return W @ x


def toy(seed: int) -> tuple[torch.Tensor, np.ndarray, np.ndarray]:
    """The README inputs drawn after ``torch.manual_seed(seed)``, and the closed-form σ*."""
    torch.manual_seed(seed)
    x = torch.randn(5, 256) / 100
    r = calculate_regularization([torch.randn(5, 256) / 100 for _ in range(100)], phi)
    star = math.sqrt(0.1 / (2 * 5)) / (W.double().abs().numpy() * np.sqrt(np.mean(1 / r**2)))
    return x, r, star


def run_toy(seeds: range) -> list[list[str]]:
    rows = []
    for seed in seeds:
        x, r, star = toy(seed)
        row = [str(seed)]
        for published, lr, iterations in (
            (True, 0.5, 5000),
            (True, 0.01, 5000),
            (False, 0.5, 5000),
        ):
            torch.manual_seed(1000 + seed)
            it = Interpreter(x, phi, scale=1.0, rate=0.1, regularization=r, published=published)
            start = time.perf_counter()
            it.optimize(iteration=iterations, lr=lr)
            seconds = time.perf_counter() - start
            error = np.abs(it.get_sigma() / star - 1).max()
            row += [f"{seconds:.2f}", f"{it.iterations}", f"{error:.1%}"]
        rows.append(row)
    return rows


def run_bert(
    n: int, layers: tuple[int, ...], name: str = "default", device: str | None = None
) -> list[list[str]]:
    import wordlight
    from wordlight import Information
    from wordlight.data import load_dataset

    model = wordlight.load_model(name, device=device)
    model.model.float()  # a copy of the model may be stored in half precision
    texts = list(load_dataset("movies").test.texts[:n])
    rows = []
    for layer in layers:
        method = Information(layer=layer)
        method.explain(model, texts[:1])  # warm-up; computes and caches the regularization
        start = time.perf_counter()
        batched = method.explain(model, texts)
        t_batched = time.perf_counter() - start
        start = time.perf_counter()
        single = [method.explain(model, t)[0] for t in texts]
        t_single = time.perf_counter() - start
        diff = max(np.abs(a.scores - b.scores).max() for a, b in zip(batched, single, strict=True))
        iterations = np.mean([e.n_steps for e in batched])
        published = Information(layer=layer, published=True, max_iterations=20, lr=0.01)
        start = time.perf_counter()
        published.explain(model, texts[:1])
        per_step = (time.perf_counter() - start) / 20
        rows.append(
            [
                str(layer), str(n), f"{iterations:.0f}", f"{t_batched:.1f}", f"{n / t_batched:.2f}",
                f"{t_single:.1f}", f"{n / t_single:.2f}", f"{t_single / t_batched:.2f}x",
                f"{diff:.1e}", f"{per_step * 1000:.0f} ms", f"{per_step * 5000 / 60:.1f} min",
            ]
        )  # fmt: skip
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--n", type=int, default=8, help="sentences for the BERT-sized part")
    parser.add_argument("--toy-only", action="store_true")
    parser.add_argument("--model", default="default", help='"default" or a local HF model dir')
    parser.add_argument("--device", default=None, help="e.g. cuda (default: the CPU)")
    args = parser.parse_args()
    warnings.filterwarnings("ignore", message="information: .* did not converge")
    waited = wait_until_quiet()
    print("\n".join(machine()))
    if waited > 1:
        print(f"(waited {waited:.0f} s for other python processes to finish)")

    print("\nToy (README example): published 5,000 steps vs wordlight's convergence test")
    head = ["seed"]
    for name in ("published lr=0.5", "published lr=0.01", "wordlight"):
        head += [f"{name} s", "iters", "max err"]
    rows = run_toy(range(args.seeds))
    print(table(head, rows))
    pub = np.array([float(r[1]) for r in rows])
    ours = np.array([float(r[7]) for r in rows])
    print(f"speed-up (published lr=0.5 time / wordlight time): median {np.median(pub / ours):.0f}x")

    if not args.toy_only:
        print(
            f"\nBERT-sized: {args.model} on {args.device or 'cpu'}, movie test sentences, "
            "batched vs one at a time"
        )
        head = ["layer", "texts", "mean iters", "batched s", "texts/s", "one-by-one s",
                "texts/s", "speed-up", "max |diff|", "published/it", "published 5000"]  # fmt: skip
        print(table(head, run_bert(args.n, (3, 6), args.model, args.device)))


if __name__ == "__main__":
    main()
