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

Solvers (issue 14): the default (``solver="newton"``, ±2 %, burn-in "half") against the opt-in
ones (``burn_in="mser"``; ``solver="linearised"``) on the first ``--n`` (or ``--texts``) movie
test snippets at layers 3 and 6, all timed in the same run and interleaved batch by batch (the
machine is shared, so a load spike hits all), with the noise draws each used per text and each
word's relative σ error against a reference: the Newton optimiser run to convergence
(``--ref-tolerance``, at most ``--ref-iterations`` steps, another seed), cached with
``--ref-cache`` so that it runs once.

    .venv/bin/python benchmarks/information_speed.py             # toy + BERT-sized (n = 8)
    .venv/bin/python benchmarks/information_speed.py --toy-only
    .venv/bin/python benchmarks/information_speed.py --floor 256 --n 4   # the noise floor
    .venv/bin/python benchmarks/information_speed.py --speedup --n 20 \
        --ref-cache /work/exp/info_ref_l{layer}_{texts}.npz  # solvers vs the reference
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


SOLVERS = {  # label -> Information keywords; "before" is today's default
    "before: newton, half": {"solver": "newton"},
    "newton, mser": {"solver": "newton", "burn_in": "mser"},
    "linearised": {"solver": "linearised"},
}


def reference_sigmas(
    model, which: list[int], layer: int, tolerance: float, iterations: int, cache: str | None
) -> tuple[list[np.ndarray], float, float]:
    """σ per text of the reference run (Newton to ``tolerance``, another seed), its mean steps
    and seconds; read from / written to ``cache`` (an .npz) when given, so it runs once."""
    from wordlight import Information
    from wordlight.methods.information import sigmas

    texts = _snippets(which)
    ids = "-".join(map(str, which))
    path = Path(cache.format(layer=layer, n=len(texts), texts=ids)) if cache else None
    if path is not None and path.is_file():
        saved = np.load(path)
        if [str(t) for t in saved["texts"]] == texts:
            return [saved[f"sigma_{i}"] for i in range(len(texts))], *saved["stats"].tolist()
    reference = Information(
        layer=layer, tolerance=tolerance, max_iterations=iterations, seed=12345
    )  # another noise stream than the solvers under test (seed 0)
    t0 = time.perf_counter()
    ref = reference.explain(model, texts)
    stats = [float(np.mean([e.n_steps for e in ref])), time.perf_counter() - t0]
    out = [sigmas(e) for e in ref]
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        arrays = {f"sigma_{i}": s for i, s in enumerate(out)}
        np.savez(path, texts=np.array(texts), stats=np.array(stats), **arrays)
    return out, *stats


def run_speedup(
    n: int, layers: tuple[int, ...], batch: int, ref_tolerance: float, ref_iterations: int,
    name: str = "default", device: str | None = None, ref_cache: str | None = None,
    which: list[int] | None = None,
) -> list[list[str]]:  # fmt: skip
    """Every solver of SOLVERS on the same texts, interleaved per batch of texts; the draws each
    used per text and each word's |σ/σ_ref − 1| against the converged reference."""
    import wordlight
    from wordlight import Information
    from wordlight.methods.information import sigmas

    model = wordlight.load_model(name, device=device)
    model.model.float()
    which = which or list(range(n))
    texts = _snippets(which)
    n = len(texts)
    rows = []
    for layer in layers:
        methods = {k: Information(layer=layer, **kw) for k, kw in SOLVERS.items()}
        methods["linearised"].explain(model, texts[:1])  # warm-up; caches the regularization
        ref, ref_steps, ref_s = reference_sigmas(
            model, which, layer, ref_tolerance, ref_iterations, ref_cache
        )
        times = dict.fromkeys(methods, 0.0)
        results: dict[str, list] = {k: [] for k in methods}
        for start in range(0, n, batch):
            part = texts[start : start + batch]
            for key, method in methods.items():  # interleaved: a load spike hits every solver
                t0 = time.perf_counter()
                results[key] += method.explain(model, part)
                times[key] += time.perf_counter() - t0
        before = times["before: newton, half"]
        before_draws = 0.0
        for key, method in methods.items():
            rel = np.concatenate(
                [np.abs(sigmas(e) / r - 1) for e, r in zip(results[key], ref, strict=True)]
            )
            per_step = 1 if method.solver == "linearised" else method.samples
            draws = np.mean([e.n_steps * per_step for e in results[key]])
            before_draws = before_draws or draws
            rows.append(
                [
                    str(layer), key, str(n), f"{times[key]:.1f}", f"{before / times[key]:.1f}x",
                    f"{draws:.0f}", f"{before_draws / draws:.1f}x", f"{rel.max():.1%}",
                    f"{np.median(rel):.2%}", f"{int((rel > 0.03).sum())}/{rel.size}",
                    f"{ref_steps:.0f}", f"{ref_s:.0f}",
                ]
            )  # fmt: skip
            print("  ".join(rows[-1]), flush=True)  # as soon as it is done
    return rows


def _snippets(which: list[int]) -> list[str]:
    from wordlight.data import load_dataset

    test = load_dataset("movies").test.texts
    return [str(test[i]) for i in which]


