"""How many gradient points each quadrature strategy needs for IG at 1% completeness.

For the first ``--n`` movie test snippets, the default model, the predicted class and the pad
baseline, f(a) = p(x' + a (x - x')) is evaluated on a dense grid of ``--grid`` points (forward
passes only, no wordlight code), and a cubic spline of it stands in for the path: its
derivative is the summed IG integrand df/da, exact to far below 1% at that density. Each
strategy is then run on every text until |delta| <= 1% of |f(1) - f(0)| (or 1e-6), and the
points it asked for are counted. The last line runs wordlight's own ``n_steps="auto"`` on the
same texts, to check the simulation of its rule against the real thing.

``--token-check K`` measures per-token accuracy on the first K movie and the first
``--token-nyt M`` nyt test snippets, against the shared 128-point Gauss-Legendre reference
(``_ig_reference``, plain HF calls, cached in ``--cache-dir``): the largest |score - reference|
of any token over max(|f(x) - f(x')|, max_i |reference_i|) (the colour scale a user sees), per
text; worst and 99th percentile over texts, the points per text and how often the reported
``max_token_error`` is at least the true error, for ``n_steps="auto"`` with the token criterion
(the default), with the sum-only criterion, and for the smallest fixed Gauss-Legendre n of a
grid that meets the per-token criterion on every text (what a Captum or transformers-interpret
loop needs at equal per-token accuracy). ``--candidates`` then tries other rules on the same
integrands without a model pass (``_ig_candidates``): clairvoyant Gauss-Legendre, a perfect
estimate for the adaptive Simpson panels, nested Clenshaw-Curtis, G7/K15 panels.

    .venv/bin/python benchmarks/ig_rules.py --n 200     # ~10 min on a 2-core CPU
    .venv/bin/python benchmarks/ig_rules.py --n 0 --token-check 200 --token-nyt 100 \
        --candidates --cache-dir /work/exp
"""

from __future__ import annotations

import argparse
import itertools
import sys
from collections.abc import Callable
from pathlib import Path

import numpy as np
import torch
from scipy.interpolate import CubicSpline
from tqdm.auto import tqdm

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import machine, quiet_transformers, table

TOLERANCE, ATOL = 0.01, 1e-6
PANEL_RULES = {  # weights on equally spaced points of a panel
    "simpson": np.array([1, 4, 1]) / 6,
    "boole": np.array([7, 32, 12, 32, 7]) / 90,
}
SIMPSON_ON_BOOLE_POINTS = np.array([1, 0, 4, 0, 1]) / 6
Curve = Callable[[np.ndarray], np.ndarray]


def dense_curves(texts, grid: int) -> list[np.ndarray]:
    """f on ``grid`` equally spaced points of [0, 1] for each text (plain HF calls)."""
    from wordlight.models.registry import load_builtin

    model, tok = load_builtin("default")
    model.eval()
    emb = model.get_input_embeddings()
    alphas = torch.linspace(0, 1, grid)
    curves = []
    with torch.inference_mode():
        for text in tqdm(texts, desc="dense grid", unit="text"):
            ids = tok(text, return_tensors="pt")["input_ids"]
            special = tok.get_special_tokens_mask(ids[0].tolist(), already_has_special_tokens=True)
            base = torch.where(torch.tensor(special, dtype=torch.bool), ids[0], tok.pad_token_id)
            x, x0 = emb(ids), emb(base[None])
            target = int(model(inputs_embeds=x).logits.argmax())
            f = []
            for a in alphas.split(256):
                path = x0 + a.view(-1, 1, 1) * (x - x0)
                f.append(torch.softmax(model(inputs_embeds=path).logits, -1)[:, target])
            curves.append(torch.cat(f).numpy().astype(np.float64))
    return curves


def within(estimate: float, gap: float) -> bool:
    return abs(estimate - gap) <= max(TOLERANCE * abs(gap), ATOL)


def panels(g: Curve, big_f: Curve, gap: float, rule: str, exact: bool, n_panels: int) -> int:
    """Points used by locally adaptive panels: split the worst panel until within tolerance.
    exact: worst = largest |integral - (f(hi) - f(lo))|; else |Boole - Simpson| (Boole only)."""
    w = PANEL_RULES[rule]
    k = len(w)

    def make(lo: float, hi: float) -> tuple[float, float, np.ndarray]:
        return lo, hi, g(np.linspace(lo, hi, k))

    edges = np.linspace(0, 1, n_panels + 1)
    parts = [make(a, b) for a, b in itertools.pairwise(edges)]
    used = (k - 1) * n_panels + 1
    while used + k - 1 <= 513:
        if within(sum((b - a) * w @ v for a, b, v in parts), gap):
            break
        if exact:
            errors = [abs((b - a) * w @ v - (big_f(b) - big_f(a))) for a, b, v in parts]
        else:
            errors = [abs((b - a) * (w - SIMPSON_ON_BOOLE_POINTS) @ v) for a, b, v in parts]
        j = int(np.argmax(errors))
        lo, hi, _ = parts[j]
        parts[j : j + 1] = [make(lo, (lo + hi) / 2), make((lo + hi) / 2, hi)]
        used += k - 1
    return used


