"""Layer Integrated Gradients at every layer: wordlight's one call vs L + 1 Captum runs per text.

wordlight's ``layer_integrated_gradients`` caches every layer's activations on x and on x'
(one pass each) and integrates layer l through layers l+1..L only. The peer is what a Captum
user writes: ``LayerIntegratedGradients(forward, module).attribute(...)`` once per layer module
(the embeddings block and each encoder layer), each run a full forward per step. The two are
timed interleaved, so load from other processes falls on both alike: first text by text
(one wordlight call per text), then in chunks of ``--chunk`` texts (one wordlight call per chunk,
as the API is meant to be used, against the Captum loop over the same texts). A third run holds
both to the same completeness tolerance instead of the same steps, as ig_throughput.py does:
wordlight ``n_steps="auto"`` (every layer of every text refined until |delta| <= 1% of
f(x) - f(x')) against Captum at the smallest n of a grid that meets that on every layer of
every text (found beforehand; the search is not charged to Captum). All use the
built-in "default" model, the first ``--n`` movie snippets of the test split, the predicted
class, softmax probability, the "pad" baseline (text tokens -> [PAD], specials kept), the same
Gauss-Legendre nodes; the script checks the two agree before it prints the ratio.

    .venv/bin/python benchmarks/layer_ig.py             # 40 texts, 32 steps, then 1% tolerance
    .venv/bin/python benchmarks/layer_ig.py --quick     # 6 texts, a smoke test
"""

from __future__ import annotations

import argparse
import sys
import warnings
from pathlib import Path

import numpy as np
import torch
from tqdm.auto import tqdm

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _common
from _common import BusyMonitor, Stopwatch, machine, quiet_transformers, table

WARMUP = 2


TOLERANCE = 0.01
PEER_GRID = (8, 16, 32, 50, 64, 100, 128, 200, 256)


def captum_runner(clf):
    """(text, target, n) -> (L + 1, T) scores from L + 1 independent Captum
    LayerIntegratedGradients runs (the embeddings block, then each encoder layer), and the gap
    f(x) - f(x')."""
    from captum.attr import LayerIntegratedGradients

    model, tok = clf.model, clf.tokenizer
    layers = clf.encoder_layers
    modules = [layers.base.embeddings, *layers.layers]

    def forward(input_ids, attention_mask):
        return torch.softmax(model(input_ids=input_ids, attention_mask=attention_mask).logits, -1)

    def one(text: str, target: int, n_steps: int) -> tuple[np.ndarray, float]:
        ids = tok(text, return_tensors="pt")["input_ids"]
        special = tok.get_special_tokens_mask(ids[0].tolist(), already_has_special_tokens=True)
        keep = torch.tensor(special, dtype=torch.bool)
        base = torch.where(keep, ids[0], torch.full_like(ids[0], tok.pad_token_id))[None]
        mask = torch.ones_like(ids)
        rows = []
        for module in modules:
            attr = LayerIntegratedGradients(forward, module).attribute(
                ids,
                baselines=base,
                target=target,
                additional_forward_args=(mask,),
                n_steps=n_steps,
                method="gausslegendre",
            )
            rows.append(attr.sum(-1)[0].detach().numpy())
        with torch.no_grad():
            gap = float(forward(ids, mask)[0, target] - forward(base, mask)[0, target])
        return np.stack(rows), gap

    return one


def within(scores: np.ndarray, gap: float) -> bool:
    """Every layer's |sum - gap| <= max(TOLERANCE |gap|, 1e-6)."""
    return bool((np.abs(scores.sum(1) - gap) <= max(TOLERANCE * abs(gap), 1e-6)).all())


def search_captum_steps(theirs_one, texts, targets) -> tuple[int, list[str]]:
    """The smallest n of PEER_GRID that meets the tolerance on every layer of every text."""
    notes = []
    for n in PEER_GRID:
        failing = next(
            (
                i
                for i, (t, c) in enumerate(zip(texts, targets, strict=True))
                if not within(*theirs_one(t, int(c), n))
            ),
            None,
        )
        if failing is None:
            notes.append(f"captum: n={n} meets the tolerance on every layer of every text")
            return n, notes
        notes.append(f"captum: n={n} fails on text {failing}")
    raise SystemExit("no n of the grid meets the tolerance")


