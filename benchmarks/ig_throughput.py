"""Integrated Gradients throughput: wordlight vs a per-text Captum loop vs transformers-interpret.

All contestants explain the same snippets (the first ``--n`` movie and the first ``--nyt`` nyt
test snippets) with the built-in "default" model, towards the predicted class, f = the softmax
probability of the target, x' = the "pad" baseline (every text token -> [PAD], specials kept),
and each is held to the same accuracy on EVERY text (``--criterion``):
- "token" (the default): every token within 1% of max(|f(x) - f(x')|, max_i |score_i|) of a
  128-point Gauss-Legendre run, and the delta within 1% of the gap. wordlight and Captum compute
  the same function, so they share one reference (``_ig_reference``: plain HF calls, cached in
  ``--cache-dir``); transformers-interpret integrates another path and is held to its own
  128-point run. wordlight runs ``n_steps="auto"`` (its token criterion, tolerance 1%); a peer's
  fixed n is the smallest of PEER_GRID that meets the criterion on every text (search not
  charged); the peers' per-text doubling stops on the change of every score from the previous n.
- "sum": the delta alone (the earlier protocol).
The report gives, per contestant, points per text, the worst and 99th-percentile token error,
and the ratios of points and of time. See benchmarks/README.md for the recorded results.

    .venv/bin/python benchmarks/ig_throughput.py --cache-dir /work/exp     # the full protocol
    .venv/bin/python benchmarks/ig_throughput.py --n 8 --nyt 4 --noisy    # a smoke run
"""

from __future__ import annotations

import argparse
import os
import sys
import warnings
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _common
from _common import (
    RESULT_HEADERS,
    BusyMonitor,
    Result,
    Stopwatch,
    busy_processes,
    clean_timing,
    machine,
    probabilities,
    quiet_transformers,
    random_head_model,
    result_rows,
    table,
)
from _ig_floor import floor_batches, time_floor, wordlight_budgets
from _ig_peers import (
    WARMUP_TEXTS,
    Peer,
    PeerRun,
    captum_peer,
    run_doubling,
    run_fixed,
    search_steps,
    ti_peer,
    ti_reference,
    token_error,
)
from _ig_reference import TOLERANCE, describe, encode, relative_errors, shared_reference

PEER_GRID = (8, 16, 32, 50, 64, 100, 128, 200, 256, 512)  # fixed n_steps tried for the peers
CRITERION = "token"  # set by --criterion


