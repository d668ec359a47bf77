"""Locally adaptive Simpson quadrature on [0, 1], steered by each panel's errors.

Each window's interval is a list of panels; a panel holds the integrand (per class and token)
at its ends and midpoint, integrated with Simpson's rule, and the model output f at the same
points. The integrand summed over tokens is df/da along the path, so the panel's integral of
that sum should be f(hi) - f(lo), which the forward passes already gave us: the difference is the
panel's exact share of the completeness delta, not an estimate. Refining a window splits one
panel into two halves; its 3 points become the ends and midpoints of the halves, so only 2 new
points are needed. Where the integrand is smooth no points are spent; where it bends (a
saturating softmax does, somewhere along the path) they pile up.

The exact delta bounds only the SUM of the scores: large token errors of opposite sign cancel in
it. So every panel also carries a per-token error estimate: when a panel is split, the halves'
Simpson value S2 is compared with the parent's S1, per token, and each half gets |S2 - S1| / 3.5.
Once the integrand is smooth on the panel, S2's error is about |S2 - S1| / 15 (Richardson), so
this is ~4x too large there; before that (a softmax bending inside the panel) the ratio is not
reliable. Each token's estimate on a panel is also at least half the panel's exact completeness
error: a panel that misses a wiggle of the path (both S1 and S2 blind to it) shows it in that
exact error even when S1 and S2 agree. Measured against a 128-point Gauss-Legendre run with the
default model (issue 14, benchmarks/README.md): |S2 - S1| / 4 without the floor left 2 of 300
test and 2 of 100 validation snippets below their true error (down to 0.69x), on panels near
a = 0.1 where the path wiggles; / 3.5 with the floor covered all 400 (1.06x or more). The
panels of the first grid are paired the same way (an unpaired one gets |Simpson - trapezoid|,
which over-estimates).
Where the estimates of a panel add up to less than its exact completeness error, they are scaled
up to it. A window's token error is the sum over its panels, per token.

Two stopping rules (``CRITERIA``):
- ``"token"`` (default): every token's estimated error <= tolerance * max(|f(x) - f(x')|,
  max_i |score_i|) (the colour scale a user sees; it does not collapse when scores cancel) AND
  |delta| <= tolerance * |f(x) - f(x')|. The panel split is the one with the largest error
  relative to its bound, token or completeness.
- ``"sum"``: only |delta| <= tolerance * |f(x) - f(x')|, splitting the panel with the largest
  exact error (the rule before the token criterion; fewer points, single tokens less exact).
Either way the absolute per-token bound ``atol`` keeps a zero gap from asking the impossible.

``integrate_adaptive`` runs the whole refinement for many windows at once, given a function that
evaluates the integrand and f at chosen points: Integrated Gradients (per token) and Layer
Integrated Gradients (per token and hidden dimension, at any layer) share it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal, NamedTuple, get_args

import torch
from torch import Tensor

Criterion = Literal["token", "sum"]  # the stopping rules of "auto"
CRITERIA: tuple[str, ...] = get_args(Criterion)
_SIMPSON = (1 / 6, 4 / 6, 1 / 6)
_SHARE = 3.5  # each half of a split panel: token error |S2 - S1| / _SHARE (see above)
_SUM_FLOOR = 0.5  # ... and at least this share of the panel's exact completeness error

# evaluate(rows, alphas (len(rows), n)) -> integrand (len(rows), n, K, ...) and f (len(rows), n, K)
Evaluate = Callable[[list[int], Tensor], tuple[Tensor, Tensor]]


def per_token(values: Tensor) -> Tensor:
    """(..., K, T, D...) -> (..., K, T) for a panel's values (3, K, T, ...): summed over hidden
    dimensions, so that the error estimates are those of the token scores."""
    return values.flatten(3).sum(-1) if values.dim() > 3 else values


@dataclass
class Panel:
    lo: float
    hi: float
    values: Tensor  # (3, K, ...): the integrand at lo, (lo + hi) / 2, hi; per class, then
    # per token (and hidden dimension): its sum over those is df/da
    outputs: Tensor  # (3, K): f at the same points
    token_error: Tensor | None = None  # (K, T) estimated |error| of each token's integral here
    # integral, signed errors and estimate, computed once (a panel's points never change)
    _cache: dict[str, Tensor] = field(default_factory=dict, repr=False, compare=False)

    def integral(self) -> Tensor:
        if "integral" not in self._cache:
            w = self.values.new_tensor(_SIMPSON)
            self._cache["integral"] = (self.hi - self.lo) * torch.tensordot(w, self.values, dims=1)
        return self._cache["integral"]

    def token_integral(self) -> Tensor:
        """Simpson's value per class and token, (K, T)."""
        w = self.values.new_tensor(_SIMPSON)
        return (self.hi - self.lo) * torch.tensordot(w, per_token(self.values), dims=1)

    def signed_errors(self) -> Tensor:
        """integral summed over tokens - (f(hi) - f(lo)), per class (K,): exact."""
        if "signed" not in self._cache:
            change = (self.outputs[2] - self.outputs[0]).to(self.values.dtype)
            self._cache["signed"] = self.integral().flatten(1).sum(1) - change
        return self._cache["signed"]

    def error(self) -> float:
        """|integral summed over tokens - (f(hi) - f(lo))|, the worst class."""
        return float(self.signed_errors().abs().max())

    def estimate(self) -> Tensor:
        """Estimated |error| per class and token (K, T), never below the exact completeness
        error of the panel in total (scaled up to it where the estimates add up to less), and
        for every token at least ``_SUM_FLOOR`` times that exact error."""
        if "estimate" in self._cache:
            return self._cache["estimate"]
        if self.token_error is None:  # no parent to compare with: |Simpson - trapezoid|
            v = per_token(self.values)
            trapezoid = (self.hi - self.lo) / 2 * (v[0] + v[2])
            self.token_error = (self.token_integral() - trapezoid).abs()
        est, exact = self.token_error, self.signed_errors().abs()
        total = est.sum(-1)
        scale = torch.where(total > 0, exact / total.clamp(min=1e-300), torch.zeros_like(total))
        spread = torch.where(total > 0, torch.zeros_like(exact), exact / est.shape[-1])
        scaled = est * scale.clamp(min=1.0)[:, None] + spread[:, None]
        self._cache["estimate"] = torch.maximum(scaled, _SUM_FLOOR * exact[:, None])
        return self._cache["estimate"]

    def split_points(self) -> tuple[float, float]:
        h = (self.hi - self.lo) / 4
        return (self.lo + h, self.lo + 3 * h)

    def split(self, fresh: Tensor, fresh_outputs: Tensor) -> tuple[Panel, Panel]:
        """The two halves, given the integrand (2, K, ...) and f (2, K) at ``split_points()``."""
        v, o, mid = self.values, self.outputs, (self.lo + self.hi) / 2
        left = Panel(
            self.lo,
            mid,
            torch.stack((v[0], fresh[0], v[1])),
            torch.stack((o[0], fresh_outputs[0], o[1])),
        )
        right = Panel(
            mid,
            self.hi,
            torch.stack((v[1], fresh[1], v[2])),
            torch.stack((o[1], fresh_outputs[1], o[2])),
        )
        _share_estimate(self.token_integral(), left, right)
        return left, right


