"""LIME and KernelSHAP speed: wordlight vs the ``lime`` and ``shap`` packages, side by side.

Same model (the built-in "default", or ``--model random``), same movie snippets (the first
``--n`` of the test split), same target (the predicted class, f = its softmax probability) and
the same sample budget per text. The peers get the usual user code: a classifier function that
runs their perturbed inputs through the model in batches of ``--peer-batch`` rows.

- lime: ``LimeTextExplainer(bow=False, mask_string=[MASK])`` on strings, one text at a time
  (it decodes nothing but re-tokenises every perturbed string); wordlight ``Lime`` masks token
  ids, all texts in one call. Agreement: mean overlap of the top-5 words (as strings).
- shap: ``shap.KernelExplainer`` on f(coalition of words) = probability with the absent words'
  tokens set to [MASK] (plain code here, no wordlight), one text at a time; wordlight
  ``KernelShap``, all texts in one call. Agreement: mean Pearson r of the word values.

    .venv/bin/python benchmarks/perturbation_speed.py              # 50 texts, 500 / 256 samples
    .venv/bin/python benchmarks/perturbation_speed.py --quick      # 5 texts, a smoke test
"""

from __future__ import annotations

import argparse
import re
import sys
import time
import warnings
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _common
from _common import BusyMonitor, busy_processes, machine, quiet_transformers, random_head_model


def classifier_fn(model, tokenizer, batch_rows: int):
    """Strings -> softmax probabilities (n, C), ``batch_rows`` strings per forward pass."""

    @torch.inference_mode()
    def predict(texts: Sequence[str]) -> np.ndarray:
        out = []
        for i in range(0, len(texts), batch_rows):
            enc = tokenizer(list(texts[i : i + batch_rows]), padding=True, return_tensors="pt")
            out.append(torch.softmax(model(**enc).logits.float(), -1))
        return torch.cat(out).double().numpy()

    return predict


def word_spans(tokenizer, text: str) -> tuple[torch.Tensor, list[list[int]], list[str]]:
    """ids (T,) with specials, and for each \\w+ word the positions of its tokens."""
    enc = tokenizer(text, return_offsets_mapping=True)
    ids = torch.tensor(enc["input_ids"])
    words = [(m.start(), m.end(), m.group()) for m in re.finditer(r"\w+", text)]
    members: list[list[int]] = [[] for _ in words]
    for pos, (s, e) in enumerate(enc["offset_mapping"]):
        if e > s:
            for w, (ws, we, _) in enumerate(words):
                if s < we and e > ws:
                    members[w].append(pos)
                    break
    keep = [w for w, m in enumerate(members) if m]
    return ids, [members[w] for w in keep], [words[w][2] for w in keep]


def coalition_fn(model, tokenizer, text: str, batch_rows: int):
    """f(Z) for shap: Z (n, words) 0/1 -> probabilities (n, C), absent words' tokens masked."""
    ids, members, _ = word_spans(tokenizer, text)

    @torch.inference_mode()
    def f(z: np.ndarray) -> np.ndarray:
        x = ids.repeat(len(z), 1)
        for w, positions in enumerate(members):
            absent = torch.as_tensor(z[:, w] == 0)
            x[absent.nonzero()[:, None], torch.tensor(positions)] = tokenizer.mask_token_id
        out = [
            torch.softmax(model(input_ids=x[i : i + batch_rows]).logits.float(), -1)
            for i in range(0, len(x), batch_rows)
        ]
        return torch.cat(out).double().numpy()

    return f, len(members)


def top_words(words: Sequence[str], scores: Sequence[float], k: int = 5) -> set[str]:
    order = np.argsort(-np.abs(np.asarray(scores)), kind="stable")[:k]
    return {words[i].lower() for i in order}


def timed(label: str, run):
    if _common.MONITOR is not None:
        _common.MONITOR.phase = label
    start = time.perf_counter()
    result = run()
    seconds = time.perf_counter() - start
    if _common.MONITOR is not None:
        _common.MONITOR.phase = "untimed"
    return result, seconds


def bench_lime(clf, model, tokenizer, texts, n_samples, batch_rows):
    from lime.lime_text import LimeTextExplainer

    from wordlight import Lime

    ours = Lime(n_samples=n_samples, seed=0)
    ours.explain(clf, texts[:2], target="predicted", progress=False)  # warm-up
    exps, t_ours = timed("wordlight lime", lambda: ours.explain(clf, texts, target="predicted"))
    explainer = LimeTextExplainer(bow=False, mask_string=tokenizer.mask_token, random_state=0)
    predict = classifier_fn(model, tokenizer, batch_rows)

    def run_peer():
        out = []
        for text, exp in zip(texts, exps, strict=True):
            ref = explainer.explain_instance(
                text, predict, labels=(exp.target,), num_features=200, num_samples=n_samples
            )
            out.append(ref.as_list(label=exp.target))
        return out

    explainer.explain_instance(texts[0], predict, num_samples=20)  # warm-up
    refs, t_peer = timed("lime package", run_peer)
    overlaps = []
    for exp, ref in zip(exps, refs, strict=True):
        words = [w.text for w in exp.words if re.search(r"\w", w.text)]
        scores = [s for w, s in zip(exp.words, exp.word_scores, strict=True) if w.text in words]
        theirs = top_words([w for w, _ in ref], [s for _, s in ref])
        overlaps.append(len(top_words(words, scores) & theirs) / 5)
    return t_ours, t_peer, float(np.mean(overlaps))


