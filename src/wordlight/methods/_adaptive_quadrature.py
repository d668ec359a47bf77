"""Locally adaptive Boole quadrature on [0, 1], one panel split at a time.

Each window's interval is a list of panels; a panel holds the integrand (per class and token)
at its 5 equally spaced points and is integrated with Boole's rule. Refining a window splits
its worst panel, the one whose Boole and Simpson estimates differ most, into two halves: the
5 points it has become the ends and midpoints of the halves, so only 4 new points are needed.
Where the integrand is smooth no points are spent; where it bends (a saturating softmax does,
somewhere along the path) they pile up. Stopping is decided by the caller, on the exact
completeness delta.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import torch
from torch import Tensor

_BOOLE = (7 / 90, 32 / 90, 12 / 90, 32 / 90, 7 / 90)
_BOOLE_MINUS_SIMPSON = (7 / 90 - 1 / 6, 32 / 90, 12 / 90 - 4 / 6, 32 / 90, 7 / 90 - 1 / 6)


@dataclass
class Panel:
    lo: float
    hi: float
    values: Tensor  # (5, K, T): the integrand at lo + j (hi - lo) / 4, j = 0..4

    def integral(self) -> Tensor:
        w = self.values.new_tensor(_BOOLE)
        return (self.hi - self.lo) * torch.einsum("j,jkt->kt", w, self.values)

    def error(self) -> float:
        """|Boole - Simpson| of the panel's total (summed over tokens), worst class."""
        w = self.values.new_tensor(_BOOLE_MINUS_SIMPSON)
        return float(
            (self.hi - self.lo) * torch.einsum("j,jk->k", w, self.values.sum(-1)).abs().max()
        )

    def split_points(self) -> tuple[float, float, float, float]:
        h = (self.hi - self.lo) / 8
        return (self.lo + h, self.lo + 3 * h, self.lo + 5 * h, self.lo + 7 * h)

    def split(self, fresh: Tensor) -> tuple[Panel, Panel]:
        """The two halves, given the integrand at ``split_points()`` (4, K, T)."""
        v, mid = self.values, (self.lo + self.hi) / 2
        left = torch.stack((v[0], fresh[0], v[1], fresh[1], v[2]))
        right = torch.stack((v[2], fresh[2], v[3], fresh[3], v[4]))
        return Panel(self.lo, mid, left), Panel(mid, self.hi, right)


@dataclass
class PanelSet:
    """The panels of one window, left to right."""

    panels: list[Panel] = field(default_factory=list)
    _worst: int = -1

    @property
    def n_points(self) -> int:
        return 4 * len(self.panels) + 1

    def integral(self) -> Tensor:
        return torch.stack([p.integral() for p in self.panels]).sum(0)

    def next_points(self) -> tuple[float, float, float, float]:
        """The 4 points that refining needs; remembers which panel they split."""
        errors = [p.error() for p in self.panels]
        self._worst = max(range(len(errors)), key=errors.__getitem__)
        return self.panels[self._worst].split_points()

    def refine(self, fresh: Tensor) -> None:
        j = self._worst
        self.panels[j : j + 1] = self.panels[j].split(fresh)


def initial_points(n_panels: int) -> list[float]:
    """The 4 n + 1 equally spaced points of n equal panels on [0, 1]."""
    return [j / (4 * n_panels) for j in range(4 * n_panels + 1)]


def initial_panels(values: Tensor) -> PanelSet:
    """Equal panels from the integrand at ``initial_points(n)``: values (4 n + 1, K, T)."""
    n_panels = (values.shape[0] - 1) // 4
    panels = [
        Panel(i / n_panels, (i + 1) / n_panels, values[4 * i : 4 * i + 5]) for i in range(n_panels)
    ]
    return PanelSet(panels)