def interleaved(clf, method, theirs_one, n_captum: int, texts, targets, chunk: int = 1):
    """Per chunk of texts, wordlight (one call for the chunk) then Captum (one text at a time,
    ``n_captum`` steps), the order alternating, each timed on its own: load from other processes
    falls on both alike. Returns (t_wordlight, t_captum, ours, theirs)."""
    for text, target in zip(texts[:WARMUP], targets[:WARMUP], strict=True):
        method.explain(clf, text, [int(target)], progress=False)
        theirs_one(text, int(target), n_captum)
    t_ours = t_theirs = 0.0
    ours, theirs = [], []
    starts = range(0, len(texts), chunk)
    for i, start in enumerate(tqdm(starts, desc=f"interleaved, {chunk} text(s) a call")):
        part = list(texts[start : start + chunk])
        part_targets = [int(t) for t in targets[start : start + chunk]]
        for who in ("wordlight", "captum") if i % 2 == 0 else ("captum", "wordlight"):
            with Stopwatch(who) as sw:
                if who == "wordlight":
                    results = method.explain(clf, part, part_targets, progress=False)
                else:
                    refs = [
                        theirs_one(t, c, n_captum) for t, c in zip(part, part_targets, strict=True)
                    ]
            if who == "wordlight":
                t_ours += sw.seconds
                ours.extend(results)
            else:
                t_theirs += sw.seconds
                theirs.extend(refs)
    return t_ours, t_theirs, ours, theirs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=40, help="texts (first n of the test split)")
    parser.add_argument("--steps", type=int, default=32, help="Gauss-Legendre nodes")
    parser.add_argument("--chunk", type=int, default=8, help="texts per wordlight call, 2nd run")
    parser.add_argument("--quick", action="store_true", help="6 texts")
    args = parser.parse_args()
    n = 6 if args.quick else args.n
    warnings.filterwarnings("ignore", category=UserWarning)
    quiet_transformers()

    import wordlight
    from wordlight import LayerIntegratedGradients
    from wordlight.data import load_dataset

    texts = load_dataset("movies").test.texts[:n]
    clf = wordlight.load_model("default")
    probs = np.stack([e.probabilities for e in wordlight.explain(clf, texts, "saliency")])
    targets = probs.argmax(1)
    layers = clf.encoder_layers.n_layers
    print("\n".join(machine()))
    print(f"{n} texts, {layers} encoder layers (+ embedding output)\n")
    theirs_one = captum_runner(clf)
    fixed = LayerIntegratedGradients(n_steps=args.steps, rule="gausslegendre")
    auto = LayerIntegratedGradients(n_steps="auto", tolerance=TOLERANCE)

    with BusyMonitor() as monitor:
        _common.MONITOR = monitor
        same_n = interleaved(clf, fixed, theirs_one, args.steps, texts, targets)
        same_n_chunked = interleaved(clf, fixed, theirs_one, args.steps, texts, targets, args.chunk)
        n_captum, notes = search_captum_steps(theirs_one, texts, targets)
        same_tol = interleaved(clf, auto, theirs_one, n_captum, texts, targets, args.chunk)
    _common.MONITOR = None

    t_ours, t_captum, ours, theirs = same_n
    diff = max(float(np.abs(a.scores - b[0]).max()) for a, b in zip(ours, theirs, strict=True))
    same = max(
        float(np.abs(a.scores - b.scores).max())
        for a, b in zip(ours, same_n_chunked[2], strict=True)
    )
    auto_ok = sum(within(e.scores, e.gap) for e in same_tol[2])
    captum_ok = sum(within(*r) for r in same_tol[3])
    points = np.array([e.steps for e in same_tol[2]])  # (texts, layers)
    rows = [
        [f"same steps ({args.steps}), one text a wordlight call", f"{t_ours:.1f}",
         f"{t_captum:.1f}", f"{t_ours / t_captum:.2f}"],
        [f"same steps ({args.steps}), {args.chunk} texts a call", f"{same_n_chunked[0]:.1f}",
         f"{same_n_chunked[1]:.1f}", f"{same_n_chunked[0] / same_n_chunked[1]:.2f}"],
        [f"same tolerance (1%): auto vs n={n_captum}, {args.chunk} texts a call",
         f"{same_tol[0]:.1f}", f"{same_tol[1]:.1f}", f"{same_tol[0] / same_tol[1]:.2f}"],
    ]  # fmt: skip
    headers = ["run (each interleaved with its own Captum run)", "wordlight s",
               f"captum LayerIG x {layers + 1} s", "ratio"]  # fmt: skip
    print(table(headers, rows))
    print(f"\nsame steps: max |wordlight - captum| over texts, layers, tokens: {diff:.2e}")
    print(f"same steps: max |one text a call - {args.chunk} texts a call|: {same:.2e}")
    print(
        f"same tolerance: texts with every layer within 1%: wordlight {auto_ok}/{n}, "
        f"captum {captum_ok}/{n}; wordlight points per layer: mean {points.mean():.1f}, "
        f"max {points.max()}; per layer (emb, L1..): "
        + ", ".join(f"{m:.1f}" for m in points.mean(0))
    )
    for note in notes:
        print(note)
    for phase, seen in monitor.seen.items():
        print(f"busy during {phase}: {'; '.join(sorted(seen))[:300]}")


if __name__ == "__main__":
    main()
