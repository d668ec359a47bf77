"""When the Newton iteration of the information method has converged, and what its estimate is:
batch means of each sentence's iterates after a burn-in (``information_core``).

The iterates u (R, S) are cut into windows of about four autocorrelation times ``tau``. The
windows after the burn-in are kept; the estimate is their mean and its standard error the larger
of the spread of the kept window means (batch means: autocorrelation included, whatever tau really
is) and the AR(1) estimate from the variance within windows. Two burn-in rules:

- ``"half"``: the first half of the windows so far (the approach to the optimum decays
  geometrically, so its share of any later half is negligible). Simple, but half of every run is
  thrown away, however short the approach was.
- ``"mser"``: per sentence, the truncation that minimises the standard error of the remaining
  mean (MSER, White 1997: a trend left in the kept windows inflates their spread, so the rule cuts
  it off), at least ``MIN_BURN`` windows and at most half of them, so a run keeps at least what
  ``"half"`` keeps. On the default model this keeps ~3/4 of a long run instead of 1/2.
"""

from __future__ import annotations

import math
from typing import Literal

import torch
from torch import Tensor

BurnIn = Literal["half", "mser"]


class _Stationarity:
    MIN_WINDOWS = 4  # kept windows before a standard error is trusted
    MIN_BURN = 2  # "mser": windows always discarded (the approach from the start)

    def __init__(
        self, u: Tensor, perturb: Tensor, tolerance: float, tau: float, burn_in: BurnIn = "half"
    ) -> None:
        self.tol, self.tau, self.burn_in = tolerance, tau, burn_in
        self.w = max(10, math.ceil(4 * tau))
        self.mask = perturb.to(u.dtype)
        self.last = u
        self.sum, self.sq = torch.zeros_like(u), torch.zeros_like(u)
        self.means: list[Tensor] = []  # per window (R, S)
        self.se2: list[Tensor] = []  # per window, AR(1) squared standard error of its mean

    def update(self, u: Tensor, t: int) -> Tensor | None:
        """Add iterate ``t``; at the end of a window, which rows have converged."""
        self.sum, self.sq, self.last = self.sum + u, self.sq + u * u, u
        if t % self.w:
            return None
        mean = self.sum / self.w
        self.means.append(mean)
        self.se2.append((self.sq / self.w - mean.square()).clamp_min(0) * self.tau / self.w)
        self.sum, self.sq = torch.zeros_like(u), torch.zeros_like(u)
        n = len(self.means)
        first = n // 2 if self.burn_in == "half" else self.MIN_BURN
        if n - first < self.MIN_WINDOWS:
            return torch.zeros(u.shape[0], dtype=torch.bool, device=u.device)
        error = self._truncated()[1].sqrt() * self.mask
        return error.amax(1) <= self.tol / 2

    def _stats(self, first: int) -> tuple[Tensor, Tensor]:
        """Mean (R, S) of the windows from ``first`` on and its squared standard error."""
        means, se2 = torch.stack(self.means[first:]), torch.stack(self.se2[first:])
        n = means.shape[0]
        within = se2.mean(0) / n
        spread = means.var(0, correction=1) / n if n > 1 else within
        return means.mean(0), torch.maximum(within, spread)

    def _truncated(self) -> tuple[Tensor, Tensor]:
        """Estimate and squared standard error (R, S) after each row's burn-in."""
        n = len(self.means)
        if self.burn_in == "half" or n - self.MIN_BURN < self.MIN_WINDOWS:
            return self._stats(n // 2)
        best_mean, best_err = self._stats(self.MIN_BURN)
        worst = (best_err * self.mask).amax(1)
        for first in range(self.MIN_BURN + 1, min(n // 2, n - self.MIN_WINDOWS) + 1):
            mean, err = self._stats(first)
            this = (err * self.mask).amax(1)
            better = (this < worst)[:, None]
            best_mean = torch.where(better, mean, best_mean)
            best_err = torch.where(better, err, best_err)
            worst = torch.minimum(this, worst)
        return best_mean, best_err

    def estimate(self) -> Tensor:
        """Mean of the kept windows, or the last iterate before the first window ends."""
        if not self.means:
            return self.last
        return self._truncated()[0]

    def keep(self, rows: Tensor) -> None:
        for name in ("mask", "last", "sum", "sq"):
            setattr(self, name, getattr(self, name)[rows])
        self.means = [m[rows] for m in self.means]
        self.se2 = [e[rows] for e in self.se2]
