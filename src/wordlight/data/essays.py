"""``essays``: the ASAP (Hewlett Foundation) essays, from a file the user downloads.

``training_set_rel3.tsv`` (Kaggle competition "asap-aes") is a Latin-1 TSV with, among 28
columns, essay_id, essay_set (1-8), essay and domain1_score. Each essay set has its own score
range, so each set's scores are mapped to 4 ordinal bins (0 = lowest quarter ... 3 = highest):

* a set with exactly 4 distinct scores: each score is its own bin, in order;
* a set with more: equal-frequency bins. The 3 cut points are placed between adjacent distinct
  scores so that the 4 bins' sizes are as close as possible to a quarter of the set each (least
  sum of squared differences; ties go to the lowest cuts). Deterministic for a given file;
* a set with fewer than 4 distinct scores cannot fill 4 bins: that is an error.

``scores`` keep the raw domain1_score; the extra column ``essay_set`` keeps each essay's set (an
int when it is a number). The bins per set are printed by ``wordlight data show
essays --path FILE``.
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from wordlight.data.dataset import TextDataset
from wordlight.data.files import numbers, parse_delimited, read_bytes, require_columns
from wordlight.errors import DataError

DEFAULT_PATH = "training_set_rel3.tsv"
COLUMNS = ("essay_id", "essay_set", "essay", "domain1_score")
LABELS = ("low", "mid-low", "mid-high", "high")
N_BINS = len(LABELS)
WHERE = (
    "download training_set_rel3.tsv from https://www.kaggle.com/c/asap-aes/data "
    "(Kaggle competition 'asap-aes') and pass --path FILE"
)


def load(path: str | Path | None = None) -> tuple[TextDataset, dict[str, list[list[float]]]]:
    """All essays in file order with 4 ordinal bins per set, and the bins: for each essay set,
    the sorted distinct scores that fall in bins 0..3."""
    path = Path(path or DEFAULT_PATH)
    if not path.is_file():
        raise DataError(f"essays: {path} not found; {WHERE}")
    data = read_bytes(path)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = data.decode("latin-1")  # the Kaggle file's encoding; every byte is valid
    header, rows = parse_delimited(text, "\t", str(path))
    if not rows:
        raise DataError(f"{path} has no essays; {WHERE}")
    require_columns(header, COLUMNS, str(path))
    scores = numbers([row["domain1_score"] for row in rows], "domain1_score", str(path))
    sets = [row["essay_set"].strip() for row in rows]
    bins = {}
    for essay_set in sorted(set(sets), key=_set_order):
        values = [s for s, e in zip(scores, sets, strict=True) if e == essay_set]
        bins[essay_set] = bin_scores(values, f"{path}: essay set {essay_set}")
    labels = []
    for score, essay_set in zip(scores, sets, strict=True):
        labels.append(next(b for b, members in enumerate(bins[essay_set]) if score in members))
    texts = tuple(row["essay"].strip() for row in rows)
    for number, text in enumerate(texts, start=1):
        if not text:
            raise DataError(f"{path}: data row {number} has an empty essay")
    dataset = TextDataset(
        texts=texts,
        labels=tuple(labels),
        scores=tuple(scores),
        label_names=LABELS,
        ids=tuple(row["essay_id"].strip() for row in rows),
        task="ordinal",
        extra={"essay_set": tuple(int(e) if e.isdigit() else e for e in sets)},
    )
    return dataset, bins


def bin_scores(values: Sequence[float], source: str) -> list[list[float]]:
    """Distinct scores grouped into 4 ordered bins (see the module docstring)."""
    counts = Counter(values)
    distinct = sorted(counts)
    if len(distinct) < N_BINS:
        raise DataError(
            f"{source} has only {len(distinct)} distinct scores; 4 ordinal bins need at least 4"
        )
    prefix = list(itertools.accumulate((counts[v] for v in distinct), initial=0))
    target = len(values) / N_BINS
    best: tuple[float, tuple[int, ...]] | None = None
    for cuts in itertools.combinations(range(1, len(distinct)), N_BINS - 1):
        edges = (0, *cuts, len(distinct))
        cost = sum((prefix[b] - prefix[a] - target) ** 2 for a, b in itertools.pairwise(edges))
        if best is None or cost < best[0]:
            best = (cost, edges)
    assert best is not None
    edges = best[1]
    return [distinct[a:b] for a, b in itertools.pairwise(edges)]


def _set_order(essay_set: str) -> tuple[int, str]:
    return (int(essay_set), "") if essay_set.isdigit() else (10**9, essay_set)
