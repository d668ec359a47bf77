"""The information-based method of Guan et al. (ICML 2019) on hidden layer k of an HF encoder.

x is the embedding block's output (hidden state 0) and Φ the encoder up to and including layer k
(every token's state, attention-masked). Each text token i gets the largest Gaussian noise σ_i
that leaves Φ(x) almost unchanged (special tokens are not perturbed, padding counts nowhere).
The score of token i is

    score_i = log(scale / σ_i) >= 0

the information, in nats per embedding dimension, that layer k keeps about the token above the
σ = scale noise floor: 0 means the layer ignores it, larger means it keeps more. Equivalently
score_i = (H(scale) − H_i)/K with H_i = K/2·log(2πe) + K·log σ_i the paper's information loss, and
σ_i = scale·exp(−score_i). A word's score is the sum over its tokens (information adds up). The
scores do not depend on the target class: every requested target gets the same ones.
"""

from __future__ import annotations

import warnings
import zlib
from dataclasses import dataclass
from typing import ClassVar, Literal, get_args

import numpy as np
import torch
from torch import Tensor

from wordlight.checks import bounded
from wordlight.engine.passes import width_chunks
from wordlight.engine.windows import WindowBatch
from wordlight.errors import InputError, ModelError
from wordlight.methods._information_init import LinearisedSettings, fit_linearised, seeded_probes
from wordlight.methods._regularization import layer_regularization
from wordlight.methods._stationarity import BurnIn
from wordlight.methods.base import Attribution, Explainer
from wordlight.methods.information_core import FitSettings, _Problem, fit_sigmas, seeded_noise
from wordlight.models.protocol import LayeredClassifier, TextClassifier
from wordlight.results import Explanation

Solver = Literal["linearised", "newton"]
SOLVERS: tuple[str, ...] = get_args(Solver)


