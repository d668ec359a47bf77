"""KernelSHAP (Lundberg & Lee, 2017) over words (or tokens): Shapley values of the features,
with a removed feature's tokens replaced by the mask (or pad) id.

phi minimises sum_z pi(z) (f(z) - f(empty) - z.phi)^2 subject to sum(phi) = f(x) - f(empty)
(efficiency, exact up to float error; reported as the completeness delta). When all 2^F - 2
coalitions fit in ``n_samples`` they are all evaluated with the Shapley kernel weights
pi(z) = (F - 1) / (C(F, |z|) |z| (F - |z|)), which gives the exact Shapley values; otherwise
``n_samples`` coalitions are drawn with their sizes distributed as the kernel, each paired with
its complement, and weighted equally. ``n_samples`` does not count the two evaluations of the
full text and of the all-removed text (as in the ``shap`` package).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import ClassVar

import torch
from torch import Tensor

from wordlight.checks import bounded
from wordlight.engine.windows import WindowBatch
from wordlight.methods._perturb import (
    features,
    forward_budget,
    perturbed_outputs,
    replacement_id,
    warn,
)
from wordlight.methods.base import Attribution
from wordlight.methods.perturbation_base import PerturbationExplainer
from wordlight.models.protocol import TextClassifier


@dataclass(frozen=True, kw_only=True)
class KernelShap(PerturbationExplainer):
    name: ClassVar[str] = "kernel_shap"
    summary: ClassVar[str] = "KernelSHAP: Shapley values of words; sums to f(x) - f(all masked)"

    # coalitions per text window (exact Shapley values when 2^F - 2 fit)
    n_samples: int = bounded(512, low=1, integer=True)
    seed: int = 0

    def attribute(self, model: TextClassifier, batch: WindowBatch, targets: Tensor) -> Attribution:
        feats = features(model, batch, self.level)
        if self.n_samples < feats.most:
            warn(
                f"{self.name}: {self.n_samples} samples for up to {feats.most} features; the "
                f"Shapley values are poorly determined, raise n_samples to at least {feats.most}"
            )
        coalitions = [self.coalitions(n) for n in feats.counts]
        rows, blocks = [], []
        for b, (z, _) in enumerate(coalitions):
            full = torch.ones((1, z.shape[1]), dtype=torch.bool)
            block = torch.cat([full, ~full, z])  # f(x), f(empty), then the coalitions
            padded = torch.ones((len(block), feats.most), dtype=torch.bool)
            padded[:, : z.shape[1]] = block
            blocks.append(padded)
            rows.extend([b] * len(block))
        row_t = torch.tensor(rows, dtype=torch.long)
        out = perturbed_outputs(
            model, batch, feats, row_t, torch.cat(blocks), replacement_id(model, self.replace),
            self.output, forward_budget(self, model), self.name,
        )  # fmt: skip
        values = out.gather(1, targets.cpu()[row_t])  # (R, K)
        scores = torch.zeros((*targets.shape, feats.most), dtype=torch.float64)
        gaps = torch.zeros(targets.shape, dtype=torch.float64)
        start = 0
        for b, (z, weights) in enumerate(coalitions):
            y = values[start : start + len(z) + 2]
            start += len(z) + 2
            gaps[b] = y[0] - y[1]
            scores[b, :, : z.shape[1]] = shapley_fit(z.double(), weights, y[2:] - y[1], gaps[b])
        delta = scores.sum(-1) - gaps
        device = batch.ids.device
        return Attribution(feats.spread(scores).to(device).float(), delta=delta.float().to(device))

    def coalitions(self, n_features: int) -> tuple[Tensor, Tensor]:
        """Coalitions (S, F) (True: present) and their regression weights (S,)."""
        f = n_features
        if f < 63 and 2**f - 2 <= self.n_samples:
            codes = torch.arange(1, 2**f - 1)
            z = (codes[:, None] >> torch.arange(f)) & 1 == 1
            size = z.sum(1).double()
            choose = torch.tensor([math.comb(f, int(s)) for s in size], dtype=torch.float64)
            return z, (f - 1) / (choose * size * (f - size))
        g = torch.Generator().manual_seed(self.seed)
        sizes = torch.arange(1, f, dtype=torch.float64)
        n_pairs = (self.n_samples + 1) // 2
        size = 1 + torch.multinomial(1.0 / (sizes * (f - sizes)), n_pairs, True, generator=g)
        rank = torch.rand((n_pairs, f), generator=g).argsort(1).argsort(1)
        z = rank < size[:, None]  # a uniform subset of each drawn size
        z = torch.cat([z, ~z])[: self.n_samples]
        return z, torch.ones(len(z), dtype=torch.float64)


def shapley_fit(z: Tensor, weights: Tensor, y: Tensor, gap: Tensor) -> Tensor:
    """phi (K, F) minimising sum_s w_s (y_s - z_s . phi)^2 with sum(phi) = gap (K,): the
    Lagrange (KKT) system, solved in the least-squares sense when the samples are too few."""
    f = z.shape[1]
    kkt = torch.zeros((f + 1, f + 1), dtype=torch.float64)
    kkt[:f, :f] = z.T @ (weights[:, None] * z)
    kkt[:f, f] = kkt[f, :f] = 1.0
    rhs = torch.cat([z.T @ (weights[:, None] * y), gap[None, :]])  # (F + 1, K)
    solution = torch.linalg.lstsq(kkt, rhs, driver="gelsd").solution
    return solution[:f].T