def reference_outputs(model, tokenizer, texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """softmax probabilities (texts, C) of x and of x' from plain forward passes on the ids."""
    xs, x0s = [], []
    for text in texts:
        ids, ref = encode(tokenizer, text)
        mask = torch.ones_like(ids)
        xs.append({"input_ids": ids, "attention_mask": mask})
        x0s.append({"input_ids": ref, "attention_mask": mask})
    return probabilities(model, xs), probabilities(model, x0s)


def counts(values) -> str:
    """ "5: 3, 9: 10" -- how many texts used each value."""
    keys, n = np.unique(np.asarray(values), return_counts=True)
    return ", ".join(f"{int(k)}: {int(c)}" for k, c in zip(keys, n, strict=True))


def run_wordlight(clf, texts, p_x, p_x0) -> tuple[Result, list]:
    from wordlight import IntegratedGradients

    ig = IntegratedGradients(n_steps="auto", tolerance=TOLERANCE, auto_criterion=CRITERION)
    ig.explain(clf, list(texts[:WARMUP_TEXTS]), progress=False)
    with Stopwatch("wordlight") as sw:
        exps = ig.explain(clf, list(texts), progress=True)
    rows, targets = np.arange(len(texts)), np.array([e.target for e in exps])
    gaps = p_x[rows, targets] - p_x0[rows, targets]
    deltas = np.array([e.completeness_delta for e in exps], dtype=float)
    steps = np.array([e.n_steps for e in exps])
    own = np.array([e.scores.sum() for e in exps]) - gaps  # the reported delta, cross-checked
    result = Result(
        f"wordlight (batched, auto, {CRITERION})", f"auto {steps.min()}-{steps.max()}",
        sw.seconds, len(texts), int(steps.sum()), deltas, gaps,
        [f"wordlight: points per text {counts(steps)}; "
         f"|reported delta - (sum(scores) - gap)| <= {np.abs(deltas - own).max():.1e}"],
    )  # fmt: skip
    return result, exps


def peer_error(peer: Peer, reference, content: bool):
    """(text, n) -> the peer's error on ``CRITERION``: the token error against
    ``reference(i)`` = (scores, gap), or ("sum") |delta| / |gap| on its own path. ``content``:
    compare the content tokens only (Captum's scores include [CLS]/[SEP], the shared reference
    does not)."""

    def one(i: int, n: int) -> float:
        run = peer.explain(TEXTS[i], n)
        if CRITERION == "sum":
            gap = peer.gap_of(i, run)
            return abs(run.total - gap) / abs(gap)
        ref, gap = reference(i)
        if content:
            run = PeerRun(run.scores[1:-1], run.delta, run.target)
        return token_error(run, ref, gap)

    return one


TEXTS: list[str] = []


def _time_once(label: str, run, attempts: int = 1):
    """clean_timing without the waiting: one timed run, flagged as not clean if it was noisy."""
    if _common.MONITOR is not None:
        _common.MONITOR.seen.pop(label, None)
    result = run()
    return result, 1, _common.MONITOR is None or label not in _common.MONITOR.seen


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=200, help="movie test snippets (the first n)")
    parser.add_argument("--nyt", type=int, default=100, help="nyt test snippets added")
    parser.add_argument("--quick", action="store_true", help="20 movie snippets, a smoke test")
    parser.add_argument(
        "--noisy",
        action="store_true",
        help="time each phase once, without waiting for quiet (a shared machine)",
    )
    parser.add_argument("--criterion", choices=("token", "sum"), default="token")
    parser.add_argument(
        "--cache-dir",
        default=os.path.join(Path(__file__).parent, ".cache"),
        help="where the 128-point references are kept (computed once)",
    )
    parser.add_argument("--n-all", type=int, default=50, help='texts for the target="all" part')
    parser.add_argument("--all-steps", type=int, default=32, help='n_steps for target="all"')
    parser.add_argument("--no-adaptive", action="store_true", help="skip the peers' doubling")
    parser.add_argument(
        "--no-tuned-captum",
        dest="tuned_captum",
        action="store_false",
        help="skip the extra Captum run with wordlight's tokens per pass",
    )
    parser.add_argument(
        "--model",
        choices=("default", "random"),
        default="default",
        help="random: MiniLM with a seeded random 2-class head (development)",
    )
    args = parser.parse_args(argv)  # fmt: skip
    global CRITERION, clean_timing
    CRITERION = args.criterion
    if args.noisy:
        clean_timing = _time_once
    warnings.filterwarnings("ignore")
    quiet_transformers()
    print("== IG throughput: wordlight vs Captum loop vs transformers-interpret ==")
    print("\n".join(machine()))
    for line in busy_processes():
        print(f"WARNING: another busy process at the start: {line}")
    with BusyMonitor() as monitor:
        _common.MONITOR = monitor
        bench(args)
        _common.MONITOR = None
    timed = {k: v for k, v in monitor.seen.items() if k not in ("setup", "untimed")}
    if timed:
        print("\nWARNING: other busy processes ran during timed phases; those figures are off:")
        for phase, names in timed.items():
            print(f"  {phase}: {'; '.join(sorted(names))}")
    else:
        print("\nno other busy process seen during any timed phase (sampled every 5 s)")