@dataclass(frozen=True, kw_only=True)
class Information(Explainer):
    """Information layer ``layer`` keeps about each word, log(scale/σ) (see module docstring).

    ``normalised=True`` (default): entropy weight λ = ``rate`` for every text and layer, so
    scores compare across texts, layers and models; ``False``: the published loss, whose weight
    rate·M/(S·K) drifts with the text length S and the size M of Φ's output.
    ``regularization``: a data set name (std of layer k's states over ``regularization_size``
    of its texts), a text file, or ``"self"`` (the original's fallback, normalise by Φ(x)²).
    ``solver="newton"`` (default): the damped stochastic Newton iteration until every σ is known
    to ±``tolerance`` (at most ``max_iterations`` steps); its estimate drops the first half of
    the iterates (``burn_in="half"``) or, opt-in, only the approach (``burn_in="mser"``, the
    MSER truncation of ``_stationarity``: ~1.6x fewer steps on the default model);
    ``"linearised"`` (opt-in, faster but
    up to ~6 % off on real models so far): the closed-form optimum of the linearised layer from
    ``probes`` Hutchinson probes, then ``rounds`` corrected fixed-point rounds of ``samples``
    draws (``_information_init``).
    ``published=True`` runs the original algorithm (Adam with lr, one sample, best-loss snapshot,
    every one of ``max_iterations``): for comparisons only.
    """

    name: ClassVar[str] = "information"
    summary: ClassVar[str] = "information hidden layer k keeps about each word, log(scale/sigma)"
    signed: ClassVar[bool] = False
    meaning: ClassVar[str] = (
        "information the layer keeps about each word, log(scale/σ) in nats per dimension: "
        "0 = ignored, larger = kept more; the same for every class"
    )

    layer: int = -1  # 1..n_layers, or -1 for the last
    rate: float = bounded(0.1, low=0, low_open=True)
    # the largest σ (in the units of the embedding block's output)
    scale: float = bounded(0.5, low=0, low_open=True)
    normalised: bool = True
    samples: int = bounded(8, low=1, integer=True)  # noise draws per step
    # the step as a fraction of the Newton step, in (0, 1] (Adam's lr when published)
    lr: float = bounded(0.5, low=0, low_open=True)
    max_iterations: int = bounded(2000, low=1, integer=True)
    # stop when the standard error of every log σ is below tolerance/2
    tolerance: float = bounded(0.02, low=0, low_open=True)
    seed: int = 0
    regularization: str = "movies"  # a data set name, a text file, or "self"
    regularization_size: int = bounded(256, low=2, integer=True)
    cache_dir: str | None = None  # also keep the regularization here (.safetensors)
    published: bool = False
    # "newton": converged to ±tolerance; "linearised": faster, not yet within 3 % (information.md)
    solver: Solver = "newton"
    burn_in: BurnIn = "half"  # newton: the iterates the estimate drops; "mser": only the approach
    probes: int = bounded(256, low=1, integer=True)  # Hutchinson probes of the linearised start
    rounds: int = bounded(2, low=0, integer=True)  # corrected fixed-point rounds after it

    def __post_init__(self) -> None:
        super().__post_init__()
        if isinstance(self.layer, bool) or not isinstance(self.layer, int) or self.layer == 0:
            raise InputError(f"layer must be 1, 2, ... or -1 for the last, got {self.layer!r}")
        if not self.published and self.lr > 1:
            raise InputError(f"lr is the fraction of a Newton step, in (0, 1]; got {self.lr}")

    def settings(self) -> FitSettings:
        return FitSettings(
            rate=self.rate, scale=self.scale, normalised=self.normalised,
            samples=1 if self.published else self.samples, lr=self.lr,
            max_iterations=self.max_iterations, tolerance=self.tolerance,
            published=self.published, burn_in=self.burn_in,
        )  # fmt: skip

    def linearised(self) -> LinearisedSettings:
        return LinearisedSettings(
            probes=self.probes, rounds=self.rounds, samples=self.samples, chunk=self.samples
        )

    def attribute(self, model: TextClassifier, batch: WindowBatch, targets: Tensor) -> Attribution:
        layered = _layered(model)
        layer = layered.check_layer(self.layer)
        budget = self.row_budget(model)  # tokens per forward/backward pass
        reg = None
        if self.regularization != "self":
            reg = layer_regularization(
                layered, layer, self.regularization, self.regularization_size,
                max_batch_tokens=budget, cache_dir=self.cache_dir,
            )  # fmt: skip
        with torch.no_grad():
            x = layered.embedding_output(batch.ids)
        settings = self.settings()
        sigma = torch.zeros(batch.ids.shape, device=x.device)
        steps = torch.zeros(len(x), dtype=torch.long)
        converged = torch.ones(len(x), dtype=torch.bool)
        chunk_tokens = max(1, budget // settings.samples)  # each row runs `samples` times a step
        widths = batch.attention_mask.sum(1).tolist()
        for rows, width in width_chunks(widths, chunk_tokens):
            mask = batch.attention_mask[rows, :width]
            content = batch.content_mask[rows, :width]
            ids = batch.ids[rows, :width]
            seeds = [_seed(self.seed, ids[r][content[r]].tolist()) for r in range(len(ids))]
            noise = seeded_noise(seeds, content, x.shape[-1])
            init = _initial_rho(seeds, content) if self.published else None

            def phi(xs: Tensor, which: Tensor, mask: Tensor = mask) -> Tensor:
                return layered.hidden_state(xs, mask[which], layer)

            if self.solver == "linearised" and not self.published:
                problem = _Problem(phi, x[rows, :width], content, reg, mask.unsqueeze(-1), settings)
                probes = seeded_probes(seeds, mask, problem.s0.shape[-1])
                fit = fit_linearised(problem, noise, probes, self.scale, self.linearised())
            else:
                fit = fit_sigmas(
                    phi, x[rows, :width], content, settings, noise, regularization=reg,
                    out_mask=mask.unsqueeze(-1), init=init,
                )  # fmt: skip
            sigma[rows, :width] = fit.sigma
            steps[rows], converged[rows] = fit.iterations, fit.converged
        if not self.published and not bool(converged.all()):
            warnings.warn(
                f"information: {int((~converged).sum())} of {len(x)} texts did not converge in "
                f"{self.max_iterations} iterations; raise max_iterations or tolerance",
                stacklevel=4,  # the caller of explain()
            )
        scores = torch.log(self.scale / sigma.clamp_min(1e-30)) * batch.content_mask
        return Attribution(scores.unsqueeze(1).expand(*targets.shape, -1), steps=steps)


def sigmas(explanation: Explanation) -> np.ndarray:
    """σ per token of an ``information`` Explanation: scale·exp(−score)."""
    if explanation.method != Information.name:
        raise InputError(f"sigmas needs an information explanation, not {explanation.method!r}")
    return float(explanation.params["scale"]) * np.exp(-explanation.scores)


def _layered(model: TextClassifier) -> LayeredClassifier:
    if not isinstance(model, LayeredClassifier):
        raise ModelError(
            f"{type(model).__name__} has no encoder layers wordlight can reach; the information "
            "method needs a Hugging Face encoder (BERT, DistilBERT, RoBERTa, ELECTRA ...)"
        )
    return model


def _seed(seed: int, ids: list[int]) -> int:
    """One noise stream per (seed, window content): the same draws alone or in any batch."""
    return zlib.crc32(np.asarray(ids, dtype=np.int64).tobytes(), seed & 0xFFFFFFFF)


def _initial_rho(seeds: list[int], content: Tensor) -> Tensor:
    """The published init ρ ~ N(0, 1) per perturbed position, from each text's own stream."""
    rho = torch.zeros(content.shape, device=content.device)
    for row, seed in enumerate(seeds):
        g = torch.Generator().manual_seed(seed + 1)
        rho[row, content[row]] = torch.randn(int(content[row].sum()), generator=g).to(rho)
    return rho
