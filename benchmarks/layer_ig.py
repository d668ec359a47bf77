"""Layer Integrated Gradients at every layer: wordlight's one call vs L + 1 Captum runs per text.

wordlight's ``layer_integrated_gradients`` caches every layer's activations on x and on x'
(one pass each) and integrates layer l through layers l+1..L only. The peer is what a Captum
user writes: ``LayerIntegratedGradients(forward, module).attribute(...)`` once per layer module
(the embeddings block and each encoder layer), each run a full forward per step. The two are
timed text by text, interleaved (so load from other processes falls on both alike); wordlight's
batched call over all texts is timed after them. Both use the
built-in "default" model, the first ``--n`` movie snippets of the test split, the predicted
class, softmax probability, the "pad" baseline (text tokens -> [PAD], specials kept), the same
Gauss-Legendre nodes; the script checks the two agree before it prints the ratio.

    .venv/bin/python benchmarks/layer_ig.py             # 40 texts, 32 steps
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


def captum_runner(clf, n_steps: int):
    """One text -> (L + 1, T) scores from L + 1 independent Captum LayerIntegratedGradients runs
    (the embeddings block, then each encoder layer)."""
    from captum.attr import LayerIntegratedGradients

    model, tok = clf.model, clf.tokenizer
    layers = clf.encoder_layers
    modules = [layers.base.embeddings, *layers.layers]

    def forward(input_ids, attention_mask):
        return torch.softmax(model(input_ids=input_ids, attention_mask=attention_mask).logits, -1)

    def one(text: str, target: int) -> np.ndarray:
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
        return np.stack(rows)

    return one


def wordlight_runner(clf, n_steps: int):
    """One text -> (L + 1, T) scores and deltas from one wordlight call."""
    from wordlight import LayerIntegratedGradients

    method = LayerIntegratedGradients(n_steps=n_steps, rule="gausslegendre")

    def one(text: str, target: int) -> tuple[np.ndarray, np.ndarray]:
        (r,) = method.explain(clf, text, [target], progress=False)
        return r.scores, r.deltas

    return method, one


def interleaved(clf, texts, targets, n_steps: int):
    """Per text, wordlight then Captum (order alternating), each timed on its own: load from
    other processes falls on both alike. Returns (t_wordlight, t_captum, ours, theirs, deltas)."""
    _, ours_one = wordlight_runner(clf, n_steps)
    theirs_one = captum_runner(clf, n_steps)
    for text, target in zip(texts[:WARMUP], targets[:WARMUP], strict=True):
        ours_one(text, int(target))
        theirs_one(text, int(target))
    t_ours = t_theirs = 0.0
    ours, theirs, deltas = [], [], []
    pairs = list(zip(texts, targets, strict=True))
    for i, (text, target) in enumerate(tqdm(pairs, desc="interleaved", unit="text")):
        for who in ("wordlight", "captum") if i % 2 == 0 else ("captum", "wordlight"):
            with Stopwatch(who) as sw:
                if who == "wordlight":
                    scores, delta = ours_one(text, int(target))
                else:
                    ref = theirs_one(text, int(target))
            if who == "wordlight":
                t_ours += sw.seconds
                ours.append(scores)
                deltas.append(delta)
            else:
                t_theirs += sw.seconds
                theirs.append(ref)
    return t_ours, t_theirs, ours, theirs, deltas


def batched(clf, texts, targets, n_steps: int) -> float:
    method, _ = wordlight_runner(clf, n_steps)
    with Stopwatch("wordlight batched") as sw:
        method.explain(clf, list(texts), [int(c) for c in targets], progress=False)
    return sw.seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=40, help="texts (first n of the test split)")
    parser.add_argument("--steps", type=int, default=32, help="Gauss-Legendre nodes")
    parser.add_argument("--quick", action="store_true", help="6 texts")
    args = parser.parse_args()
    n = 6 if args.quick else args.n
    warnings.filterwarnings("ignore", category=UserWarning)
    quiet_transformers()

    import wordlight
    from wordlight.data import load_dataset

    texts = load_dataset("movies").test.texts[:n]
    clf = wordlight.load_model("default")
    probs = np.stack([e.probabilities for e in wordlight.explain(clf, texts, "saliency")])
    targets = probs.argmax(1)
    layers = clf.encoder_layers.n_layers
    print("\n".join(machine()))
    print(f"{n} texts, {layers} encoder layers (+ embedding output), {args.steps} steps\n")

    with BusyMonitor() as monitor:
        _common.MONITOR = monitor
        t_ours, t_captum, ours, theirs, deltas = interleaved(clf, texts, targets, args.steps)
        t_batched = batched(clf, texts, targets, args.steps)
    _common.MONITOR = None

    diff = max(float(np.abs(a - b).max()) for a, b in zip(ours, theirs, strict=True))
    worst = max(float(np.abs(d).max()) for d in deltas)
    rows = [
        ["wordlight, all layers, one text/call", f"{t_ours:.1f}", f"{t_ours / t_captum:.2f}"],
        [f"captum LayerIG x {layers + 1} layers", f"{t_captum:.1f}", "1.00"],
        ["wordlight, all layers, texts batched", f"{t_batched:.1f}", f"{t_batched / t_captum:.2f}"],
    ]
    print(table(["contestant", "time s", "x captum"], rows))
    print("(the first two interleaved text by text; the batched run after them, alone)")
    print(f"\nmax |wordlight - captum| over texts, layers, tokens: {diff:.2e}")
    print(f"max |completeness delta| (wordlight, any layer): {worst:.2e}")
    for phase, seen in monitor.seen.items():
        print(f"busy during {phase}: {'; '.join(sorted(seen))[:300]}")


if __name__ == "__main__":
    main()