def _share_estimate(parent: Tensor, left: Panel, right: Panel) -> None:
    """Each half's token error: |S2 - S1| / _SHARE, S1 = ``parent`` (one Simpson panel over both
    halves), S2 = the halves' Simpson values."""
    half = (left.token_integral() + right.token_integral() - parent).abs() / _SHARE
    left.token_error, right.token_error = half, half.clone()
    left._cache.pop("estimate", None), right._cache.pop("estimate", None)


@dataclass
class PanelSet:
    """The panels of one window, left to right."""

    panels: list[Panel] = field(default_factory=list)
    _worst: int = -1

    @property
    def n_points(self) -> int:
        return 2 * len(self.panels) + 1

    @property
    def gap(self) -> Tensor:
        """f(x) - f(x'): the outputs at a = 1 and a = 0, (K,)."""
        return self.panels[-1].outputs[2] - self.panels[0].outputs[0]

    def integral(self) -> Tensor:
        return torch.stack([p.integral() for p in self.panels]).sum(0)

    def token_error(self) -> Tensor:
        """Estimated |error| of each token's score, (K, T): the sum over the panels."""
        return torch.stack([p.estimate() for p in self.panels]).sum(0)

    def next_points(
        self, token_bound: Tensor | None = None, sum_bound: Tensor | None = None
    ) -> tuple[float, float]:
        """The 2 points that refining needs; remembers which panel they split. Without bounds:
        the panel with the largest exact completeness error. With the bounds (K,) of the token
        criterion: the panel whose token or completeness error is largest against its bound."""
        if token_bound is None or sum_bound is None:
            errors = [p.error() for p in self.panels]
        else:
            errors = [
                max(
                    float((p.estimate().amax(-1) / token_bound).max()),
                    float((p.signed_errors().abs() / sum_bound).max()),
                )
                for p in self.panels
            ]
        self._worst = max(range(len(errors)), key=errors.__getitem__)
        return self.panels[self._worst].split_points()

    def refine(self, fresh: Tensor, fresh_outputs: Tensor) -> None:
        j = self._worst
        self.panels[j : j + 1] = self.panels[j].split(fresh, fresh_outputs)


