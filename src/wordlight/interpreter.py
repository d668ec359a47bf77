"""The published API of Guan et al. (ICML 2019), kept compatible and fixed.

``Interpreter(x, Phi, scale, rate, regularization, words)`` explains one sentence x [S, D] for any
map ``Phi`` to a hidden state; ``calculate_regularization(sampled_x, Phi)`` is the per-element std
of Phi over sample inputs. The authors' README example runs unchanged with only the import line
changed (``from wordlight.interpreter import Interpreter, calculate_regularization``).

What differs from the original (see docs/information.md): the loss and optimiser are shared with
the ``information`` method (``wordlight.methods.information_core``); ``optimize`` stops on
convergence (``iteration`` is an upper bound) and returns the mean of the stationary iterates, not
the parameters after the lowest single-sample loss; several noise samples per step drawn on x's
device, Phi(x) computed once; ``seed=``; a zero std in ``regularization`` gets weight 0 instead of
an infinite loss; ``.to(device)`` moves x too; ``visualize`` works without words.
``published=True`` runs the original algorithm instead (one sample, Adam, best-loss snapshot).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import torch
from torch import Tensor, nn

from wordlight.checks import require
from wordlight.errors import InputError
from wordlight.methods.information_core import FitSettings, Noise, fit_sigmas, seeded_noise

__all__ = ["Interpreter", "calculate_regularization"]


def calculate_regularization(
    sampled_x: Sequence[Tensor],
    Phi: Callable[[Tensor], Tensor],  # the published name
    reduced_axes: Sequence[int] | None = None,
    device: Any = None,
) -> np.ndarray:
    """Per-element standard deviation of ``Phi(x)`` over the sampled inputs (no gradients).

    The inputs may have different lengths; ``reduced_axes`` (e.g. ``[0]``, the length axis of
    a [S, D] output) are averaged out first so the outputs agree in shape."""
    if len(sampled_x) < 2:
        raise InputError(f"need at least 2 sampled inputs for a std, got {len(sampled_x)}")
    outputs = []
    with torch.no_grad():
        for x in sampled_x:
            s = Phi(x.to(device) if device is not None else x)
            for axis in reduced_axes or ():
                if not -s.dim() <= axis < s.dim():
                    raise InputError(
                        f"reduced axis {axis} is out of range for Phi's {s.dim()}-d output"
                    )
                s = s.mean(dim=axis, keepdim=True)
            outputs.append(s.detach().double().cpu())
    shapes = {tuple(s.shape) for s in outputs}
    if len(shapes) > 1:
        raise InputError(
            f"Phi's outputs have {len(shapes)} different shapes (e.g. {sorted(shapes)[:2]}); "
            "pass reduced_axes=[...] to average the axes whose size varies (the length axis)"
        )
    return torch.stack(outputs).std(0, correction=0).numpy()


class Interpreter(nn.Module):
    """Largest per-word Gaussian noise σ that leaves ``Phi(x)`` almost unchanged.

    σ_i = scale·sigmoid(ratio_i); a small σ_i means Phi keeps much of word i's information.
    Keywords beyond the published ones: ``samples`` noise draws per step, ``seed`` (None: drawn
    from torch's global RNG), ``tolerance`` (standard error of log σ to stop at, x2),
    ``normalised`` (entropy weight λ = rate for every sentence and Phi, instead of
    rate·M/(S·D)), ``published`` (run the original algorithm), ``batched_phi`` (Phi maps
    [N, S, D] to [N, ...] in one call: faster than the default loop over the N noisy copies).
    """

    x: Tensor  # buffers, so .to(device) moves them
    regular: Tensor | None
    Phi: Callable[[Tensor], Tensor]

    def __init__(
        self,
        x: Tensor,
        Phi: Callable[[Tensor], Tensor],  # the published name
        scale: float = 0.5,
        rate: float = 0.1,
        regularization: Any = None,
        words: Sequence[str] | None = None,
        *,
        samples: int = 8,
        seed: int | None = None,
        tolerance: float = 0.01,
        normalised: bool = False,
        published: bool = False,
        batched_phi: bool = False,
    ) -> None:
        super().__init__()
        if x.dim() != 2:
            raise InputError(f"x must be [length, dimension], got shape {tuple(x.shape)}")
        if words is not None and len(words) != x.shape[0]:
            raise InputError(f"{len(words)} words for {x.shape[0]} rows of x; give one per row")
        if not scale > 0 or not rate > 0 or samples < 1 or not tolerance > 0:
            raise InputError("scale, rate and tolerance must be > 0 and samples >= 1")
        self.s, self.d = x.shape
        self.ratio = nn.Parameter(torch.randn(self.s, 1), requires_grad=True)  # as published
        self.register_buffer("x", x.detach().clone())
        reg = None if regularization is None else torch.as_tensor(np.asarray(regularization))
        self.register_buffer("regular", None if reg is None else reg.to(x.dtype))
        self.Phi, self.scale, self.rate, self.words = Phi, float(scale), float(rate), words
        self.samples, self.seed, self.tolerance = samples, seed, tolerance
        self.normalised, self.published, self.batched_phi = normalised, published, batched_phi
        self.iterations: int | None = None  # after optimize: steps run, and whether it converged
        self.converged: bool | None = None

    def optimize(
        self, iteration: int = 5000, lr: float | None = None, show_progress: bool = False
    ) -> Interpreter:
        """Fit σ: stop on convergence, at most ``iteration`` steps. ``lr``: the step as a
        fraction of the Newton step (default 0.5); Adam's learning rate (default 0.01) with
        ``published=True``."""
        if iteration < 1:
            raise InputError(f"iteration must be >= 1, got {iteration}")
        step = lr if lr is not None else (0.01 if self.published else 0.5)
        if not (0 < step <= 1 or (self.published and step > 0)):
            raise InputError(f"lr is the fraction of a Newton step, in (0, 1]; got {step}")
        settings = FitSettings(
            rate=self.rate, scale=self.scale, normalised=self.normalised,
            samples=1 if self.published else self.samples, lr=step,
            max_iterations=iteration, tolerance=self.tolerance, published=self.published,
        )  # fmt: skip
        perturb = torch.ones(1, self.s, dtype=torch.bool, device=self.x.device)
        fit = fit_sigmas(
            self._phi, self.x.unsqueeze(0), perturb, settings, self._noise(perturb),
            regularization=None if self.regular is None else self.regular.unsqueeze(0),
            init=self.ratio.detach()[:, 0].unsqueeze(0), progress=show_progress,
        )  # fmt: skip
        ratio = torch.logit((fit.sigma[0] / self.scale).clamp(1e-12, 1 - 1e-7))
        with torch.no_grad():
            self.ratio.copy_(ratio.unsqueeze(1).to(self.ratio))
        self.iterations, self.converged = int(fit.iterations[0]), bool(fit.converged[0])
        self.eval()
        return self

    def get_sigma(self) -> np.ndarray:
        """σ of every word, numpy [S]."""
        return (torch.sigmoid(self.ratio.detach()) * self.scale).cpu().numpy()[:, 0]

    def visualize(self) -> Any:
        """A heat map of σ per word (darker = smaller σ = more information kept); the figure."""
        plt = require("matplotlib.pyplot", "viz")
        sigma = self.get_sigma()
        fig, ax = plt.subplots()
        image = ax.imshow([sigma], cmap="GnBu_r")
        ax.set_xticks(range(self.s))
        ax.set_xticklabels(list(self.words) if self.words else [str(i) for i in range(self.s)])
        ax.set_yticks([0])
        ax.set_yticklabels([""])
        fig.colorbar(image, orientation="horizontal")
        fig.tight_layout()
        plt.show()
        return fig

    # --- the core's view of Phi and the noise --------------------------------------------
    def _phi(self, xs: Tensor, rows: Tensor) -> Tensor:
        """Phi over the noisy copies (N, S, D): one call if Phi takes batches, else a loop."""
        del rows  # one sentence
        if self.batched_phi:
            return self.Phi(xs)
        return torch.stack([self.Phi(v) for v in xs])

    def _noise(self, perturb: Tensor) -> Noise:
        if self.published:  # the original's draws: global RNG, on the CPU, then copied
            return lambda rows, n: torch.randn(self.s, self.d).to(self.x.device)[None, None]
        seed = self.seed
        if seed is None:
            seed = int(torch.randint(0, 2**62, (1,)))
        return seeded_noise([seed], perturb, self.d)
