"""Where per-token accuracy costs points: candidate rules for n_steps="auto" on the real integrands.

The shared reference (``_ig_reference``) holds every position's IG integrand at the 128
Gauss-Legendre nodes of each text; its degree-127 interpolant (barycentric, stable at those
nodes) stands in for the path between them, so any rule can be tried without a model pass. Each
candidate runs on every text until every token is within 1% of max(|f(x) - f(x')|, max_i |ref_i|)
and the delta within 1% of the gap -- by its own error estimate, or, for the clairvoyant rows,
by the true error -- and its points are counted. The true error is against the 128-point rule.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence

import numpy as np
from _ig_reference import REFERENCE_N, TOLERANCE, Reference

_X, _W = np.polynomial.legendre.leggauss(REFERENCE_N)
_BARY = (-1.0) ** np.arange(REFERENCE_N) * np.sqrt((1 - _X**2) * _W)
_K15 = (0.0, 0.20778495500789848, 0.4058451513773972, 0.5860872354676911, 0.7415311855993945,
        0.8648644233597691, 0.9491079123427585, 0.9914553711208126)  # fmt: skip
_WK15 = (0.20948214108472782, 0.20443294007529889, 0.19035057806478542, 0.1690047266392679,
         0.14065325971552592, 0.10479001032225019, 0.06309209262997856,
         0.022935322010529224)  # fmt: skip
_WG7 = (0.4179591836734694, 0.3818300505051189, 0.27970539148927664, 0.1294849661688697)


class Path:
    """One text: the content tokens' integrand anywhere on [0, 1], its true integrals, and a
    count of the distinct points asked for."""

    def __init__(self, ref: Reference) -> None:
        self.ref, self.values = ref, ref.integrand[:, 1:-1]
        self.exact, self.scale, self.asked = ref.scores, ref.scale, set()

    def __call__(self, alphas) -> np.ndarray:
        """The integrand at ``alphas`` (counted as points asked for), (len(alphas), T)."""
        a = np.atleast_1d(np.asarray(alphas, dtype=np.float64))
        self.asked.update(np.round(a, 12).tolist())
        return self._interpolate(a)

    def _interpolate(self, a: np.ndarray) -> np.ndarray:
        d = (2 * a - 1)[:, None] - _X[None, :]
        hit = np.abs(d) < 1e-15
        k = _BARY / np.where(hit, 1.0, d)
        out = (k @ self.values) / k.sum(1, keepdims=True)
        rows, cols = np.nonzero(hit)
        out[rows] = self.values[cols]
        return out

    def integral(self, lo: float, hi: float, n: int = 48) -> np.ndarray:
        """The true integral over [lo, hi] (not counted)."""
        x, w = np.polynomial.legendre.leggauss(n)
        return (hi - lo) / 2 * w @ self._interpolate(lo + (hi - lo) * (x + 1) / 2)

    def meets(self, scores: np.ndarray, token_error: np.ndarray | float | None = None) -> bool:
        """``token_error`` None: by the true error; else by that estimate (per token)."""
        err = np.abs(scores - self.exact) if token_error is None else np.asarray(token_error)
        ok_sum = abs(scores.sum() - self.ref.gap) <= TOLERANCE * abs(self.ref.gap)
        scale = max(abs(self.ref.gap), float(np.abs(scores).max()))
        return bool(ok_sum and np.max(err) <= TOLERANCE * scale)


def gauss(path: Path, n: int, lo: float = 0.0, hi: float = 1.0) -> np.ndarray:
    x, w = np.polynomial.legendre.leggauss(n)
    return (hi - lo) / 2 * w @ path(lo + (hi - lo) * (x + 1) / 2)


def gl_per_text(path: Path) -> int:
    """Clairvoyant: the smallest Gauss-Legendre n that meets the criterion on this text."""
    return next((n for n in range(2, 129) if path.meets(gauss(path, n))), 128)


def composite_per_text(path: Path, edges=(0.0, 0.3, 0.6, 1.0)) -> int:
    """Clairvoyant: Gauss-Legendre on fixed panels, the panel with the largest true token
    error given one more point until the text meets the criterion."""
    ns = [1] * (len(edges) - 1)
    panels = list(itertools.pairwise(edges))
    exact = [path.integral(a, b) for a, b in panels]
    errs = [gauss(path, 1, a, b) - e for (a, b), e in zip(panels, exact, strict=True)]
    while not path.meets(path.exact + sum(errs)) and sum(ns) < 128:
        j = int(np.argmax([np.abs(e).max() for e in errs]))
        ns[j] += 1
        errs[j] = gauss(path, ns[j], edges[j], edges[j + 1]) - exact[j]
    return sum(ns)


def simpson_true(path: Path) -> int:
    """Clairvoyant: wordlight's adaptive Simpson panels, split and stopped by the TRUE token
    errors (what a perfect per-token estimate would spend)."""

    def err(lo, hi):
        return (hi - lo) / 6 * (path(lo) + 4 * path((lo + hi) / 2) + path(hi))[0] - path.integral(
            lo, hi, 24
        )

    panels = {(0.0, 0.5): err(0.0, 0.5), (0.5, 1.0): err(0.5, 1.0)}
    while not path.meets(path.exact + sum(panels.values())) and len(path.asked) < 257:
        lo, hi = max(panels, key=lambda p: np.abs(panels[p]).max())
        del panels[(lo, hi)]
        mid = (lo + hi) / 2
        panels[(lo, mid)], panels[(mid, hi)] = err(lo, mid), err(mid, hi)
    return len(path.asked)


def nested_cc(path: Path) -> tuple[int, float, float]:
    """Clenshaw-Curtis 5 -> 9 -> 17 -> 33 -> 65 -> 129 on [0, 1] (nested, every point kept),
    estimate |Q_k - Q_(k-1)| per token: (points, estimate / scale, true error / scale)."""
    from wordlight.methods._quadrature import nodes

    previous = None
    for n in (5, 9, 17, 33, 65, 129):
        a, w = nodes("clenshaw_curtis", n)
        q = np.asarray(w) @ path(a)
        if previous is not None and path.meets(q, np.abs(q - previous)):
            break
        previous = q
    return n, _rel(path, np.abs(q - previous)), _rel(path, q - path.exact)


def _rel(path: Path, errors: np.ndarray) -> float:
    return float(np.abs(errors).max()) / path.scale


def gk15_panels(path: Path) -> tuple[int, float, float]:
    """QUADPACK-style G7/K15 panels: K15 accepted, |G7 - K15| per token the estimate, the panel
    with the largest estimate halved (15 new points a half): (points, estimate / scale, true
    error / scale)."""
    x = np.array([*(-np.array(_K15[:0:-1])), *_K15])
    wk = np.array([*_WK15[:0:-1], *_WK15]) / 2
    wg = np.zeros(15)
    wg[1::2] = np.array([*_WG7[:0:-1], *_WG7]) / 2

    def panel(lo, hi):
        v = path(lo + (hi - lo) * (x + 1) / 2)
        k, g = (hi - lo) * wk @ v, (hi - lo) * wg @ v
        return k, np.abs(k - g)

    panels = {(0.0, 1.0): panel(0.0, 1.0)}
    while len(path.asked) < 600:
        q, est = sum(k for k, _ in panels.values()), sum(e for _, e in panels.values())
        if path.meets(q, est):
            break
        lo, hi = max(panels, key=lambda p: panels[p][1].max())
        del panels[(lo, hi)]
        mid = (lo + hi) / 2
        panels[(lo, mid)], panels[(mid, hi)] = panel(lo, mid), panel(mid, hi)
    return len(path.asked), _rel(path, est), _rel(path, q - path.exact)


CANDIDATES: dict[str, Callable[[Path], int | tuple[int, float, float]]] = {
    "Gauss-Legendre, smallest n per text (clairvoyant)": gl_per_text,
    "Gauss-Legendre on [0, .3, .6, 1], per-panel n (clairvoyant)": composite_per_text,
    "adaptive Simpson, steered by the true error (a perfect estimate)": simpson_true,
    "nested Clenshaw-Curtis 5-9-17-33-65, |Q_k - Q_k-1|": nested_cc,
    "G7/K15 adaptive panels, |G7 - K15|": gk15_panels,
}


def candidate_rows(references: Sequence[Reference]) -> list[list[str]]:
    """(rule, mean points, max, worst true error, estimate >= true) per candidate; the
    clairvoyant rows meet the criterion by the true error, so their worst is <= 1%."""
    rows = []
    for name, rule in CANDIDATES.items():
        out = [rule(Path(ref)) for ref in references]
        points = [o[0] if isinstance(o, tuple) else o for o in out]
        checked = [o[1:] for o in out if isinstance(o, tuple)]
        worst = f"{max(t for _, t in checked):.2e}" if checked else "<= 1e-02"
        cover = f"{sum(e >= t for e, t in checked)}/{len(checked)}" if checked else "-"
        rows.append([name, f"{np.mean(points):.1f}", str(max(points)), worst, cover])
    return rows
