"""User data files (CSV/TSV/JSONL) and every bad-input case: one line, exit code 2 in the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from wordlight.cli.main import main
from wordlight.data import DATASETS, load_dataset, load_file, split_indices
from wordlight.errors import DataError

ROWS = [("great film", "pos"), ("dull", "neg"), ("fine, I guess", "neutral"), ("loved it", "pos")]


def _csv(tmp_path: Path, text: str, name: str = "data.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_csv_string_labels_are_sorted_names(tmp_path: Path) -> None:
    body = "id,review,sentiment\n" + "".join(
        f'{i},"{t}",{y}\n' for i, (t, y) in enumerate(ROWS * 5)
    )
    data = load_file(_csv(tmp_path, body), text_col="review", label_col="sentiment")
    assert data.label_names == ("neg", "neutral", "pos")
    assert [data.label_names[y] for y in data.labels] == [y for _, y in ROWS * 5]
    assert data.texts[2] == "fine, I guess"  # quoted comma kept
    assert data.scores == tuple(float(y) for y in data.labels)
    assert data.task == "classification"


def test_tsv_integer_labels_are_ordinal_in_numeric_order(tmp_path: Path) -> None:
    stars = [10, 2, 9, 1, 2, 10]
    body = "text\tlabel\n" + "".join(f"review {i}\t{s}\n" for i, s in enumerate(stars))
    data = load_file(_csv(tmp_path, body, "data.tsv"))
    assert data.label_names == ("1", "2", "9", "10")  # numeric, not string, order
    assert data.labels == (3, 1, 2, 0, 1, 3)
    assert data.scores == tuple(float(s) for s in stars) and data.task == "ordinal"


def test_jsonl_with_a_score_column_is_regression(tmp_path: Path) -> None:
    lines = [json.dumps({"text": f"t{i}", "y": i / 2}) for i in range(10)]
    path = _csv(tmp_path, "\n".join(lines) + "\n", "data.jsonl")
    data = load_file(path, score_col="y")
    assert data.task == "regression" and data.scores == tuple(i / 2 for i in range(10))
    splits = load_dataset(str(path), score_col="y")  # a path works as the name, too
    train, validation, test = split_indices(10)
    assert splits.test.texts == tuple(f"t{i}" for i in test)
    assert splits.train.texts == tuple(f"t{i}" for i in train)
    assert len(splits.validation) == len(validation)


def test_file_splits_are_the_documented_seeded_rule(tmp_path: Path) -> None:
    body = "text,label\n" + "".join(f"row {i},{i % 2}\n" for i in range(40))
    path = _csv(tmp_path, body)
    splits = load_dataset("file", path=path)
    perm = np.random.default_rng(13).permutation(40)
    assert splits.test.texts == tuple(f"row {i}" for i in sorted(perm[36:]))
    assert load_dataset("file", path=path) == splits


BAD_FILES = {
    "missing column": (
        "data.csv",
        b"review,stars\nok,1\nbad,0\n",
        r"no column 'text'.*found: 'review', 'stars'",
    ),
    "empty file": ("data.csv", b"", "is empty"),
    "header only": ("data.csv", b"text,label\n", "no data rows"),
    "single class": ("data.csv", b"text,label\na,pos\nb,pos\n", r"single class \('pos'\)"),
    "empty label": ("data.csv", b"text,label\na,pos\nb,\n", "data row 2 has an empty or NaN label"),
    "NaN label": (
        "data.tsv",
        b"text\tlabel\na\t1\nb\tNaN\n",
        "data row 2 has an empty or NaN label",
    ),
    "null label": (
        "data.jsonl",
        b'{"text": "a", "label": 1}\n{"text": "b", "label": null}\n',
        "empty or NaN label",
    ),
    "invalid UTF-8": ("data.csv", b"text,label\ncaf\xe9,1\nx,0\n", "not valid UTF-8"),
    "ragged row": ("data.csv", b"text,label\na,1,extra\n", "row 2 has 3 fields"),
    "bad JSON": ("data.jsonl", b'{"text": "a"\n', "not a JSON object"),
    "unknown type": ("data.xlsx", b"x", "unknown file type '.xlsx'"),
    "empty text": ("data.csv", b"text,label\n ,1\nb,0\n", "empty text"),
}


@pytest.mark.parametrize("case", sorted(BAD_FILES))
def test_bad_files_raise_one_line_and_exit_2(
    case: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    name, content, pattern = BAD_FILES[case]
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(DataError, match=pattern) as info:
        load_dataset("file", path=path)
    assert "\n" not in str(info.value) and str(path) in str(info.value)
    assert main(["data", "show", "file", "--path", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("wordlight: error: ")


def test_missing_and_unreadable_paths(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="does not exist"):
        load_dataset("file", path=tmp_path / "nope.csv")
    folder = tmp_path / "folder.csv"
    folder.mkdir()
    with pytest.raises(DataError, match="cannot read"):
        load_dataset("file", path=folder)
    with pytest.raises(DataError, match="needs a path"):
        load_dataset("file")


def test_unknown_name_lists_the_valid_ones(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(DataError) as info:
        load_dataset("imdb")
    message = str(info.value)
    assert all(repr(name) in message for name in DATASETS) and "'file'" in message
    assert main(["data", "show", "imdb"]) == 2
    assert "unknown data set 'imdb'" in capsys.readouterr().err


def test_cli_show_prints_sizes_balance_and_examples(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    body = "text,label\n" + "".join(f"text number {i},{'ab'[i % 4 == 0]}\n" for i in range(20))
    path = _csv(tmp_path, body)
    assert main(["data", "show", "file", "--path", str(path), "-n", "2"]) == 0
    out = capsys.readouterr().out.splitlines()
    splits = load_dataset("file", path=path)
    train_line = next(line for line in out if line.strip().startswith("train"))
    counts = splits.train.class_counts()
    assert str(len(splits.train)) in train_line and f"a {counts[0]}" in train_line
    assert f"b {counts[1]}" in train_line
    examples = [line for line in out if line.strip().startswith("[")]
    assert len(examples) == 2 and splits.train.texts[0] in examples[0]


def test_non_numeric_or_nan_score_raises_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for bad in ("high", "nan"):
        path = _csv(tmp_path, f"text,y\na,1.5\nb,{bad}\n")
        with pytest.raises(DataError, match=f"data row 2 has '{bad}' in column 'y'") as info:
            load_dataset("file", path=path, score_col="y")
        assert "\n" not in str(info.value)
        assert main(["data", "show", "file", "--path", str(path), "--score-col", "y"]) == 2
        assert "expected a number" in capsys.readouterr().err
