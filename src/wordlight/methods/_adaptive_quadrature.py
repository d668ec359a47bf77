"""Locally adaptive Simpson quadrature on [0, 1], steered by each panel's exact error.

Each window's interval is a list of panels; a panel holds the integrand (per class and token)
at its ends and midpoint, integrated with Simpson's rule, and the model output f at the same
points. The integrand summed over tokens is df/da along the path, so the panel's integral of
that sum should be f(hi) - f(lo), which the forward passes already gave us: the difference is the
panel's exact share of the completeness delta, not an estimate. Refining a window splits the
panel with the largest such error into two halves; its 3 points become the ends and midpoints of
the halves, so only 2 new points are needed. Where the integrand is smooth no points are spent;
where it bends (a saturating softmax does, somewhere along the path) they pile up. Stopping is
decided by the caller, on the total delta.

Measured on 200 movie snippets with the default model (dense-grid simulation, 1% tolerance):
13.1 points per text, against 18.1 for Boole panels with the same exact errors and 20.1 for
Boole panels steered by |Boole - Simpson|.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import torch
from torch import Tensor

_SIMPSON = (1 / 6, 4 / 6, 1 / 6)


@dataclass
class Panel:
    lo: float
    hi: float
    values: Tensor  # (3, K, T): the integrand at lo, (lo + hi) / 2, hi
    outputs: Tensor  # (3, K): f at the same points

    def integral(self) -> Tensor:
        w = self.values.new_tensor(_SIMPSON)
        return (self.hi - self.lo) * torch.einsum("j,jkt->kt", w, self.values)

    def error(self) -> float:
        """|integral summed over tokens - (f(hi) - f(lo))|, the worst class."""
        change = self.outputs[2] - self.outputs[0]
        return float((self.integral().sum(-1) - change.to(self.values.dtype)).abs().max())

    def split_points(self) -> tuple[float, float]:
        h = (self.hi - self.lo) / 4
        return (self.lo + h, self.lo + 3 * h)

    def split(self, fresh: Tensor, fresh_outputs: Tensor) -> tuple[Panel, Panel]:
        """The two halves, given the integrand (2, K, T) and f (2, K) at ``split_points()``."""
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
        return left, right


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

    def next_points(self) -> tuple[float, float]:
        """The 2 points that refining needs; remembers which panel they split."""
        errors = [p.error() for p in self.panels]
        self._worst = max(range(len(errors)), key=errors.__getitem__)
        return self.panels[self._worst].split_points()

    def refine(self, fresh: Tensor, fresh_outputs: Tensor) -> None:
        j = self._worst
        self.panels[j : j + 1] = self.panels[j].split(fresh, fresh_outputs)


def initial_points(n_panels: int) -> list[float]:
    """The 2 n + 1 equally spaced points of n equal panels on [0, 1]."""
    return [j / (2 * n_panels) for j in range(2 * n_panels + 1)]


def initial_panels(values: Tensor, outputs: Tensor) -> PanelSet:
    """Equal panels from the integrand (2 n + 1, K, T) and f (2 n + 1, K) at
    ``initial_points(n)``."""
    n_panels = (values.shape[0] - 1) // 2
    panels = [
        Panel(
            i / n_panels, (i + 1) / n_panels, values[2 * i : 2 * i + 3], outputs[2 * i : 2 * i + 3]
        )
        for i in range(n_panels)
    ]
    return PanelSet(panels)
