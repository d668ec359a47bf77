"""The default preset trained on `movies` train plus the `rotten` snippets that are in no `movies`
split (issue 14, part 4; figures in docs/default-model.md, "Towards 86 %").

Texts are compared normalised (NFKC, HTML entities unescaped, lower case, every run of
non-alphanumerics one space). Snippets in the movies validation or test split are removed and
counted; those in its training split are duplicates and left out. Prints the counts, the training
history, and validation and test accuracy raw and with the positive logit shifted back to the
movies prior (logit adjustment).

    .venv/bin/python benchmarks/default_model_rotten.py            # ~11 min on 2 quiet cores
    .venv/bin/python benchmarks/default_model_rotten.py --stats    # the counts only
"""

from __future__ import annotations

import argparse
import html
import json
import re
import time
import unicodedata
from dataclasses import replace

import numpy as np


def normalised(text: str) -> str:
    text = unicodedata.normalize("NFKC", html.unescape(text)).lower()
    return " ".join(re.sub(r"[^a-z0-9]+", " ", text).split())


def main() -> None:
    from wordlight.data import load_dataset
    from wordlight.data.dataset import TextDataset

    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--stats", action="store_true", help="print the counts and stop")
    p.add_argument("--epochs", type=int, default=3)
    args = p.parse_args()

    movies, rotten = load_dataset("movies"), load_dataset("rotten")
    pool = [rotten.train, rotten.validation, rotten.test]
    r_texts = [t for part in pool for t in part.texts]
    r_labels = [int(x) for part in pool for x in part.labels]  # 1 = fresh = positive
    held = {normalised(t) for t in movies.validation.texts + movies.test.texts}
    train_rows = zip(movies.train.texts, movies.train.labels, strict=True)
    in_train = {normalised(t): int(y) for t, y in train_rows}
    keep, removed, duplicates, agree, seen = [], 0, 0, 0, set()
    for i, text in enumerate(r_texts):
        key = normalised(text)
        if key in held:
            removed += 1
        elif key in in_train:
            duplicates += 1
            agree += int(in_train[key] == r_labels[i])
        elif key and key not in seen:
            seen.add(key)
            keep.append(i)
    print(json.dumps({
        "rotten": len(r_texts), "removed (in movies validation/test)": removed,
        "duplicates of movies train": duplicates,
        "label agreement on the duplicates": round(agree / max(duplicates, 1), 4),
        "new": len(keep), "new positive": sum(r_labels[i] for i in keep),
    }), flush=True)  # fmt: skip
    if args.stats:
        return

    from wordlight.training.batching import predict_logits
    from wordlight.training.default_preset import default_config
    from wordlight.training.trainer import evaluate_outputs, train

    extra_texts = tuple(r_texts[i] for i in keep)
    extra_labels = tuple(r_labels[i] for i in keep)
    data = TextDataset(
        texts=movies.train.texts + extra_texts,
        labels=movies.train.labels + extra_labels,
        scores=movies.train.scores + tuple(float(y) for y in extra_labels),
        label_names=movies.train.label_names,
    )
    start = time.perf_counter()
    result = train(replace(default_config(), epochs=args.epochs), data, movies.validation)
    print(f"training: {time.perf_counter() - start:.0f} s", flush=True)
    prior = float(np.mean(data.labels))
    shift = float(np.log(prior / (1 - prior)))
    print(f"positive share of the training data {prior:.3f}; logit adjustment {shift:.3f}")
    for name in ("validation", "test"):
        split = getattr(movies, name)
        logits = predict_logits(result.model, result.tokenizer, split.texts, 128, 128)
        raw = evaluate_outputs(logits, split, "cross_entropy")["accuracy"]
        lo = np.asarray(logits, dtype=np.float64)
        adjusted = float((((lo[:, 1] - shift) > lo[:, 0]).astype(int) == split.labels).mean())
        print(f"{name}: accuracy {raw:.4f}, logit-adjusted {adjusted:.4f}", flush=True)


if __name__ == "__main__":
    main()