def bench_shap(clf, model, tokenizer, texts, n_samples, batch_rows):
    import shap

    from wordlight import KernelShap

    ours = KernelShap(n_samples=n_samples, seed=0)
    ours.explain(clf, texts[:2], target="predicted", progress=False)  # warm-up
    exps, t_ours = timed("wordlight shap", lambda: ours.explain(clf, texts, target="predicted"))

    def run_peer():
        out = []
        for text, exp in zip(texts, exps, strict=True):
            f, n = coalition_fn(model, tokenizer, text, batch_rows)
            explainer = shap.KernelExplainer(f, np.zeros((1, n)), link="identity")
            values = explainer.shap_values(
                np.ones((1, n)), nsamples=n_samples, l1_reg=False, silent=True
            )
            out.append(np.asarray(values).reshape(n, -1)[:, exp.target])
        return out

    np.random.seed(0)
    refs, t_peer = timed("shap package", run_peer)
    correlations = []
    for exp, ref in zip(exps, refs, strict=True):
        mine = [
            s for w, s in zip(exp.words, exp.word_scores, strict=True) if re.search(r"\w", w.text)
        ]
        if len(mine) == len(ref) and np.ptp(ref) > 0:  # same word split (no "isn't" etc.)
            correlations.append(np.corrcoef(mine, ref)[0, 1])
    return t_ours, t_peer, float(np.mean(correlations)), len(correlations)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=50, help="texts (the first n of the test split)")
    parser.add_argument("--quick", action="store_true", help="5 texts, a smoke test")
    parser.add_argument("--lime-samples", type=int, default=500)
    parser.add_argument("--shap-samples", type=int, default=256)
    parser.add_argument("--peer-batch", type=int, default=64, help="rows per peer forward pass")
    parser.add_argument("--model", choices=("default", "random"), default="default")
    args = parser.parse_args(argv)
    n = 5 if args.quick else args.n
    warnings.filterwarnings("ignore")
    quiet_transformers()

    print("== Perturbation speed: wordlight vs the lime and shap packages ==")
    for line in machine():
        print(line)
    for line in busy_processes():
        print(f"WARNING: another busy process at the start: {line}")
    with BusyMonitor() as monitor:
        _common.MONITOR = monitor
        bench(args, n)
        _common.MONITOR = None
    timed_phases = {k: v for k, v in monitor.seen.items() if k not in ("setup", "untimed")}
    if timed_phases:
        print("\nWARNING: other busy processes ran during timed phases; figures are noisy:")
        for phase, names in timed_phases.items():
            print(f"  {phase}: {len(names)} other busy process(es)")
    else:
        print("\nno other busy process seen during any timed phase (sampled every 5 s)")


def bench(args: argparse.Namespace, n: int) -> None:
    import wordlight
    from wordlight.data import load_dataset

    texts = list(load_dataset("movies").test.texts[:n])
    if args.model == "default":
        clf = wordlight.load_model("default")
        model, tokenizer = clf.model, clf.tokenizer
    else:
        model, tokenizer = random_head_model(2, seed=0)
        clf = wordlight.load_model(model, tokenizer)
    model.eval()
    lengths = [len(tokenizer(t)["input_ids"]) for t in texts]
    print(
        f"model: {args.model}; {n} movie snippets, {min(lengths)}-{max(lengths)} tokens "
        f"(mean {np.mean(lengths):.1f}); peers batch {args.peer_batch} rows per forward pass"
    )
    rows = []
    t_ours, t_peer, overlap = bench_lime(
        clf, model, tokenizer, texts, args.lime_samples, args.peer_batch
    )
    rows.append(("LIME", args.lime_samples, t_ours, t_peer, f"top-5 overlap {overlap:.2f}"))
    print(f"lime done ({t_ours:.1f} s vs {t_peer:.1f} s)", flush=True)
    t_ours, t_peer, r, n_r = bench_shap(
        clf, model, tokenizer, texts, args.shap_samples, args.peer_batch
    )
    rows.append(("KernelSHAP", args.shap_samples, t_ours, t_peer, f"mean r {r:.3f} ({n_r} texts)"))
    print()
    header = ("method", "samples", "wordlight texts/s", "package texts/s", "ratio", "agreement")
    table = [
        (m, s, f"{n / a:.2f}", f"{n / b:.2f}", f"{b / a:.2f}x", agree) for m, s, a, b, agree in rows
    ]
    print(_common.table(header, table))


if __name__ == "__main__":
    main()