def bench(args: argparse.Namespace) -> None:
    import wordlight
    from wordlight.data import load_dataset

    sets = {"movies": 20 if args.quick else args.n, "nyt": 0 if args.quick else args.nyt}
    by_set = {s: list(load_dataset(s).test.texts[:k]) for s, k in sets.items()}
    TEXTS[:] = [t for s in sets for t in by_set[s]]
    texts, n = TEXTS, len(TEXTS)
    if args.model == "default":
        clf = wordlight.load_model("default")
        model, tokenizer = clf.model, clf.tokenizer
    else:
        model, tokenizer = random_head_model(2, seed=0)
        clf = wordlight.load_model(model, tokenizer)
    model.eval()
    cache = args.cache_dir if args.model == "default" else os.path.join(args.cache_dir, "random")
    lengths = [len(tokenizer(t)["input_ids"]) for t in texts]
    print(f"model: {args.model}; {sets['movies']} movie + {sets['nyt']} nyt snippets, "
          f"{min(lengths)}-{max(lengths)} tokens (mean {np.mean(lengths):.1f}) with [CLS]/[SEP]; "
          f"criterion {CRITERION}, tolerance {TOLERANCE:.0%}")  # fmt: skip
    p_x, p_x0 = reference_outputs(model, tokenizer, texts)
    shared = []
    if CRITERION == "token":
        for s in sets:
            shared += shared_reference(model, tokenizer, s, by_set[s], cache)
        assert [r.target for r in shared] == list(p_x.argmax(1)), "targets differ"
    notes: list[str] = []
    runs: list[tuple[str, int, bool]] = []
    token_rows: list[list[str]] = []

    def clean(label, run):
        result, n_runs, ok = clean_timing(label, run)
        runs.append((label, n_runs, ok))
        return result

    def token_row(name: str, points: float, rel: np.ndarray) -> None:
        token_rows.append([name, f"{points:.1f}", *describe(rel)])

    print("\n-- 1. wordlight IntegratedGradients(n_steps='auto') --", flush=True)
    ours, exps = clean("wordlight", lambda: run_wordlight(clf, texts, p_x, p_x0))
    notes += ours.notes
    steps = [e.n_steps for e in exps]
    if CRITERION == "token":
        rel = relative_errors([e.scores for e in exps], shared)
        token_row("wordlight auto", np.mean(steps), rel)
        est = np.array([e.max_token_error for e in exps]) / [r.scale for r in shared]
        notes.append(f"wordlight: estimate >= true token error on {int((est >= rel).sum())}/{n} "
                     f"texts (smallest estimate / true {np.min(est / rel):.2f})")  # fmt: skip
    budget, group_tokens = wordlight_budgets(clf)
    targets = [e.target for e in exps]
    batches, n_groups = floor_batches(model, tokenizer, texts, steps, targets, budget, group_tokens)
    assert sum(len(b[0]) for b in batches) == sum(steps)
    time_floor(model, batches[:4])  # warm-up
    floor = clean("floor", lambda: time_floor(model, batches))
    padded, real = sum(b[1].numel() for b in batches), sum(int(b[1].sum()) for b in batches)
    notes.append(f"floor: {sum(steps)} rows in {len(batches)} fwd+bwd passes of <= {budget} "
                 f"tokens over {n_groups} length buckets, {floor:.1f} s; "
                 f"{1 - real / padded:.1%} padding")  # fmt: skip
    results = [ours]

    def contest(peer: Peer, reference, content: bool, ref_note: str) -> None:
        print(f"\n-- {peer.name} --", flush=True)
        found, log = search_steps(peer_error(peer, reference, content), n, peer.name, PEER_GRID)
        fixed_n = found or PEER_GRID[-1]
        notes.extend([*log, *([ref_note] if ref_note else [])])
        result, fixed = clean(f"{peer.name} fixed", lambda: run_fixed(peer, texts, fixed_n))
        results.append(result)
        notes.extend(result.notes)
        if CRITERION == "token":
            token_row(f"{peer.name} n={fixed_n}", fixed_n, _peer_rel(fixed, reference, content))
        if not args.no_adaptive:
            done = clean(f"{peer.name} doubling", lambda: run_doubling(peer, texts, CRITERION))
            results.append(done[0])
            notes.append(f"{peer.name} doubling: final n per text {counts(done[2])}")
            if CRITERION == "token":
                rel = _peer_rel(done[1], reference, content)
                token_row(f"{peer.name} doubling", done[0].grad_points / n, rel)

    def shared_of(i: int) -> tuple[np.ndarray, float]:
        return shared[i].scores, shared[i].gap

    captum = captum_peer(model, tokenizer, p_x, p_x0)
    check = ""
    if CRITERION == "token":  # the shared reference is Captum's own: check it on one text
        own = captum.explain(texts[0], 128).scores[1:-1]
        off = np.abs(own - shared[0].scores).max() / shared[0].scale
        check = f"captum's own 128-point run vs the shared reference, text 0: {off:.1e} of scale"
    contest(captum, shared_of, True, check)
    if args.tuned_captum:
        tuned = captum_peer(model, tokenizer, p_x, p_x0, pass_tokens=budget)
        n_cap = int(results[1].steps)
        result, _ = clean("captum tuned", lambda: run_fixed(tuned, texts, n_cap))
        results.append(result)

    ti = ti_peer(model, tokenizer)
    if CRITERION == "token":
        ti_ref: list[PeerRun] = []
        for s in sets:
            ti_ref += ti_reference(ti, s, by_set[s], cache)

        def ti_of(i: int) -> tuple[np.ndarray, float]:
            return ti_ref[i].scores, float(ti_ref[i].gap or 0.0)

        contest(ti, ti_of, False, "transformers-interpret: held to its own 128-point run")
    else:
        contest(ti, None, False, "transformers-interpret: delta on its own path")

    print(f'\n-- target="all" on a 3-class model, n_steps={args.all_steps} --', flush=True)
    n_all = min(args.n_all, n)
    all_rows, all_ratio, n_classes = clean(
        "target", lambda: run_target_all(texts[:n_all], args.all_steps)
    )
    report(results, notes, runs, token_rows, floor, n)
    print(f'\ntarget="all" vs one class, {n_all} texts, {n_classes} classes')
    print(table(("run", "time s", "texts/s"), all_rows))
    print(f"time(all) / time(single) = {all_ratio:.2f} (target <= 0.6 x C = {0.6 * n_classes:.1f})")


