"""The fast solver of the information method: a linearised start, then a few corrected
fixed-point rounds (``solver="linearised"`` of ``Information``, opt-in: see the accuracy note in
docs/information.md).

For the loss of ``information_core`` (L = a·Σₘ wₘ·E[Δₘ²] − c·Σᵢ log σᵢ) and Φ linear in the
noise, E[Σₘ wₘΔₘ²] = Σᵢ σᵢ²·Aᵢ with Aᵢ = Σₘ wₘ‖∂Φₘ/∂xᵢ‖², so the optimum is closed-form:

    σᵢ² = c / (2a·Aᵢ)          (clipped at ``scale``)

1. **Aᵢ by Hutchinson**: for random signs v (Rademacher) over Φ's outputs,
   gᵢ = (∂Φ/∂xᵢ)ᵀ(√w ⊙ v) (one vector-Jacobian product gives every position at once) and
   E‖gᵢ‖² = Aᵢ exactly, with no cross-talk between words. ``probes`` draws, batched.
2. **Non-linear correction**: write the stationarity condition Gᵢ(σ) = c, with
   Gᵢ = σᵢ·∂/∂σᵢ of the quadratic term, as σᵢ² = c / (2a·Aᵢ·Rᵢ(σ)), Rᵢ = Gᵢ / Gᵢˡⁱⁿ the
   factor by which the real layer departs from its linearisation at the current σ. Rᵢ is a ratio
   of two estimates from the *same* noise z: Gᵢ at x + σz and Gᵢˡⁱⁿ from the same loss at
   x + εσz divided by ε² (a finite-difference linearisation). Their word-to-word cross terms
   share z and cancel in the ratio. ``rounds`` fixed-point rounds (σ ← c / (2a·A·R(σ)), the
   exact optimum is a fixed point), ``samples`` draws each, each round with its own R only.

The noise and the probes come from one seeded stream per text, so a text gets the same σ alone or
in any batch. What it costs and how close it comes to the converged optimiser:
``benchmarks/information_speed.py`` and docs/information.md.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
from torch import Tensor

from wordlight.methods.information_core import Noise, SigmaFit, _Problem

EPSILON = 1e-2  # noise scale of the finite-difference linearisation (relative to σ)


@dataclass(frozen=True)
class LinearisedSettings:
    probes: int = 64  # Hutchinson probes for A
    rounds: int = 3  # corrected fixed-point rounds after the linear start
    samples: int = 8  # noise draws per round
    chunk: int = 8  # probes or draws per forward/backward pass


def seeded_probes(seeds: list[int], out_mask: Tensor, dim: int) -> Noise:
    """Output-side Rademacher probes v (R, n, T, dim), zero on padding, from one generator per
    text (its own stream, separate from the input noise), drawn only on its real positions."""
    device = out_mask.device
    gens = [torch.Generator(device=device).manual_seed(int(s) ^ 0x5BD1E995) for s in seeds]
    positions = [torch.nonzero(row).flatten() for row in out_mask.to(torch.bool)]

    def draw(rows: list[int], n: int) -> Tensor:
        v = torch.zeros(len(rows), n, out_mask.shape[1], dim, device=device)
        for i, b in enumerate(rows):
            pos = positions[b]
            signs = torch.randint(0, 2, (len(pos), n, dim), generator=gens[b], device=device)
            v[i][:, pos] = (2.0 * signs - 1.0).transpose(0, 1)  # Rademacher: less variance
        return v

    return draw


def jacobian_norms(p: _Problem, probes: Noise, n: int, chunk: int) -> Tensor:
    """Aᵢ = Σₘ wₘ‖∂Φₘ/∂xᵢ‖² per perturbed position (B, S), from ``n`` Hutchinson probes."""
    rows = torch.arange(len(p.x), device=p.x.device)
    row_list = rows.tolist()
    total = torch.zeros(p.perturb.shape, device=p.x.device)
    done = 0
    while done < n:
        k = min(chunk, n - done)
        x = p.x.unsqueeze(1).expand(-1, k, *p.x.shape[1:]).flatten(0, 1).detach()
        x = x.clone().requires_grad_(True)
        out = p.phi(x, rows.repeat_interleave(k))
        v = probes(row_list, k).view(len(rows), k, *out.shape[1:])
        v = v * p.weight.sqrt().unsqueeze(1)
        (g,) = torch.autograd.grad((out.view_as(v) * v).sum(), x)
        total += g.view(len(rows), k, *g.shape[1:]).square().sum((1, -1))
        done += k
    return total / n * p.perturb


def _g_pair(p: _Problem, u: Tensor, z: Tensor) -> tuple[Tensor, Tensor]:
    """Gᵢ (real layer at σ = e^u) and Gᵢˡⁱⁿ (its linearisation) from the same noise z."""
    rows = torch.arange(len(u), device=u.device)
    out = []
    for shift, factor in ((0.0, 1.0), (math.log(EPSILON), EPSILON**-2)):
        uu = (u + shift).detach().requires_grad_(True)
        (grad,) = torch.autograd.grad(p.loss(rows, uu, z).sum(), uu)
        out.append((grad + p.c[:, None]) * factor)  # ∂(quadratic)/∂u, i.e. σ·∂/∂σ
    return out[0], out[1]


def fit_linearised(
    p: _Problem, noise: Noise, probes: Noise, scale: float, s: LinearisedSettings
) -> SigmaFit:
    """σ (B, S) by the linearised start and ``s.rounds`` corrected rounds (module docstring)."""
    perturb = p.perturb.to(p.x.dtype)
    a_lin = jacobian_norms(p, probes, s.probes, s.chunk)  # a·Aᵢ: p.weight holds a
    log_scale = math.log(scale)
    c = p.c[:, None]
    tiny = torch.finfo(p.x.dtype).tiny

    def solve(ratio: Tensor) -> Tensor:
        u = 0.5 * torch.log(c / (2 * a_lin * ratio).clamp_min(tiny))
        return torch.where(p.perturb, u.clamp(max=log_scale), 0.0)

    u = solve(torch.ones_like(a_lin))
    row_list = list(range(len(p.x)))
    for _ in range(s.rounds):
        g = torch.zeros_like(u)
        g_lin = torch.zeros_like(u)
        done = 0
        while done < s.samples:
            k = min(s.chunk, s.samples - done)
            real, lin = _g_pair(p, u, noise(row_list, k))
            g, g_lin, done = g + real * k, g_lin + lin * k, done + k
        # only this round's ratio: one taken at an earlier σ would pull the fixed point back
        ratio = torch.where(p.perturb, g / g_lin.clamp_min(tiny), 1.0).clamp(0.05, 20.0)
        u = solve(ratio)
    sigma = u.exp() * perturb
    steps = torch.full((len(p.x),), s.rounds * s.samples + s.probes)
    return SigmaFit(sigma, steps, torch.ones(len(p.x), dtype=torch.bool))
