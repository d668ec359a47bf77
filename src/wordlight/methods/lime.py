"""LIME (Ribeiro et al., 2016) for text: a local weighted linear surrogate over word (or token)
presence.

Sampling and weighting follow the ``lime`` package's LimeTextExplainer: the first sample is the
text itself; each other one removes d features chosen uniformly, with d uniform in 1..F; a
sample keeping k of F features is at cosine distance 100 * (1 - sqrt(k / F)) and weighs
sqrt(exp(-distance^2 / kernel_width^2)); the surrogate is a weighted ridge regression with an
unpenalised intercept. Removal is at the token-id level (see ``_perturb``). All K targets are
fitted on the same samples, one solve with K right-hand sides. A window's samples depend only
on ``seed`` and its number of features, not on what else is in the batch.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import torch
from torch import Tensor

from wordlight.checks import bounded
from wordlight.engine.windows import WindowBatch
from wordlight.methods._perturb import (
    Features,
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
class Lime(PerturbationExplainer):
    name: ClassVar[str] = "lime"
    summary: ClassVar[str] = "weighted linear surrogate over word presence on masked samples"

    # model evaluations per text window, the text itself included
    n_samples: int = bounded(1000, low=2, integer=True)
    # of the exponential kernel on cosine distance x 100
    kernel_width: float = bounded(25.0, low=0, low_open=True)
    # L2 penalty of the surrogate (the lime package's Ridge(alpha=1))
    ridge: float = bounded(1.0, low=0)
    seed: int = 0

    def attribute(self, model: TextClassifier, batch: WindowBatch, targets: Tensor) -> Attribution:
        feats = features(model, batch, self.level)
        if self.n_samples < feats.most + 1:
            warn(
                f"lime: {self.n_samples} samples for up to {feats.most} features; the surrogate "
                f"is underdetermined, raise n_samples to at least {feats.most + 1}"
            )
        samples = [self.samples(n) for n in feats.counts]
        rows = torch.cat([torch.full((len(z),), b) for b, z in enumerate(samples)])
        present = torch.ones((len(rows), feats.most), dtype=torch.bool)
        start = 0
        for z in samples:
            present[start : start + len(z), : z.shape[1]] = z
            start += len(z)
        out = perturbed_outputs(
            model, batch, feats, rows, present, replacement_id(model, self.replace),
            self.output, forward_budget(self, model), self.name,
        )  # fmt: skip
        values = out.gather(1, targets.cpu()[rows])  # (R, K)
        scores = self._fit_all(feats, samples, values)
        return Attribution(feats.spread(scores).to(batch.ids.device).float())

    def samples(self, n_features: int) -> Tensor:
        """Presence (n_samples, F) of the features; row 0 is the text itself."""
        g = torch.Generator().manual_seed(self.seed)
        n = self.n_samples - 1
        n_removed = torch.randint(1, n_features + 1, (n, 1), generator=g)
        order = torch.rand((n, n_features), generator=g).argsort(1)
        rank = torch.empty_like(order).scatter_(1, order, torch.arange(n_features).expand(n, -1))
        drawn = rank >= n_removed  # a random n_removed of the features are removed
        return torch.cat([torch.ones((1, n_features), dtype=torch.bool), drawn])

    def kernel(self, z: Tensor) -> Tensor:
        kept = z.double().sum(1)
        distance = 100.0 * (1.0 - torch.sqrt(kept / z.shape[1]))
        return torch.sqrt(torch.exp(-(distance**2) / self.kernel_width**2))

    def _fit_all(self, feats: Features, samples: list[Tensor], values: Tensor) -> Tensor:
        scores = torch.zeros((len(samples), values.shape[1], feats.most), dtype=torch.float64)
        start, flat = 0, []
        for b, z in enumerate(samples):
            y = values[start : start + len(z)]
            start += len(z)
            scores[b, :, : z.shape[1]] = fit_surrogate(z.double(), self.kernel(z), y, self.ridge)
            flat.append(bool(((y.max(0).values - y.min(0).values) == 0).any()))
        if any(flat):
            warn(
                f"lime: every perturbed output is the same for {sum(flat)} text window(s); their "
                "scores are 0 (the model ignores these words, or n_samples is too small)"
            )
        return scores


def fit_surrogate(x: Tensor, weights: Tensor, y: Tensor, ridge: float) -> Tensor:
    """Weighted ridge coefficients (K, F) of y (S, K) on x (S, F), intercept not penalised:
    minimise sum_s weights_s (y_s - b - x_s . coef)^2 + ridge |coef|^2 (scikit-learn's Ridge
    with sample_weight; the weights are not normalised, as there)."""
    mean = weights / weights.sum()
    xc = x - mean @ x
    yc = y - mean @ y
    gram = xc.T @ (weights[:, None] * xc) + ridge * torch.eye(x.shape[1], dtype=x.dtype)
    rhs = xc.T @ (weights[:, None] * yc)
    flat = (y.max(0).values - y.min(0).values) == 0
    if ridge > 0:
        coef = torch.linalg.solve(gram, rhs)
    else:  # possibly singular (few samples, collinear features): the minimum-norm solution
        coef = torch.linalg.pinv(gram, hermitian=True) @ rhs
    coef[:, flat] = 0.0
    return coef.T
