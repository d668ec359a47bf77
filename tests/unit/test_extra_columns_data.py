"""Extra columns (the essay set, a drug, a product category): kept from files, through splits."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import numpy as np
import pytest

from wordlight.data import drugs, essays, load_file
from wordlight.data.dataset import TextDataset, carve_validation, split_dataset, split_indices
from wordlight.errors import DataError


def _toy(n: int = 20) -> TextDataset:
    return TextDataset(
        texts=tuple(f"text {i}" for i in range(n)),
        labels=tuple(i % 2 for i in range(n)),
        scores=tuple(float(i % 2) for i in range(n)),
        label_names=("a", "b"),
        extra={"row": tuple(range(n)), "kind": tuple("xyz"[i % 3] for i in range(n))},
    )


def test_default_is_no_extra_and_a_wrong_length_is_one_line() -> None:
    plain = TextDataset(texts=("t",), labels=(0,), scores=(0.0,), label_names=("a",))
    assert dict(plain.extra) == {}
    with pytest.raises(DataError, match=r"^extra column 'kind' has 1 values for 2 rows"):
        TextDataset(("a", "b"), (0, 0), (0.0, 0.0), ("a",), extra={"kind": ("x",)})


def test_subset_split_and_carve_keep_every_extra_row_aligned() -> None:
    data = _toy()
    picked = data.subset([5, 1, 9])
    assert picked.extra["row"] == (5, 1, 9) and picked.extra["kind"] == ("z", "y", "x")
    splits = split_dataset(data)
    parts = (splits.train, splits.validation, splits.test)
    for part, idx in zip(parts, split_indices(20), strict=True):
        assert part.extra["row"] == tuple(int(i) for i in idx)
        assert part.texts == tuple(f"text {r}" for r in part.extra["row"])
    carved = carve_validation(data, _toy(4))
    perm = np.random.default_rng(13).permutation(20)
    assert carved.validation.extra["row"] == tuple(int(i) for i in np.sort(perm[:2]))
    assert carved.test.extra["row"] == (0, 1, 2, 3)


def test_files_keep_every_other_column_with_numbers_parsed(tmp_path: Path) -> None:
    path = tmp_path / "data.csv"
    path.write_text(
        "id,text,label,category,weight\n1,good,pos,books,0.5\n2,bad,neg,toys,2\n3,ok,pos,books,1\n",
        encoding="utf-8",
    )
    data = load_file(path)
    assert set(data.extra) == {"id", "category", "weight"}
    assert data.extra["id"] == (1, 2, 3)
    assert data.extra["category"] == ("books", "toys", "books")
    assert data.extra["weight"] == (0.5, 2.0, 1.0)
    lines = [{"review": f"r{i}", "y": i % 2, "shop": ["a", "b"][i % 2]} for i in range(4)]
    lines[3]["note"] = "late key"  # a key only some rows have: "" elsewhere
    jsonl = tmp_path / "data.jsonl"
    jsonl.write_text("\n".join(json.dumps(x) for x in lines), encoding="utf-8")
    data = load_file(jsonl, text_col="review", label_col="y")
    assert data.extra == {"shop": ("a", "b", "a", "b"), "note": ("", "", "", "late key")}
    regression = load_file(jsonl, text_col="review", score_col="y")
    assert set(regression.extra) == {"shop", "note"}


def test_essays_expose_the_essay_set(tmp_path: Path) -> None:
    header = ["essay_id", "essay_set", "essay", "domain1_score"]
    rows = [[str(i), s, f"essay {i}", str(i % 4)] for i, s in enumerate(["1"] * 8 + ["2"] * 4)]
    path = tmp_path / "essays.tsv"
    path.write_text("\n".join("\t".join(r) for r in [header, *rows]) + "\n", encoding="utf-8")
    data, _ = essays.load(path)
    assert data.extra == {"essay_set": (1,) * 8 + (2,) * 4}


def test_drugs_expose_drug_and_condition() -> None:
    body = (
        "\tdrugName\tcondition\treview\trating\tdate\tusefulCount\n"
        '7\tValsartan\tLeft Ventricular Dysfunction\t"""Fine."""\tpositive\tMay 1, 2011\t3\n'
        '8\tGuanfacine\tADHD &amp; sleep\t"""Bad."""\tnegative\tMay 2, 2011\t1\n'
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        zf.writestr("drugsComTrain.tsv", body)
    data = drugs.parse_part(buffer.getvalue(), "drugsComTrain.tsv", "drugs.zip")
    assert data.extra == {
        "drug": ("Valsartan", "Guanfacine"),
        "condition": ("Left Ventricular Dysfunction", "ADHD & sleep"),
    }
