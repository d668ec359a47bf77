"""The loss and optimiser of the information method (Guan et al., ICML 2019), in one copy shared
by ``wordlight.methods.information`` and the seed-compatible ``wordlight.interpreter``.

For B sentences x (B, S, K), the positions P_b that get noise and a map Φ to hidden states, find
per word the largest Gaussian noise σ_i that leaves Φ(x) almost unchanged::

    L_b(σ) = a_b · Σ_m w_bm · E_z[(Φ(x_b + σ⊙z)_m − Φ(x_b)_m)²] − c_b · Σ_{i∈P_b} log σ_i

w = mask / r² (r: the regularization, a per-element std of Φ over data; elements with r = 0 get
weight 0), or mask / mean(Φ(x)²) without one. ``normalised=False`` is the published loss:
a_b = 1/M_b (mean over Φ's M_b elements) and c_b = rate/S_b (mean over the S_b words), so the
entropy weight λ = rate·M/(S·K) drifts with sentence length and layer size. ``normalised=True``
takes a_b = 1/K and c_b = rate, i.e. λ = rate for every sentence and layer.

Optimiser (default). For Φ linear in the noise the quadratic term is A_i σ_i², so in u = log σ
its curvature at the optimum is exactly 2·c_b whatever A_i is. Each step is that Newton step,
damped: u ← min(u − lr·∂L/∂u / (2 c_b), log scale), |step| ≤ 1, with ``samples`` noise draws
per step, per-sentence noise streams and Φ(x) computed once. The estimate is the mean of the
iterates after a burn-in (the first half of them, or with ``burn_in="mser"`` the MSER
truncation); a sentence stops when the standard error of that mean (batch means, so
autocorrelation is included) is below tolerance/2 for every word, and leaves the batch
(``_stationarity``).

``published=True`` reproduces the original algorithm: σ = scale·sigmoid(ρ), Adam(lr), one noise
sample per step, Φ(x) recomputed each step, every iteration run, and the parameters kept after
the step that followed the lowest single-sample loss.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import torch
from torch import Tensor

from wordlight import engine
from wordlight.engine.progress import INHERIT
from wordlight.methods._stationarity import BurnIn, _Stationarity

# phi(x (R, S, K), rows (R,)) -> hidden states (R, *O); rows: which sentence each row is
Phi = Callable[[Tensor, Tensor], Tensor]
# noise(rows, n) -> z (R, n, S, K), zero outside the perturbed positions; rows: the R sentences,
# as a host-side list so that drawing needs no device-to-host copy (no sync per step on a GPU)
Noise = Callable[[list[int], int], Tensor]


@dataclass(frozen=True)
class FitSettings:
    rate: float = 0.1
    scale: float = 0.5
    normalised: bool = False
    samples: int = 8
    lr: float = 0.5
    max_iterations: int = 5000
    tolerance: float = 0.01
    published: bool = False
    burn_in: BurnIn = "half"  # which windows the estimate drops (``_stationarity``)


@dataclass(frozen=True)
class SigmaFit:
    sigma: Tensor  # (B, S), 0 outside the perturbed positions
    iterations: Tensor  # (B,) steps each sentence ran
    converged: Tensor  # (B,) bool; always False in published mode (it has no test)


def seeded_noise(seeds: list[int], perturb: Tensor, dim: int) -> Noise:
    """Noise from one generator per sentence, drawn on the device for its perturbed positions
    only, so a sentence gets the same draws alone or in any batch. The positions are found once
    here; each draw then queues device work only."""
    device = perturb.device
    gens = [torch.Generator(device=device).manual_seed(int(s)) for s in seeds]
    positions = [torch.nonzero(row).flatten() for row in perturb.to(torch.bool)]

    def draw(rows: list[int], n: int) -> Tensor:
        z = torch.zeros(len(rows), n, perturb.shape[1], dim, device=device)
        for i, b in enumerate(rows):
            pos = positions[b]
            z[i][:, pos] = torch.randn(
                len(pos), n, dim, generator=gens[b], device=device
            ).transpose(0, 1)
        return z

    return draw


class _Problem:
    """Weights, constants and the per-sentence loss of one batch."""

    def __init__(
        self, phi: Phi, x: Tensor, perturb: Tensor, regularization: Tensor | None,
        out_mask: Tensor | None, s: FitSettings,
    ) -> None:  # fmt: skip
        self.phi, self.x, self.perturb, self.s = phi, x, perturb.to(torch.bool), s
        everyone = torch.arange(x.shape[0], device=x.device)
        with torch.no_grad():
            self.s0 = phi(x, everyone)
        shape = self.s0.shape
        mask = torch.ones(shape, device=x.device) if out_mask is None else out_mask.expand(shape)
        mask = mask.to(self.s0.dtype)
        m_count = mask.flatten(1).sum(1).clamp_min(1)
        if regularization is None:  # the original's fallback: normalise by mean Φ(x)²
            mean_sq = (self.s0.square() * mask).flatten(1).sum(1) / m_count
            weight = mask / mean_sq.clamp_min(1e-30).view(-1, *[1] * (len(shape) - 1))
        else:
            r = torch.as_tensor(regularization, dtype=self.s0.dtype, device=x.device).expand(shape)
            finite = torch.isfinite(r)
            # an element that does not vary over the data (std ~1e-32 happens in a last layer)
            # carries no information: weight 0 like r = 0, instead of 1/r^2 overflowing to inf
            floor = 1e-6 * torch.where(finite, r, 0).max().clamp_min(0)
            ok = finite & (r > floor)
            weight = torch.where(ok, mask / torch.where(ok, r, 1).square(), 0)
        n_words = self.perturb.sum(1).clamp_min(1).to(self.s0.dtype)
        if s.normalised:
            a, self.c = torch.full_like(m_count, 1 / x.shape[-1]), torch.full_like(n_words, s.rate)
        else:
            a, self.c = 1 / m_count, s.rate / n_words
        self.weight = weight * a.view(-1, *[1] * (len(shape) - 1))

    def loss(self, rows: Tensor, log_sigma: Tensor, z: Tensor, recompute: bool = False) -> Tensor:
        """Per-sentence loss (R,) for log σ (R, S) and noise z (R, n, S, K)."""
        n = z.shape[1]
        sigma = log_sigma.exp() * self.perturb[rows]
        x = self.x[rows]
        x_tilde = (x.unsqueeze(1) + sigma[:, None, :, None] * z).flatten(0, 1)
        out = self.phi(x_tilde, rows.repeat_interleave(n))
        s0 = self.phi(x, rows) if recompute else self.s0[rows]
        out = out.view(len(rows), n, *s0.shape[1:])
        quad = ((out - s0.unsqueeze(1)).square() * self.weight[rows].unsqueeze(1)).flatten(1)
        entropy = (log_sigma * self.perturb[rows]).sum(1)
        return quad.sum(1) / n - self.c[rows] * entropy


def fit_sigmas(
    phi: Phi,
    x: Tensor,
    perturb: Tensor,
    settings: FitSettings,
    noise: Noise,
    *,
    regularization: Tensor | None = None,
    out_mask: Tensor | None = None,
    init: Tensor | None = None,
    progress: engine.ProgressOption = INHERIT,
) -> SigmaFit:
    """σ (B, S) for every perturbed position of every sentence (see the module docstring).
    ``init``: the starting ρ, σ = scale·sigmoid(ρ) (default ρ = 0, i.e. σ = scale/2).
    ``progress``: the engine's rule (``wordlight.engine.progress``); by default the loop follows
    the work it runs in (silent on its own, a transient bar or callback heartbeats in explain)."""
    problem = _Problem(phi, x, perturb, regularization, out_mask, settings)
    start = torch.zeros(perturb.shape, device=x.device) if init is None else init.to(x.device)
    run = _fit_published if settings.published else _fit_newton
    return run(problem, start, noise, settings, progress)


def _fit_published(
    p: _Problem, rho0: Tensor, noise: Noise, s: FitSettings, progress: engine.ProgressOption
) -> SigmaFit:
    rho = rho0.clone().float().requires_grad_(True)
    optimizer = torch.optim.Adam([rho], lr=s.lr)
    rows = torch.arange(rho.shape[0], device=rho.device)
    row_list = rows.tolist()
    best_loss = torch.full((len(rows),), math.inf, device=rho.device)
    best = rho.detach().clone()
    log_scale = math.log(s.scale)
    with engine.nested(s.max_iterations, "information", "it", progress) as bar:
        for _ in range(s.max_iterations):
            loss = p.loss(
                rows, log_scale + torch.nn.functional.logsigmoid(rho), noise(row_list, 1), True
            )
            (rho.grad,) = torch.autograd.grad(loss.sum(), rho)  # no .grad left on Φ's parameters
            optimizer.step()
            better = loss.detach() < best_loss  # the original keeps the *post-step* parameters
            best_loss = torch.where(better, loss.detach(), best_loss)
            best[better] = rho.detach()[better]
            bar.update(1)
    sigma = s.scale * torch.sigmoid(best) * p.perturb
    steps = torch.full((len(rows),), s.max_iterations)
    return SigmaFit(sigma, steps, torch.zeros(len(rows), dtype=torch.bool))


def _fit_newton(
    p: _Problem, rho0: Tensor, noise: Noise, s: FitSettings, progress: engine.ProgressOption
) -> SigmaFit:
    n_rows = rho0.shape[0]
    device = rho0.device
    log_scale = math.log(s.scale)
    u = (log_scale + torch.nn.functional.logsigmoid(rho0.float())).clamp(max=log_scale)
    eta = min(s.lr, 1.0)  # near the optimum the iterates are AR(1) with coefficient 1 - eta
    stats = _Stationarity(u, p.perturb, s.tolerance, tau=(2 - eta) / eta, burn_in=s.burn_in)
    out_u = torch.zeros_like(u)
    steps = torch.zeros(n_rows, dtype=torch.long)
    converged = torch.zeros(n_rows, dtype=torch.bool)
    active = torch.arange(n_rows, device=device)
    active_list = list(range(n_rows))  # the same rows on the host, for the noise
    with engine.nested(s.max_iterations, "information", "it", progress) as bar:
        _newton_loop(p, s, noise, u, stats, out_u, steps, converged, active, active_list, bar)
    sigma = out_u.exp() * p.perturb
    return SigmaFit(sigma, steps, converged)


def _newton_loop(
    p: _Problem,
    s: FitSettings,
    noise: Noise,
    u: Tensor,
    stats: _Stationarity,
    out_u: Tensor,
    steps: Tensor,
    converged: Tensor,
    active: Tensor,
    active_list: list[int],
    bar: engine.Progress,
) -> None:
    """Newton steps until every sentence has converged or run out of iterations; fills
    ``out_u``, ``steps`` and ``converged`` in place."""
    log_scale = math.log(s.scale)
    for t in range(1, s.max_iterations + 1):
        uu = u.detach().requires_grad_(True)
        loss = p.loss(active, uu, noise(active_list, s.samples))
        (grad,) = torch.autograd.grad(loss.sum(), uu)
        step = (-s.lr * grad / (2 * p.c[active, None])).clamp(-1.0, 1.0)
        u = (u + step).clamp(max=log_scale).detach()
        done = stats.update(u, t)
        bar.update(1)
        if t == s.max_iterations:  # out of iterations: every sentence keeps its estimate
            finished = torch.ones_like(active, dtype=torch.bool)
        elif done is not None and bool(done.any()):
            finished = done
        else:
            continue
        idx = active[finished]
        out_u[idx] = stats.estimate()[finished]
        steps[idx.cpu()] = t
        if done is not None:
            converged[idx.cpu()] = done[finished].cpu()
        keep = ~finished
        active, u = active[keep], u[keep]
        active_list = [r for r, k in zip(active_list, keep.tolist(), strict=True) if k]
        stats.keep(keep)
        if not len(active):
            break
    bar.finish()
