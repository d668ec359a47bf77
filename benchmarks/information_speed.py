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

Before/after (issue 14): the defaults (``solver="newton"``, ±2 %) against the
linearised solver (``solver="linearised"``, opt-in) on the first ``--n`` movie test
snippets at layers 3 and 6, both timed in the same run and interleaved batch by batch (the machine
is shared, so a load spike hits both), and each word's relative σ error against a reference: the
Newton optimiser run to convergence (``--ref-tolerance``, at most ``--ref-iterations`` steps).

    .venv/bin/python benchmarks/information_speed.py             # toy + BERT-sized (n = 8)
    .venv/bin/python benchmarks/information_speed.py --toy-only
    .venv/bin/python benchmarks/information_speed.py --speedup --n 20   # before/after vs reference
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


def run_speedup(
    n: int, layers: tuple[int, ...], batch: int, ref_tolerance: float, ref_iterations: int,
    name: str = "default", device: str | None = None,
) -> list[list[str]]:  # fmt: skip
    """Before (newton, today's defaults) vs after (linearised), interleaved per batch of texts;
    per-word max |σ/σ_ref − 1| against the converged Newton reference."""
    import wordlight
    from wordlight import Information
    from wordlight.data import load_dataset
    from wordlight.methods.information import sigmas

    model = wordlight.load_model(name, device=device)
    model.model.float()
    texts = list(load_dataset("movies").test.texts[:n])
    rows = []
    for layer in layers:
        before = Information(layer=layer, solver="newton")
        after = Information(layer=layer, solver="linearised")
        reference = Information(
            layer=layer, solver="newton", tolerance=ref_tolerance, max_iterations=ref_iterations
        )
        after.explain(model, texts[:1])  # warm-up; computes and caches the regularization
        times = {"before": 0.0, "after": 0.0}
        results: dict[str, list] = {"before": [], "after": []}
        for start in range(0, n, batch):
            part = texts[start : start + batch]
            for key, method in (("before", before), ("after", after)):  # interleaved
                t0 = time.perf_counter()
                results[key] += method.explain(model, part)
                times[key] += time.perf_counter() - t0
        t0 = time.perf_counter()
        ref = reference.explain(model, texts)
        t_ref = time.perf_counter() - t0
        errors = {}
        for key in ("before", "after"):
            rel = [
                np.abs(sigmas(e) / sigmas(r) - 1) for e, r in zip(results[key], ref, strict=True)
            ]
            errors[key] = (max(float(x.max()) for x in rel), float(np.median(np.concatenate(rel))))
        rows.append(
            [
                str(layer), str(n), f"{times['before']:.1f}", f"{times['after']:.1f}",
                f"{times['before'] / times['after']:.1f}x",
                f"{errors['before'][0]:.1%}", f"{errors['after'][0]:.1%}",
                f"{errors['after'][1]:.2%}", f"{np.mean([e.n_steps for e in ref]):.0f}",
                f"{t_ref:.0f}",
            ]
        )  # fmt: skip
        print("  ".join(rows[-1]), flush=True)  # each layer as soon as it is done
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--n", type=int, default=8, help="sentences for the BERT-sized part")
    parser.add_argument("--toy-only", action="store_true")
    parser.add_argument("--speedup", action="store_true", help="only before/after vs reference")
    parser.add_argument("--no-wait", action="store_true", help="do not wait for a quiet machine")
    parser.add_argument("--batch", type=int, default=5, help="texts per interleaved batch")
    parser.add_argument("--layers", default="3,6")
    parser.add_argument("--ref-tolerance", type=float, default=0.004)
    parser.add_argument("--ref-iterations", type=int, default=5000)
    parser.add_argument("--model", default="default", help='"default" or a local HF model dir')
    parser.add_argument("--device", default=None, help="e.g. cuda (default: the CPU)")
    args = parser.parse_args()
    warnings.filterwarnings("ignore", message="information: .* did not converge")
    waited = 0.0 if args.no_wait else wait_until_quiet()
    print("\n".join(machine()))
    if waited > 1:
        print(f"(waited {waited:.0f} s for other python processes to finish)")

    if args.speedup:
        layers = tuple(int(x) for x in args.layers.split(","))
        print(
            f"\nBefore (solver=newton, ±2 %) vs after (solver=linearised) on {args.model}, "
            f"{args.device or 'cpu'}, first {args.n} movie test snippets, interleaved per "
            f"{args.batch} texts; reference: newton to ±{args.ref_tolerance:.1%} "
            f"(at most {args.ref_iterations} steps)"
        )
        head = ["layer", "texts", "before s", "after s", "speed-up", "before max err",
                "after max err", "after median err", "ref iters", "ref s"]  # fmt: skip
        rows = run_speedup(
            args.n, layers, args.batch, args.ref_tolerance, args.ref_iterations,
            args.model, args.device,
        )  # fmt: skip
        print(table(head, rows))
        return

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
