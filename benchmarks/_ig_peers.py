"""The peers of ig_throughput.py, called the way their users call them, behind one interface.

A peer explains one text at ``n_steps`` and returns a ``PeerRun``: token scores (every position,
specials included), their sum, its own delta, its target and f(x) - f(x') on the path it
integrates. Two peers:
- the per-text Captum loop: ``LayerIntegratedGradients`` on ``model.get_input_embeddings()``,
  forward = softmax probability, pad baseline with the specials kept, target = the predicted
  class, ``internal_batch_size = n_steps`` (one pass per text); the same function as wordlight's
  IG, so its per-token reference is the shared one (``_ig_reference``);
- transformers-interpret 0.10's ``SequenceClassificationExplainer``: it attributes at the whole
  embedding block with its own baseline, so its reference is its own 128-point run.
Every contestant is held to the same criterion (``criterion``): "token" -- every token within 1%
of max(|f(x) - f(x')|, max_i |score_i|) of the reference, and the delta within 1% of the gap;
"sum" -- the delta alone.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import torch
from _common import Result, Stopwatch, probabilities
from _ig_reference import REFERENCE_N, TOLERANCE, encode
from tqdm.auto import tqdm

ADAPTIVE_GRID = (8, 16, 32, 64, 128, 256, 512)  # a peer user's per-text doubling
WARMUP_TEXTS = 3


@dataclass
class PeerRun:
    scores: np.ndarray  # (T,) every position
    delta: float  # the peer's own reported delta
    target: int
    gap: float | None = None  # f(x) - f(x') on the peer's path, filled in by ``gap_of``

    @property
    def total(self) -> float:
        return float(self.scores.sum())


@dataclass
class Peer:
    name: str
    explain: Callable[[str, int], PeerRun]
    gap_of: Callable[[int, PeerRun], float]  # (text index, run) -> f(x) - f(x') on its path
    gap_is_free: bool  # True when the gap costs no extra forward pass (Captum: sum - delta)


def captum_peer(model, tokenizer, p_x, p_x0, pass_tokens: int | None = None) -> Peer:
    """``pass_tokens``: passes of about that many tokens instead of one of n_steps rows (an
    extra, tuned variant)."""
    from captum.attr import LayerIntegratedGradients

    def forward(input_ids, attention_mask):
        logits = model(input_ids=input_ids, attention_mask=attention_mask).logits
        return torch.softmax(logits, dim=-1)

    lig = LayerIntegratedGradients(forward, model.get_input_embeddings())

    def explain(text: str, n_steps: int) -> PeerRun:
        ids, ref = encode(tokenizer, text)
        mask = torch.ones_like(ids)
        per_pass = max(1, (pass_tokens or 0) // ids.shape[1])
        with torch.no_grad():
            target = int(forward(ids, mask).argmax(-1))
        attr, delta = lig.attribute(
            ids, baselines=ref, target=target, additional_forward_args=(mask,), n_steps=n_steps,
            internal_batch_size=n_steps if pass_tokens is None else per_pass,
            return_convergence_delta=True,
        )  # fmt: skip
        return PeerRun(attr.sum(-1)[0].detach().double().numpy(), float(delta), target)

    def gap_of(i: int, run: PeerRun) -> float:
        return float(p_x[i, run.target] - p_x0[i, run.target])

    name = "captum loop" + ("" if pass_tokens is None else f" ({pass_tokens}-token passes)")
    return Peer(name, explain, gap_of, True)


def ti_peer(model, tokenizer) -> Peer:
    """transformers-interpret called the documented way; its path's gap costs a 2-row forward
    (its own delta evaluates F(x') at position_ids = 0, a point that is not on its path)."""
    from transformers_interpret import SequenceClassificationExplainer

    ti = SequenceClassificationExplainer(model, tokenizer)
    ends: dict[int, dict] = {}

    def explain(text: str, n_steps: int) -> PeerRun:
        ti(text, n_steps=n_steps, internal_batch_size=n_steps)
        a = ti.attributions
        run = PeerRun(
            a._attributions.sum(-1)[0].detach().double().numpy(), float(a.delta),
            int(ti.selected_index),
        )  # fmt: skip
        ends[id(run)] = {
            "input_ids": ti.input_ids, "ref_input_ids": ti.ref_input_ids,
            "token_type_ids": ti.token_type_ids, "position_ids": ti.position_ids,
        }  # fmt: skip
        return run

    def gap_of(i: int, run: PeerRun) -> float:
        e = ends.pop(id(run))
        common = {
            "token_type_ids": e["token_type_ids"], "position_ids": e["position_ids"],
            "attention_mask": torch.ones_like(e["input_ids"]),
        }  # fmt: skip
        p = probabilities(
            model,
            [{"input_ids": e["input_ids"], **common}, {"input_ids": e["ref_input_ids"], **common}],
        )
        return float(p[0, run.target] - p[1, run.target])

    return Peer("transformers-interpret", explain, gap_of, False)


def ti_reference(peer: Peer, name: str, texts: Sequence[str], cache_dir: str) -> list[PeerRun]:
    """transformers-interpret's own 128-point runs (its path is not wordlight's), cached as
    ``ti_ref_{name}_{n}.npz`` (scores, target, gap per text) in ``cache_dir``."""
    path = os.path.join(cache_dir, f"ti_ref_{name}_{len(texts)}.npz")
    if os.path.exists(path):
        with np.load(path) as d:
            return [
                PeerRun(d[f"s{i}"], 0.0, int(d[f"t{i}"]), float(d[f"g{i}"]))
                for i in range(len(texts))
            ]
    out = []
    for i, text in enumerate(tqdm(texts, desc=f"transformers-interpret reference {name}")):
        run = peer.explain(text, REFERENCE_N)
        run.gap = peer.gap_of(i, run)
        out.append(run)
    arrays = {}
    for i, r in enumerate(out):
        arrays |= {f"s{i}": r.scores, f"t{i}": np.array(r.target), f"g{i}": np.array(r.gap)}
    np.savez_compressed(path, **arrays)
    return out


def token_error(run: PeerRun, reference: np.ndarray, gap: float) -> float:
    """max_i |score_i - reference_i| / max(|gap|, max_i |reference_i|)."""
    return float(np.abs(run.scores - reference).max() / max(abs(gap), np.abs(reference).max()))


def meets(run: PeerRun, previous: PeerRun | None, criterion: str) -> bool:
    """A peer user's own stopping test when doubling n: the delta within 1% of the gap, and
    ("token") every score within 1% of max(|gap|, max|score|) of the previous n's."""
    assert run.gap is not None
    ok = abs(run.total - run.gap) <= TOLERANCE * abs(run.gap)
    if criterion == "token":
        if previous is None:
            return False
        scale = max(abs(run.gap), float(np.abs(run.scores).max()))
        ok = ok and float(np.abs(run.scores - previous.scores).max()) <= TOLERANCE * scale
    return ok


def run_fixed(peer: Peer, texts: Sequence[str], n_steps: int) -> tuple[Result, list[PeerRun]]:
    """Every text at ``n_steps``, timed; the gaps on the peer's path come after the timing."""
    for text in texts[:WARMUP_TEXTS]:
        peer.explain(text, n_steps)
    with Stopwatch(f"{peer.name} fixed") as sw:
        runs = [peer.explain(t, n_steps) for t in tqdm(texts, desc=f"{peer.name} n={n_steps}")]
    for i, run in enumerate(runs):
        run.gap = peer.gap_of(i, run)
    own = np.array([abs(r.delta) for r in runs]) / np.abs([r.gap for r in runs])
    result = Result(
        f"{peer.name} (fixed n)", str(n_steps), sw.seconds, len(texts), n_steps * len(texts),
        np.array([r.total - r.gap for r in runs]), np.array([r.gap for r in runs]),
        [f"{peer.name} n={n_steps}: its own reported delta / gap: max {own.max():.2e}"],
    )  # fmt: skip
    return result, runs


def run_doubling(
    peer: Peer, texts: Sequence[str], criterion: str
) -> tuple[Result, list[PeerRun], list[int]]:
    """Per text: n = 8, 16, 32 ... until ``meets`` (every try charged; a gap that needs a
    forward pass is charged too)."""
    for text in texts[:WARMUP_TEXTS]:
        peer.explain(text, ADAPTIVE_GRID[0])
    runs, finals, points = [], [], 0
    with Stopwatch(f"{peer.name} doubling") as sw:
        for i, text in enumerate(tqdm(texts, desc=f"{peer.name} doubling")):
            previous, gap = None, None
            for n in ADAPTIVE_GRID:
                run = peer.explain(text, n)
                points += n
                if gap is None:
                    gap = peer.gap_of(i, run)
                run.gap = gap
                if meets(run, previous, criterion):
                    break
                previous = run
            runs.append(run)
            finals.append(n)
    result = Result(
        f"{peer.name} (per-text doubling)", f"{min(finals)}-{max(finals)}", sw.seconds,
        len(texts), points, np.array([r.total - r.gap for r in runs]),
        np.array([r.gap for r in runs]), [],
    )  # fmt: skip
    return result, runs, finals


def search_steps(
    one: Callable[[int, int], float], n_texts: int, name: str, grid: Sequence[int]
) -> tuple[int | None, list[str]]:
    """The smallest n of ``grid`` whose error ``one(i, n)`` is within tolerance on every text
    (not charged). Texts that failed at a smaller n are tried first, so a failing n usually
    costs one text; the n that passes has been checked on all texts."""
    log, order = [], list(range(n_texts))
    for n in grid:
        bad = None
        for i in tqdm(order, desc=f"search {name} n={n}", leave=False):
            rel = one(i, n)
            if rel > TOLERANCE:
                bad = i
                break
        if bad is None:
            log.append(f"{name}: n={n} meets the criterion on all {n_texts} texts")
            return n, log
        log.append(f"{name}: n={n} fails on text {bad} (error {rel:.2e})")
        order.remove(bad)
        order.insert(0, bad)
    return None, log