def gauss_legendre(g: Curve, n: int) -> float:
    x, w = np.polynomial.legendre.leggauss(n)
    return float(w @ g((x + 1) / 2) / 2)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=200, help="texts (the first n of the test split)")
    parser.add_argument("--grid", type=int, default=513, help="dense grid points per text")
    parser.add_argument("--token-check", type=int, default=20, help="movie texts, token check")
    parser.add_argument("--token-nyt", type=int, default=0, help="nyt texts for the token check")
    parser.add_argument("--candidates", action="store_true", help="other rules, simulated")
    parser.add_argument("--cache-dir", default=str(Path(__file__).parent / ".cache"),
                        help="where the 128-point references are kept (computed once)")  # fmt: skip
    args = parser.parse_args()
    torch.set_num_threads(min(torch.get_num_threads(), 2))
    quiet_transformers()
    print("\n".join(machine()))
    if args.n:
        simulate(args.n, args.grid)
    if args.token_check or args.token_nyt:
        token_check(args.token_check, args.token_nyt, args.cache_dir, args.candidates)


def simulate(n: int, grid_points: int) -> None:
    import wordlight
    from wordlight.data import load_dataset

    texts = list(load_dataset("movies").test.texts[:n])
    grid = np.linspace(0, 1, grid_points)
    counts: dict[str, list[int]] = {}
    per_text_gl, gl_curves = [], []
    for f in dense_curves(texts, grid_points):
        spline = CubicSpline(grid, f)
        g, gap = spline.derivative(), float(f[-1] - f[0])
        gl_curves.append((g, gap))
        for name, rule, exact, n_panels in (
            ("adaptive Simpson, exact panel errors (wordlight)", "simpson", True, 2),
            ("adaptive Boole, exact panel errors", "boole", True, 1),
            ("adaptive Boole, |Boole - Simpson| (wordlight before)", "boole", False, 1),
        ):
            counts.setdefault(name, []).append(panels(g, spline, gap, rule, exact, n_panels))
        per_text_gl.append(next(n for n in range(1, 514) if within(gauss_legendre(g, n), gap)))
    counts["Gauss-Legendre, smallest n per text (hindsight)"] = per_text_gl
    one_n = next(
        n for n in range(1, 514) if all(within(gauss_legendre(g, n), gap) for g, gap in gl_curves)
    )
    counts["Gauss-Legendre, one n for every text (hindsight)"] = [one_n] * len(texts)
    real = wordlight.IntegratedGradients(
        n_steps="auto", tolerance=TOLERANCE, auto_criterion="sum"
    ).explain(wordlight.load_model("default"), texts, progress=False)
    counts["wordlight n_steps='auto', sum criterion, run for real"] = [
        int(e.n_steps or 0) for e in real
    ]
    print(f"{len(texts)} movie test snippets, dense grid of {grid_points} points, 1% tolerance\n")
    rows = [
        [name, f"{np.mean(v):.2f}", str(int(np.median(v))), str(max(v))]
        for name, v in counts.items()
    ]
    print(table(["strategy", "mean points", "median", "max"], rows))


FIXED_GRID = (16, 24, 32, 40, 50, 64, 80, 100, 128)  # fixed n tried, smallest first


def token_check(n_movies: int, n_nyt: int, cache_dir: str, candidates: bool) -> None:
    import time

    from _ig_reference import relative_errors, shared_reference

    import wordlight
    from wordlight.data import load_dataset

    model = wordlight.load_model("default")
    texts, reference = [], []
    for name, k in (("movies", n_movies), ("nyt", n_nyt)):
        part = list(load_dataset(name).test.texts[:k])
        texts += part
        reference += shared_reference(model.model, model.tokenizer, name, part, cache_dir)
    targets = [r.target for r in reference]
    scale = np.array([r.scale for r in reference])

    def run(**params):
        start = time.perf_counter()
        out = wordlight.IntegratedGradients(**params).explain(
            model, texts, target=targets, progress=False
        )
        rel = relative_errors([e.scores for e in out], reference)
        return out, rel, time.perf_counter() - start

    rows = []
    for name, params in (
        ("n_steps='auto', token criterion", {"auto_criterion": "token"}),
        ("n_steps='auto', sum criterion", {"auto_criterion": "sum"}),
    ):
        out, rel, seconds = run(n_steps="auto", **params)
        steps = [int(e.n_steps or 0) for e in out]
        covered = (np.array([e.max_token_error or 0.0 for e in out]) / scale >= rel).mean()
        rows.append(_row(name, rel, steps, seconds, covered))
    for n in FIXED_GRID:
        _, rel, seconds = run(n_steps=n)
        if rel.max() <= TOLERANCE or n == FIXED_GRID[-1]:
            rows.append(_row("Gauss-Legendre, smallest n of the grid meeting it", rel,
                             [n] * len(texts), seconds, None))  # fmt: skip
            break
    print(f"\ntoken error / max(|f(x) - f(x')|, max|score|) against 128 points: {n_movies} movie + "
          f"{n_nyt} nyt test snippets, tolerance {TOLERANCE}")  # fmt: skip
    print(table(["run", "mean points", "max", "worst", "p99", "median", "texts > tol",
                 "estimate >= true", "time s"], rows))  # fmt: skip
    if candidates:
        from _ig_candidates import candidate_rows

        print("\nother rules on the same integrands (interpolated between the 128 nodes)")
        print(table(["rule", "mean points", "max", "worst true", "estimate >= true"],
                    candidate_rows(reference)))  # fmt: skip


def _row(name, rel, steps, seconds, covered) -> list[str]:
    from _ig_reference import describe

    worst, p99, median, over = describe(rel, TOLERANCE)
    return [name, f"{np.mean(steps):.1f}", str(max(steps)), worst, p99, median, over,
            "-" if covered is None else f"{covered:.0%}", f"{seconds:.1f}"]  # fmt: skip


if __name__ == "__main__":
    main()
