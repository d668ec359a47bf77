"""The ASAP essays on a small synthetic file in the Kaggle format (Latin-1 TSV, 28 columns)."""

from __future__ import annotations

from pathlib import Path

import pytest

from wordlight.cli.main import main
from wordlight.data import essays, load_dataset
from wordlight.errors import DataError

TRAITS = [f"rater{r}_trait{t}" for t in range(1, 7) for r in range(1, 4)]
HEADER = [
    "essay_id", "essay_set", "essay", "rater1_domain1", "rater2_domain1", "rater3_domain1",
    "domain1_score", "rater1_domain2", "rater2_domain2", "domain2_score", *TRAITS,
]  # fmt: skip
# set 1: 1..8 twice each; set 3: 0..3; set 5: counts 1, 5, 5, 4, 1 of scores 0..4
SCORES = {
    "1": [s for s in range(1, 9) for _ in range(2)],
    "3": [0, 1, 2, 3, 3, 2],
    "5": [0] + [1] * 5 + [2] * 5 + [3] * 4 + [4],
}


def _write(path: Path, scores: dict[str, list[int]]) -> Path:
    lines = ["\t".join(HEADER)]
    essay_id = 0
    for essay_set, values in scores.items():
        for score in values:
            essay_id += 1
            text = f"Dear @CAPS1, the café essay {essay_id} scored well"
            cells = [str(essay_id), essay_set, text, "", "", "", str(score)]
            lines.append("\t".join(cells + [""] * (len(HEADER) - len(cells))))
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode("latin-1"))
    return path


def test_bins_per_set_are_equal_frequency(tmp_path: Path) -> None:
    data, bins = essays.load(_write(tmp_path / "training_set_rel3.tsv", SCORES))
    assert bins["1"] == [[1, 2], [3, 4], [5, 6], [7, 8]]  # 16 essays: 4 per bin exactly
    assert bins["3"] == [[0], [1], [2], [3]]  # 4 distinct scores: one bin each
    # set 5 (16 essays, target 4 per bin): merging 3+4 gives sizes 1,5,5,5 (cost 12), the
    # best of the four possible merges (0+1: 14, 1+2: 54, 2+3: 44)
    assert bins["5"] == [[0], [1], [2], [3, 4]]
    assert data.label_names == essays.LABELS and data.task == "ordinal"
    set5 = [y for y, i in zip(data.labels, data.ids, strict=True) if int(i) > 22]
    assert set5 == [0] + [1] * 5 + [2] * 5 + [3] * 5
    assert data.scores[:3] == (1.0, 1.0, 2.0)  # the raw domain1_score
    assert "café" in data.texts[0]  # Latin-1 decoded


def test_splits_are_seeded_and_cli_shows_the_bins(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _write(tmp_path / "asap.tsv", SCORES)
    splits = load_dataset("essays", path=path)
    assert sum(map(len, (splits.train, splits.validation, splits.test))) == 38
    assert load_dataset("essays", path=path) == splits
    assert main(["data", "show", "essays", "--path", str(path)]) == 0
    assert "essay set 5: scores per bin 0 | 1 | 2 | 3,4" in capsys.readouterr().out


def test_too_few_scores_and_absent_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(DataError, match="essay set 2 has only 3 distinct scores"):
        essays.load(_write(tmp_path / "few.tsv", {"2": [1, 2, 3, 3]}))
    missing = tmp_path / "training_set_rel3.tsv"
    with pytest.raises(DataError, match="asap-aes") as info:
        load_dataset("essays", path=missing)
    assert "\n" not in str(info.value) and "--path" in str(info.value)
    assert main(["data", "show", "essays", "--path", str(missing)]) == 2
    assert "kaggle.com/c/asap-aes" in capsys.readouterr().err


def test_missing_columns_and_nan_scores(tmp_path: Path) -> None:
    bad = tmp_path / "bad.tsv"
    bad.write_bytes(b"essay_id\tessay\n1\tx\n")
    with pytest.raises(DataError, match=r"no column 'essay_set', 'domain1_score'; columns found"):
        essays.load(bad)
    path = _write(tmp_path / "nan.tsv", SCORES)
    path.write_bytes(path.read_bytes().replace(b"well\t\t\t\t1\t", b"well\t\t\t\tNaN\t", 1))
    with pytest.raises(DataError, match="'NaN' in column 'domain1_score'"):
        essays.load(path)


def test_fetch_essays_says_where_to_get_the_file(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["data", "fetch", "essays"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "kaggle.com/c/asap-aes" in err and "not fetched" in err
