"""The per-token reference of the IG benchmarks, computed once and shared, and the per-token error.

Integrated Gradients of the default model's softmax probability along the straight path from the
pad baseline (every text token -> [PAD], specials kept) to the text, on the word embeddings: what
wordlight's ``IntegratedGradients`` and Captum's ``LayerIntegratedGradients`` on
``model.get_input_embeddings()`` both compute (tests/integration/test_captum_equivalence.py). Its
reference is the 128-point Gauss-Legendre rule, evaluated here with plain HF calls (no
contestant's code): per text the integrand of every position at the 128 nodes (``g``, (128, T),
[CLS]/[SEP] included, zero there), f at the nodes, the target (predicted class) and
f(x) - f(x') from two forward passes. One file per data set and stretch of 50 texts,
``ig_ref_{set}_{start}_{stop}.npz`` in ``--cache-dir``, so each reference is computed once and
serves every contestant that computes the same function, and ``ig_rules.py``.

Per-token error of a run: max_i |score_i - reference_i| / max(|f(x) - f(x')|, max_i |reference_i|)
(the colour scale a user sees), per text.
"""

from __future__ import annotations

import glob
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import torch
from tqdm.auto import tqdm

REFERENCE_N = 128
CHUNK = 50  # texts per cache file
TOLERANCE = 0.01


@dataclass(frozen=True)
class Reference:
    """One text's reference: ``scores`` of the content tokens (specials dropped)."""

    integrand: np.ndarray  # (128, T) at the Gauss-Legendre nodes, every position
    f: np.ndarray  # (128,) the target's probability at the nodes
    gap: float  # f(x) - f(x')
    target: int

    @property
    def scores(self) -> np.ndarray:
        return gl_weights() @ self.integrand[:, 1:-1]

    @property
    def scale(self) -> float:
        return max(abs(self.gap), float(np.abs(self.scores).max()))


def gl_nodes() -> np.ndarray:
    return (np.polynomial.legendre.leggauss(REFERENCE_N)[0] + 1) / 2


def gl_weights() -> np.ndarray:
    return np.polynomial.legendre.leggauss(REFERENCE_N)[1] / 2


def encode(tokenizer, text: str) -> tuple[torch.Tensor, torch.Tensor]:
    """(ids, pad-baseline ids), each (1, T): the tokenizer's specials kept in the baseline."""
    ids = tokenizer(text, return_tensors="pt")["input_ids"]
    special = tokenizer.get_special_tokens_mask(ids[0].tolist(), already_has_special_tokens=True)
    keep = torch.tensor(special, dtype=torch.bool)
    ref = torch.where(keep, ids[0], torch.full_like(ids[0], tokenizer.pad_token_id))
    return ids, ref.unsqueeze(0)


def path_integrand(model, tokenizer, text: str, alphas: np.ndarray, rows: int = 32) -> Reference:
    """The IG integrand grad p_target(x' + a (x - x')) . (x - x') per position at ``alphas``."""
    emb = model.get_input_embeddings()
    ids, base = encode(tokenizer, text)
    with torch.no_grad():
        x, x0 = emb(ids), emb(base)
        p = torch.softmax(model(inputs_embeds=torch.cat((x, x0))).logits.float(), -1)
    target = int(p[0].argmax())
    g, f = [], []
    for a in torch.as_tensor(alphas, dtype=x.dtype).split(rows):
        path = (x0 + a.view(-1, 1, 1) * (x - x0)).requires_grad_(True)
        prob = torch.softmax(model(inputs_embeds=path).logits.float(), -1)[:, target]
        (grad,) = torch.autograd.grad(prob.sum(), path)
        g.append((grad * (x - x0)).sum(-1).detach().double())
        f.append(prob.detach().double())
    gap = float(p[0, target] - p[1, target])
    return Reference(torch.cat(g).numpy(), torch.cat(f).numpy(), gap, target)


def _cached(cache_dir: str, name: str) -> dict[int, Reference]:
    """Every reference of data set ``name`` found in ``cache_dir``, by text index."""
    out: dict[int, Reference] = {}
    for path in glob.glob(os.path.join(cache_dir, f"ig_ref_{name}_*_*.npz")):
        match = re.search(rf"ig_ref_{name}_(\d+)_(\d+)\.npz$", path)
        if not match:
            continue
        with np.load(path) as d:
            for j in range(int(d["n"])):
                out[int(match.group(1)) + j] = Reference(
                    d[f"g{j}"], d[f"f{j}"], float(d[f"gap{j}"]), int(d[f"target{j}"])
                )
    return out


def shared_reference(model, tokenizer, name: str, texts: Sequence[str], cache_dir: str):
    """The references of the first ``len(texts)`` texts of data set ``name`` (its test split),
    read from ``cache_dir`` where there, else computed (in stretches of 50) and saved."""
    os.makedirs(cache_dir, exist_ok=True)
    have = _cached(cache_dir, name)
    missing = [i for i in range(len(texts)) if i not in have]
    for start in sorted({CHUNK * (i // CHUNK) for i in missing}):
        stop = min(start + CHUNK, len(texts))
        done = {}
        for i in tqdm(range(start, stop), desc=f"reference {name} {start}-{stop}", unit="text"):
            done[i] = path_integrand(model, tokenizer, texts[i], gl_nodes())
        arrays = {"n": np.array(stop - start)}
        for i, r in done.items():
            j = i - start
            arrays |= {f"g{j}": r.integrand, f"f{j}": r.f, f"gap{j}": np.array(r.gap),
                       f"target{j}": np.array(r.target)}  # fmt: skip
        np.savez_compressed(os.path.join(cache_dir, f"ig_ref_{name}_{start}_{stop}.npz"), **arrays)
        have |= done
    return [have[i] for i in range(len(texts))]


def relative_errors(scores: Sequence[np.ndarray], references: Sequence[Reference]) -> np.ndarray:
    """Per text: the largest |score - reference| of one token over the reference's scale."""
    return np.array(
        [np.abs(s - r.scores).max() / r.scale for s, r in zip(scores, references, strict=True)]
    )


def describe(rel: np.ndarray, tolerance: float = TOLERANCE) -> tuple[str, str, str, str]:
    """(worst, p99, median, texts over tolerance) of per-text relative token errors."""
    return (
        f"{rel.max():.2e}",
        f"{np.percentile(rel, 99):.2e}",
        f"{np.median(rel):.2e}",
        f"{int((rel > tolerance).sum())}/{len(rel)}",
    )
