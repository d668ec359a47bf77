"""Layer Integrated Gradients at every layer: wordlight's one call vs L + 1 Captum runs per text.

wordlight's ``layer_integrated_gradients`` caches every layer's activations on x and on x'
(one pass each) and integrates layer l through layers l+1..L only. The peer is what a Captum
user writes: ``LayerIntegratedGradients(forward, module).attribute(...)`` once per layer module
(the embeddings block and each encoder layer), each run a full forward per step. Both use the
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


def captum_all_layers(clf, texts, targets, n_steps: int) -> tuple[float, list[np.ndarray]]:
    """L + 1 independent Captum LayerIntegratedGradients runs per text; (seconds, scores)."""
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

    with torch.inference_mode(False):
        for text, target in zip(texts[:WARMUP], targets[:WARMUP], strict=True):
            one(text, int(target))
        with Stopwatch("captum") as sw:
            out = [
                one(t, int(c))
                for t, c in tqdm(list(zip(texts, targets, strict=True)), desc="captum x L+1")
            ]
    return sw.seconds, out


def wordlight_all_layers(clf, texts, targets, n_steps: int, *, per_text: bool):
    from wordlight import LayerIntegratedGradients

    method = LayerIntegratedGradients(n_steps=n_steps, rule="gausslegendre")
    method.explain(clf, list(texts[:WARMUP]), list(targets[:WARMUP]), progress=False)
    label = "wordlight per text" if per_text else "wordlight batched"
    with Stopwatch(label) as sw:
        if per_text:
            results = [
                method.explain(clf, t, [int(c)], progress=False)[0]
                for t, c in tqdm(list(zip(texts, targets, strict=True)), desc=label)
            ]
        else:
            results = method.explain(clf, list(texts), [int(c) for c in targets], progress=True)
    return sw.seconds, [r.scores for r in results], [r.deltas for r in results]


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
        t_batched, ours, deltas = wordlight_all_layers(clf, texts, targets, args.steps,
                                                       per_text=False)  # fmt: skip
        t_single, _, _ = wordlight_all_layers(clf, texts, targets, args.steps, per_text=True)
        t_captum, theirs = captum_all_layers(clf, texts, targets, args.steps)
    _common.MONITOR = None

    diff = max(float(np.abs(a - b).max()) for a, b in zip(ours, theirs, strict=True))
    worst = max(float(np.abs(d).max()) for d in deltas)
    rows = [
        ["wordlight, all layers, batched", f"{t_batched:.1f}", f"{t_batched / t_captum:.2f}"],
        ["wordlight, all layers, one text/call", f"{t_single:.1f}", f"{t_single / t_captum:.2f}"],
        [f"captum LayerIG x {layers + 1} layers", f"{t_captum:.1f}", "1.00"],
    ]
    print(table(["contestant", "time s", "x captum"], rows))
    print(f"\nmax |wordlight - captum| over texts, layers, tokens: {diff:.2e}")
    print(f"max |completeness delta| (wordlight, any layer): {worst:.2e}")
    for phase, seen in monitor.seen.items():
        print(f"busy during {phase}: {'; '.join(sorted(seen))[:300]}")


if __name__ == "__main__":
    main()