def _peer_rel(runs: list[PeerRun], reference, content: bool) -> np.ndarray:
    out = []
    for i, run in enumerate(runs):
        ref, gap = reference(i)
        scores = run.scores[1:-1] if content else run.scores
        out.append(token_error(PeerRun(scores, run.delta, run.target), ref, gap))
    return np.array(out)


def run_target_all(texts, n_steps: int) -> tuple[list[list[str]], float, int]:
    import wordlight
    from wordlight import IntegratedGradients

    model, tokenizer = random_head_model(3, seed=0)
    clf = wordlight.load_model(model, tokenizer)
    ig = IntegratedGradients(n_steps=n_steps)
    ig.explain(clf, list(texts[:WARMUP_TEXTS]), progress=False)
    ig.explain(clf, list(texts[:WARMUP_TEXTS]), target="all", progress=False)
    with Stopwatch("target") as one:
        ig.explain(clf, list(texts), progress=True)
    with Stopwatch("target") as every:
        exps = ig.explain(clf, list(texts), target="all", progress=True)
    assert len(exps) == len(clf.labels) * len(texts)
    rows = [
        ["target=None (predicted)", f"{one.seconds:.1f}", f"{len(texts) / one.seconds:.2f}"],
        ['target="all"', f"{every.seconds:.1f}", f"{len(texts) / every.seconds:.2f}"],
    ]
    return rows, every.seconds / one.seconds, len(clf.labels)


def report(results, notes, runs, token_rows, floor: float, n: int) -> None:
    ours = results[0]
    print("\n== results ==")
    print("\n".join(machine()))
    print(f"{n} texts; every contestant warmed up on {WARMUP_TEXTS} texts, then timed\n")
    print(table(RESULT_HEADERS, result_rows(results, TOLERANCE)))
    if token_rows:
        print("\ntoken error / max(|f(x) - f(x')|, max|score|) against the reference, per text:")
        print(table(("contestant", "points/text", "worst", "p99", "median", "over 1%"),
                    token_rows))  # fmt: skip
    print()
    for note in notes:
        print(f"- {note}")
    timings = ", ".join(f"{label} {k}{'' if ok else ' (never clean)'}" for label, k, ok in runs)
    print(f"- timed runs needed (repeated if another process got busy): {timings}")
    print("\nratios (> 1: wordlight is faster / needs fewer points)")
    rows = [
        [f"wordlight vs {r.name}", f"{ours.rate / r.rate:.2f}x",
         f"{r.grad_points / ours.grad_points:.2f}x", "goal >= 3x (stretch 5x)"]
        for r in results[1:]
    ]  # fmt: skip
    rows.append(["wordlight time / raw fwd+bwd floor", f"{ours.seconds / floor:.2f}x", "-",
                 f"goal <= 1.2x (floor {floor:.1f} s)"])  # fmt: skip
    print(table(("comparison", "time", "points", "goal"), rows))


if __name__ == "__main__":
    main()
