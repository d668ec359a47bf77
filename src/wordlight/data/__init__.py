"""Built-in data sets, user data files and the fixed splits wordlight trains and evaluates on.

``load_dataset("movies")`` gives the train/validation/test splits of the VADER movie-review
snippets that the built-in "default" model was trained on; ``load_dataset("file", path=...)``
reads a user CSV/TSV/JSONL file. Every data set, its source, labels and split rule are described
in docs/data.md. Modules: ``dataset`` (the shapes and split rule), ``fetch`` (registry download,
cache and checksums, shared by every fetched set), ``vader``/``drugs``/``rotten``/``essays`` (one
per source), ``files`` (user files), ``catalog`` (names -> loaders), ``sampling``
(per-epoch undersampling and class weights).
"""

from __future__ import annotations

from wordlight.data import vader
from wordlight.data.catalog import CATALOG, DATASETS, DatasetInfo, load_dataset, load_vader
from wordlight.data.dataset import (
    SENTIMENT_LABELS,
    SPLIT_FRACTIONS,
    SPLIT_SEED,
    Splits,
    TextDataset,
    carve_validation,
    split_dataset,
    split_indices,
)
from wordlight.data.files import load_file
from wordlight.data.sampling import BALANCING, class_weights, undersample

__all__ = [
    "BALANCING",
    "CATALOG",
    "DATASETS",
    "SENTIMENT_LABELS",
    "SPLIT_FRACTIONS",
    "SPLIT_SEED",
    "DatasetInfo",
    "Splits",
    "TextDataset",
    "carve_validation",
    "class_weights",
    "load_dataset",
    "load_file",
    "load_vader",
    "split_dataset",
    "split_indices",
    "undersample",
    "vader",
]