def run_floor(
    which: list[int], layers: tuple[int, ...], draws: int, name: str = "default",
    device: str | None = None, ref: tuple[float, int, str | None] = (0.01, 5000, None),
) -> list[list[str]]:  # fmt: skip
    """The noise floor of any solver that averages noisy gradients. At each word's σ from the
    reference run (``ref``: its tolerance, steps and cache), ``draws`` fresh draws of
    gᵢ = σᵢ·∂/∂σᵢ of the fidelity term (the stationarity condition is E[gᵢ] = c). Its relative
    spread s per draw sets the draws a text needs before its worst word is known to ±2 % (one
    standard error of log σ, s/(2√N), ≤ 1 %): (s/0.02)²."""
    import wordlight
    from wordlight import Information, engine
    from wordlight.methods._regularization import layer_regularization
    from wordlight.methods.information import _seed
    from wordlight.methods.information_core import _Problem, seeded_noise

    model = wordlight.load_model(name, device=device)
    model.model.float()
    texts = _snippets(which)
    rows = []
    for layer in layers:
        method = Information(layer=layer)
        fits = reference_sigmas(model, which, layer, *ref)[0]
        reg = layer_regularization(model, layer, "movies", 256)
        plan = engine.prepare(model, texts, budget=1 << 20)
        rel, need = [], []
        with model.evaluating():
            for group, b in engine.batches(model, plan):
                with torch.no_grad():
                    x = model.embedding_output(b.ids)
                mask = b.attention_mask

                def phi(xs, rows, mask=mask, layer=layer):
                    return model.hidden_state(xs, mask[rows], layer)

                p = _Problem(phi, x, b.content_mask, reg, mask.unsqueeze(-1), method.settings())
                u = torch.zeros(p.perturb.shape)
                for row, j in enumerate(group):
                    sigma = fits[plan.windows[j].text_index]
                    u[row, b.content_mask[row]] = torch.as_tensor(sigma, dtype=u.dtype).log()
                seeds = [_seed(777, b.ids[r][b.content_mask[r]].tolist()) for r in range(len(u))]
                z = seeded_noise(seeds, b.content_mask, x.shape[-1])(list(range(len(u))), draws)
                copies = torch.arange(len(u)).repeat_interleave(draws)
                uu = u[copies].requires_grad_(True)
                loss = p.loss(copies, uu, z.flatten(0, 1).unsqueeze(1))
                (g,) = torch.autograd.grad(loss.sum(), uu)
                g = (g + p.c[copies, None]).view(len(u), draws, -1)
                spread = g.std(1) / g.mean(1).abs().clamp_min(1e-30)
                for row in range(len(u)):
                    words = spread[row][b.content_mask[row]]
                    rel.append(words)
                    need.append(float((words.max() / 0.02) ** 2))
        s = torch.cat(rel)
        rows.append(
            [
                str(layer), str(len(texts)), str(len(s)), f"{s.median():.2f}",
                f"{s.quantile(0.9):.2f}", f"{s.max():.2f}", f"{np.mean(need):.0f}",
            ]
        )  # fmt: skip
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
    parser.add_argument(
        "--ref-cache", default=None,
        help="reference σ cache, e.g. /work/exp/info_ref_l{layer}_{texts}.npz (computed once)",
    )  # fmt: skip
    parser.add_argument("--texts", default=None, help="movie test snippets, e.g. 0,1,7,15")
    parser.add_argument("--floor", type=int, default=0, metavar="DRAWS", help="noise floor only")
    parser.add_argument("--model", default="default", help='"default" or a local HF model dir')
    parser.add_argument("--device", default=None, help="e.g. cuda (default: the CPU)")
    args = parser.parse_args()
    warnings.filterwarnings("ignore", message="information: .* did not converge")
    waited = 0.0 if args.no_wait else wait_until_quiet()
    print("\n".join(machine()))
    if waited > 1:
        print(f"(waited {waited:.0f} s for other python processes to finish)")

    which = [int(i) for i in args.texts.split(",")] if args.texts else list(range(args.n))
    if args.floor:
        print(f"\nNoise floor at the reference σ, {args.floor} draws per text")
        head = ["layer", "texts", "words", "median s", "p90 s", "max s",
                "draws/text for ±2 %"]  # fmt: skip
        layers = tuple(int(x) for x in args.layers.split(","))
        ref = (args.ref_tolerance, args.ref_iterations, args.ref_cache)
        rows = run_floor(which, layers, args.floor, args.model, args.device, ref)
        print(table(head, rows))
        return
    if args.speedup:
        layers = tuple(int(x) for x in args.layers.split(","))
        print(
            f"\nSolvers on {args.model}, {args.device or 'cpu'}, movie test snippets "
            f"{','.join(map(str, which))}, interleaved per {args.batch} texts; "
            f"reference: newton to ±{args.ref_tolerance:.1%} (at most {args.ref_iterations} "
            "steps, seed 12345); err = |σ/σ_ref − 1| per word"
        )
        head = ["layer", "solver", "texts", "s", "speed-up", "draws/text", "fewer", "max err",
                "median err", "words > 3%", "ref steps", "ref s"]  # fmt: skip
        rows = run_speedup(
            args.n, layers, args.batch, args.ref_tolerance, args.ref_iterations,
            args.model, args.device, args.ref_cache, which,
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
