"""The batch engine on a GPU: correctness checks and throughput beside a Captum loop.

Run on a machine with CUDA (CI has none; this is a script, not a test):

    python benchmarks/gpu_engine.py                       # the default model, movies test split
    python benchmarks/gpu_engine.py --model DIR --texts texts.json   # offline copies of both

Checks, each printed with its figure:
1. batched == one text at a time on the GPU (IG, fixed steps), max |difference| of the scores;
2. GPU scores == CPU scores for the same texts (float32 noise only);
3. IG n_steps="auto" throughput for several row budgets (tokens per forward/backward pass) with
   the peak GPU memory of each, beside a per-text Captum LayerIntegratedGradients loop (n=50,
   all steps in one pass) held to the same completeness check;
4. a long text (sliding windows) and the information method (many texts in one batch).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import warnings
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import quiet_transformers, table

TOLERANCE = 0.01
REPEATS = 3  # timings: the median of three runs


def load(args: argparse.Namespace):
    import wordlight

    if args.texts:
        texts = json.loads(Path(args.texts).read_text())[: args.n]
    else:
        from wordlight.data import load_dataset

        texts = load_dataset("movies").test.texts[: args.n]
    model = wordlight.load_model(args.model, device=args.device)
    model.model.float()  # an offline copy may be stored in half precision
    return model, texts


def timed(fn, repeats: int = 1):
    """(result, median seconds over ``repeats`` runs, peak GPU MiB)."""
    seconds = []
    torch.cuda.reset_peak_memory_stats()
    for _ in range(repeats):
        torch.cuda.synchronize()
        start = time.perf_counter()
        out = fn()
        torch.cuda.synchronize()
        seconds.append(time.perf_counter() - start)
    return out, float(np.median(seconds)), torch.cuda.max_memory_allocated() / 2**20


def max_diff(a, b) -> float:
    return max(float(np.abs(x.scores - y.scores).max()) for x, y in zip(a, b, strict=True))


def check_batching(clf, texts) -> list[str]:
    from wordlight import IntegratedGradients

    ig = IntegratedGradients(n_steps=16)
    batched = ig.explain(clf, texts, progress=False)
    single = [ig.explain(clf, t, progress=False)[0] for t in texts]
    cpu = ig.explain(clf_on(clf, "cpu"), texts, progress=False)
    return [
        f"batched vs one at a time on {clf.device}, {len(texts)} texts: max |diff| "
        f"{max_diff(batched, single):.1e}",
        f"GPU vs CPU, same texts: max |diff| {max_diff(batched, cpu):.1e}",
    ]


def clf_on(clf, device: str):
    import copy

    import wordlight

    return wordlight.load_model(copy.deepcopy(clf.model).to(device), clf.tokenizer)


def wordlight_auto(clf, texts, budget: int | None):
    from wordlight import IntegratedGradients

    ig = IntegratedGradients(n_steps="auto", tolerance=TOLERANCE, max_batch_tokens=budget)
    ig.explain(clf, texts[:8], progress=False)  # warm-up
    exps, seconds, peak = timed(lambda: ig.explain(clf, texts, progress=False), REPEATS)
    rel = np.array([abs(e.completeness_delta) / max(abs(gap(e)), 1e-12) for e in exps])
    steps = int(sum(e.n_steps for e in exps))
    name = f"wordlight auto, {budget or 'default'} tokens/pass"
    return [name, f"{seconds:.2f}", f"{len(texts) / seconds:.1f}", steps, fails(rel), f"{peak:.0f}"]


def gap(e) -> float:
    return float(e.scores.sum()) - float(e.completeness_delta)


def fails(rel: np.ndarray) -> str:
    return f"{int((rel > TOLERANCE).sum())}/{len(rel)}"


def captum_loop(clf, texts, n_steps: int = 50):
    from captum.attr import LayerIntegratedGradients

    model, tok, dev = clf.model, clf.tokenizer, clf.device

    def forward(ids, mask):
        return torch.softmax(model(input_ids=ids, attention_mask=mask).logits, -1)

    lig = LayerIntegratedGradients(forward, model.get_input_embeddings())
    special = set(tok.all_special_ids)

    def one(text: str) -> float:
        ids = tok(text, return_tensors="pt")["input_ids"].to(dev)
        keep = torch.tensor([int(i) in special for i in ids[0]], device=dev)
        ref = torch.where(keep, ids, torch.full_like(ids, tok.pad_token_id))
        mask = torch.ones_like(ids)
        with torch.no_grad():
            target = int(forward(ids, mask).argmax(-1))
        attr, delta = lig.attribute(
            ids, baselines=ref, target=target, additional_forward_args=(mask,),
            n_steps=n_steps, internal_batch_size=n_steps, return_convergence_delta=True,
        )  # fmt: skip
        total = float(attr.sum())
        return abs(float(delta)) / max(abs(total - float(delta)), 1e-12)

    for text in texts[:8]:
        one(text)
    rel, seconds, peak = timed(lambda: np.array([one(t) for t in texts]), REPEATS)
    name = f"captum LayerIG loop, n={n_steps}"
    rate = f"{len(texts) / seconds:.1f}"
    return [name, f"{seconds:.2f}", rate, n_steps * len(texts), fails(rel), f"{peak:.0f}"]


def long_text_and_information(clf, texts, regularization: str) -> list[str]:
    from wordlight import IntegratedGradients, explain

    long = " ".join(texts[:120])
    n_tok = len(clf.tokenizer(long)["input_ids"])
    (exp,), seconds, peak = timed(
        lambda: IntegratedGradients(n_steps="auto").explain(clf, long, progress=False)
    )
    lines = [
        f"long text of {n_tok} tokens (sliding windows): {seconds:.2f} s, peak {peak:.0f} MiB, "
        f"{len(exp.words)} words scored, "
        f"|delta|/|gap| {abs(exp.completeness_delta) / abs(gap(exp)):.1e}"
    ]
    batch = list(texts[:64])
    explain(clf, batch[:2], "information", layer=3, regularization=regularization)  # cache it
    info, seconds, peak = timed(
        lambda: explain(clf, batch, "information", layer=3, regularization=regularization)
    )
    iters = np.array([e.n_steps for e in info])
    lines.append(
        f"information, layer 3, regularization {regularization!r}, {len(batch)} texts in one "
        f"batch: {seconds:.1f} s ({len(batch) / seconds:.1f} texts/s), peak {peak:.0f} MiB; "
        f"iterations per text median {np.median(iters):.0f}, max {iters.max()}"
    )
    return lines


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--model", default="default", help='"default" or a local HF model dir')
    parser.add_argument("--texts", help="a JSON list of texts (default: the movies test split)")
    parser.add_argument("--n", type=int, default=200)
    parser.add_argument("--device", default="cuda")
    parser.add_argument("--regularization", default="movies", help="for the information run")
    parser.add_argument("--budgets", default="4096,16384,65536", help="tokens per pass to try")
    args = parser.parse_args(argv)
    if not torch.cuda.is_available():
        sys.exit("gpu_engine.py: no CUDA device here; run it on a machine with a GPU")
    warnings.filterwarnings("ignore")
    quiet_transformers()
    clf, texts = load(args)
    print(f"{torch.cuda.get_device_name()}; torch {torch.__version__}; {len(texts)} texts")
    for line in check_batching(clf, texts[:20]):
        print(line, flush=True)
    rows = [wordlight_auto(clf, texts, None)]
    rows += [wordlight_auto(clf, texts, int(b)) for b in args.budgets.split(",")]
    rows.append(captum_loop(clf, texts))
    headers = ("run", "time s", "texts/s", "grad points", "failing 1%", "peak MiB")
    print(table(headers, rows), flush=True)
    ratio = float(rows[-1][1]) / float(rows[0][1])
    print(f"wordlight (default budget) vs the Captum loop: {ratio:.2f}x faster")
    for line in long_text_and_information(clf, texts, args.regularization):
        print(line, flush=True)


if __name__ == "__main__":
    main()
