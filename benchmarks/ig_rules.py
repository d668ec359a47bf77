"""How many gradient points each quadrature strategy needs for IG at 1% completeness.

For the first ``--n`` movie test snippets, the default model, the predicted class and the pad
baseline, f(a) = p(x' + a (x - x')) is evaluated on a dense grid of ``--grid`` points (forward
passes only, no wordlight code), and a cubic spline of it stands in for the path: its
derivative is the summed IG integrand df/da, exact to far below 1% at that density. Each
strategy is then run on every text until |delta| <= 1% of |f(1) - f(0)| (or 1e-6), and the
points it asked for are counted. The last line runs wordlight's own ``n_steps="auto"`` on the
same texts, to check the simulation of its rule against the real thing.

The stopping test bounds the error of the scores' sum. ``--token-check K`` also measures what it
means per token on the first K texts: the largest |score - reference| of any token, over |f(x) -
f(x')|, for ``n_steps="auto"`` and for a fixed 50-point Gauss-Legendre rule (what the Captum loop
of ig_throughput.py needs), the reference being a 257-point Gauss-Legendre run.

    .venv/bin/python benchmarks/ig_rules.py --n 200     # ~10 min on a 2-core CPU
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
    parser.add_argument("--token-check", type=int, default=20, help="texts for the token check")
    args = parser.parse_args()
    torch.set_num_threads(min(torch.get_num_threads(), 2))
    quiet_transformers()
    import wordlight
    from wordlight.data import load_dataset

    texts = list(load_dataset("movies").test.texts[: args.n])
    grid = np.linspace(0, 1, args.grid)
    counts: dict[str, list[int]] = {}
    per_text_gl, gl_curves = [], []
    for f in dense_curves(texts, args.grid):
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
    real = wordlight.IntegratedGradients(n_steps="auto", tolerance=TOLERANCE).explain(
        wordlight.load_model("default"), texts, progress=False
    )
    counts["wordlight n_steps='auto', run for real"] = [int(e.n_steps or 0) for e in real]
    print("\n".join(machine()))
    print(f"{len(texts)} movie test snippets, dense grid of {args.grid} points, 1% tolerance\n")
    rows = [
        [name, f"{np.mean(v):.2f}", str(int(np.median(v))), str(max(v))]
        for name, v in counts.items()
    ]
    print(table(["strategy", "mean points", "median", "max"], rows))
    if args.token_check:
        token_check(texts[: args.token_check], real[: args.token_check])


def token_check(texts, auto) -> None:
    import wordlight

    model = wordlight.load_model("default")
    targets = [e.target for e in auto]

    def scores(n_steps: int) -> list:
        ig = wordlight.IntegratedGradients(n_steps=n_steps)
        return ig.explain(model, texts, target=targets, progress=False)

    reference, fixed = scores(257), scores(50)
    rows = []
    for name, runs in (("n_steps='auto'", auto), ("Gauss-Legendre, n = 50", fixed)):
        errors = [
            np.abs(e.scores - r.scores).max() / abs(r.scores.sum() - (r.completeness_delta or 0))
            for e, r in zip(runs, reference, strict=True)
        ]
        rows.append([name, f"{np.median(errors):.2e}", f"{np.max(errors):.2e}"])
    print(f"\nlargest token error / |f(x) - f(x')| against 257 points, {len(texts)} texts")
    print(table(["run", "median over texts", "max"], rows))


if __name__ == "__main__":
    main()