def initial_points(n_panels: int) -> list[float]:
    """The 2 n + 1 equally spaced points of n equal panels on [0, 1]."""
    return [j / (2 * n_panels) for j in range(2 * n_panels + 1)]


def initial_panels(values: Tensor, outputs: Tensor) -> PanelSet:
    """Equal panels from the integrand (2 n + 1, K, ...) and f (2 n + 1, K) at
    ``initial_points(n)``. Neighbours (0, 1), (2, 3) ... get their token error estimates from
    the Simpson panel over both (points 0, 2, 4 of their 5)."""
    n_panels = (values.shape[0] - 1) // 2
    panels = [
        Panel(
            i / n_panels, (i + 1) / n_panels, values[2 * i : 2 * i + 3], outputs[2 * i : 2 * i + 3]
        )
        for i in range(n_panels)
    ]
    for left, right in zip(panels[0::2], panels[1::2], strict=False):
        v = torch.stack((left.values[0], left.values[2], right.values[2]))
        parent = Panel(left.lo, right.hi, v, torch.stack((left.outputs[0],) * 3))
        _share_estimate(parent.token_integral(), left, right)
    return PanelSet(panels)


class Integrated(NamedTuple):
    values: Tensor  # (n_rows, K, ...) the integrals
    points: Tensor  # (n_rows,) the points each window used
    gap: Tensor  # (n_rows, K) f(x) - f(x')
    token_error: Tensor  # (n_rows, K) the largest estimated |error| of one token's integral


def integrate_adaptive(
    evaluate: Evaluate,
    n_rows: int,
    *,
    tolerance: float,
    atol: float,
    min_points: int,
    max_points: int,
    gap: Tensor | None = None,
    criterion: str = "token",
) -> Integrated:
    """Integrate each of ``n_rows`` windows over [0, 1] until it meets ``criterion`` (module
    docstring) for every class, or until ``max_points``. ``gap``: f(x) - f(x') (n_rows, K), by
    default taken from the end points. Each round evaluates the 2 new points of every window still
    outside tolerance in one call."""
    start = torch.tensor(initial_points(max(1, -(-(min_points - 1) // 2))))
    todo = list(range(n_rows))
    values, outputs = evaluate(todo, start.expand(n_rows, -1))
    sets = [initial_panels(values[i], outputs[i]) for i in todo]
    if gap is None:
        gap = torch.stack([s.gap for s in sets])
    while True:
        still, bounds = [], []
        for w in todo:
            integral = sets[w].integral()
            delta = integral.flatten(1).sum(1) - gap[w]
            sum_bound = (tolerance * gap[w].abs()).clamp(min=atol)
            outside = bool((delta.abs() > sum_bound).any())
            token_bound = None
            if criterion == "token":
                scale = torch.maximum(gap[w].abs(), per_token(integral[None])[0].abs().amax(-1))
                token_bound = (tolerance * scale).clamp(min=atol)
                worst = sets[w].token_error().amax(-1)
                outside = outside or bool((worst > token_bound).any())
            if outside and sets[w].n_points + 2 <= max_points:
                still.append(w)
                bounds.append((token_bound, sum_bound))
        todo = still
        if not todo:
            break
        alphas = torch.tensor([sets[w].next_points(*b) for w, b in zip(todo, bounds, strict=True)])
        fresh, fresh_outputs = evaluate(todo, alphas)
        for i, w in enumerate(todo):
            sets[w].refine(fresh[i], fresh_outputs[i])
    return Integrated(
        torch.stack([s.integral() for s in sets]),
        torch.tensor([s.n_points for s in sets]),
        gap,
        torch.stack([s.token_error().amax(-1) for s in sets]),
    )
