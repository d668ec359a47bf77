"""The VADER data loader on a synthetic sdist built here: no network, a temporary cache."""

from __future__ import annotations

import hashlib
import io
import subprocess
import tarfile
from pathlib import Path

import numpy as np
import pytest

from wordlight.data import (
    SENTIMENT_LABELS,
    TextDataset,
    fetch,
    load_dataset,
    load_vader,
    split_dataset,
    split_indices,
    vader,
)
from wordlight.errors import DataError, InputError

MOVIES = (
    b"1\t2.5\tA gorgeous, witty film.\r\n"
    b"2\t-1.25\tTedious and overlong.\r\n"
    b"3\t0.0\tIt is a movie.\r\n"
    b"4\t0.1\t  Slightly nice.  \r\n"
    b"5\t-0.0\tNeutral again.\r\n"
    b"6\t-3.9\tThe worst thing I have seen this year \xe2\x80\x94 truly.\r\n"
)
OTHERS = {
    "amazonReviewSnippets": b"1_1\t1.5\tworks fine\r\n1_2\t-2\tbroke at once\r\n",
    "nytEditorialSnippets": b"9_1\t0\tThe council met.\r\n9_2\t-0.5\tA poor plan.\r\n",
    "tweets": b"1\t3.1\tlove it :)\r\n",
}


def _targz(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def _sdist(movies: bytes = MOVIES, extra: dict[str, bytes] | None = None) -> tuple[bytes, bytes]:
    members = {"hutto_ICWSM_2014/movieReviewSnippets_GroundTruth.txt": movies}
    members.update({f"hutto_ICWSM_2014/{k}_GroundTruth.txt": v for k, v in OTHERS.items()})
    members.update(extra or {})
    inner = _targz(members)
    outer = _targz({vader.INNER_MEMBER: inner, "vaderSentiment-3.3.2/setup.py": b"# setup"})
    return outer, inner


@pytest.fixture()
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "cache"
    monkeypatch.setenv("WORDLIGHT_CACHE", str(root))
    return root


@pytest.fixture()
def fake_pip(cache: Path, monkeypatch: pytest.MonkeyPatch) -> list[list[str]]:
    """subprocess.run stand-in: 'downloads' the synthetic sdist; pins its checksums."""
    outer, inner = _sdist()
    pins = hashlib.sha256(outer).hexdigest(), hashlib.sha256(inner).hexdigest()
    monkeypatch.setattr(vader, "SOURCE", vader.make_source(*pins))
    calls: list[list[str]] = []

    def run(command: list[str], **kwargs: object) -> subprocess.CompletedProcess[str]:
        calls.append(command)
        dest = Path(command[command.index("-d") + 1])
        (dest / vader.SDIST_NAME).write_bytes(outer)
        return subprocess.CompletedProcess(command, 0, "", "")

    monkeypatch.setattr(fetch.subprocess, "run", run)
    return calls


def test_rows_are_parsed_stripped_and_labelled_by_sign(fake_pip: list[list[str]]) -> None:
    data = load_vader("movies")
    assert data.ids == ("1", "2", "4", "6")  # the exact zeros (0.0 and -0.0) are dropped
    assert data.texts == (
        "A gorgeous, witty film.",
        "Tedious and overlong.",
        "Slightly nice.",
        "The worst thing I have seen this year \u2014 truly.",
    )
    assert not any("\r" in t for t in data.texts)
    assert data.scores == (2.5, -1.25, 0.1, -3.9)
    assert data.labels == (1, 0, 1, 0)
    assert data.label_names == SENTIMENT_LABELS == ("negative", "positive")
    command = fake_pip[0]
    assert command[1:4] == ["-m", "pip", "download"]
    assert {"--no-deps", "--no-binary", ":all:", "vaderSentiment==3.3.2"} <= set(command)


def test_other_sets_come_from_the_same_tarball(fake_pip: list[list[str]]) -> None:
    assert load_vader("amazon").labels == (1, 0)
    assert load_vader("nyt").texts == ("A poor plan.",)
    assert load_vader("tweets").scores == (3.1,)
    assert len(fake_pip) == 1  # one download serves every set


def test_cache_is_used_offline_and_checked(
    fake_pip: list[list[str]], cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = load_vader("movies")

    def no_network(*args: object, **kwargs: object) -> None:
        raise AssertionError("fetched again although the cache is complete")

    monkeypatch.setattr(fetch.subprocess, "run", no_network)
    assert load_vader("movies") == first
    files = sorted(p.name for p in (cache / "vader-3.3.2").iterdir())
    assert files == sorted(
        [vader.MANIFEST, *(f"{s}_GroundTruth.txt" for s in vader.FILES.values())]
    )

    cached = cache / "vader-3.3.2" / "movieReviewSnippets_GroundTruth.txt"
    cached.write_bytes(cached.read_bytes().replace(b"2.5", b"3.5"))
    with pytest.raises(DataError, match="checksum") as info:
        load_vader("movies")
    assert "\n" not in str(info.value)


def test_sdist_checksum_mismatch_raises(cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    outer, _ = _sdist()
    folder = cache / "vader-3.3.2"
    folder.mkdir(parents=True)
    (folder / vader.SDIST_NAME).write_bytes(outer)  # put there "by hand"; real pins kept

    def no_network(*args: object, **kwargs: object) -> None:
        raise AssertionError("the sdist in the cache should be used")

    monkeypatch.setattr(fetch.subprocess, "run", no_network)
    with pytest.raises(DataError, match="sha256") as info:
        load_vader("movies")
    assert "\n" not in str(info.value)
    assert not (folder / vader.MANIFEST).exists()


def test_inner_checksum_mismatch_raises(cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    outer, _ = _sdist()
    folder = cache / "vader-3.3.2"
    folder.mkdir(parents=True)
    (folder / vader.SDIST_NAME).write_bytes(outer)
    monkeypatch.setattr(vader, "SOURCE", vader.make_source(hashlib.sha256(outer).hexdigest()))
    with pytest.raises(DataError, match=r"hutto_ICWSM_2014\.tar\.gz"):
        load_vader("movies")


def test_failing_pip_raises_one_line(cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def failing(command: list[str], **kwargs: object) -> subprocess.CompletedProcess[str]:
        stderr = (
            "WARNING: retrying\nERROR: No matching distribution found for vaderSentiment==3.3.2\n"
        )
        return subprocess.CompletedProcess(command, 1, "", stderr)

    monkeypatch.setattr(fetch.subprocess, "run", failing)
    with pytest.raises(DataError) as info:
        load_vader("movies")
    message = str(info.value)
    assert "\n" not in message
    assert "No matching distribution" in message
    assert "WORDLIGHT_CACHE" in message and vader.SDIST_NAME in message


def test_missing_pip_raises_one_line(cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def missing(command: list[str], **kwargs: object) -> None:
        raise FileNotFoundError(2, "No such file or directory", command[0])

    monkeypatch.setattr(fetch.subprocess, "run", missing)
    with pytest.raises(DataError, match="cannot run pip") as info:
        load_vader("movies")
    assert "\n" not in str(info.value)


def test_only_the_named_members_are_extracted(
    cache: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    outer, inner = _sdist(extra={"../escaped.txt": b"x", "/tmp/absolute.txt": b"y"})
    folder = cache / "vader-3.3.2"
    folder.mkdir(parents=True)
    (folder / vader.SDIST_NAME).write_bytes(outer)
    pins = hashlib.sha256(outer).hexdigest(), hashlib.sha256(inner).hexdigest()
    monkeypatch.setattr(vader, "SOURCE", vader.make_source(*pins))
    assert len(load_vader("movies")) == 4
    assert not (cache / "escaped.txt").exists() and not (tmp_path / "escaped.txt").exists()
    written = {p.name for p in folder.iterdir()}
    assert written == {vader.SDIST_NAME, vader.MANIFEST} | {
        f"{s}_GroundTruth.txt" for s in vader.FILES.values()
    }


def test_malformed_line_and_unknown_name() -> None:
    with pytest.raises(DataError, match=":2:"):
        vader.parse_ground_truth(b"1\t1.0\tfine\r\nno tabs here\r\n", source="x")
    with pytest.raises(InputError, match="'movies'"):
        load_vader("imdb")


@pytest.mark.parametrize("n", [10, 1000, 10568])
def test_split_is_a_fixed_80_10_10_partition(n: int) -> None:
    train, validation, test = split_indices(n)
    assert (len(train), len(validation), len(test)) == (
        int(0.8 * n),
        int(0.1 * n),
        n - int(0.8 * n) - int(0.1 * n),
    )
    everything = np.concatenate([train, validation, test])
    assert sorted(everything.tolist()) == list(range(n))  # disjoint and covering
    perm = np.random.default_rng(13).permutation(n)  # the documented rule, recomputed
    assert set(train.tolist()) == set(perm[: int(0.8 * n)].tolist())
    assert set(test.tolist()) == set(perm[int(0.8 * n) + int(0.1 * n) :].tolist())
    again = split_indices(n)
    assert all(np.array_equal(a, b) for a, b in zip((train, validation, test), again, strict=True))


def test_split_keeps_rows_together() -> None:
    n = 50
    data = TextDataset(
        texts=tuple(f"text {i}" for i in range(n)),
        labels=tuple(i % 2 for i in range(n)),
        scores=tuple(float(i) for i in range(n)),
        label_names=("negative", "positive"),
        ids=tuple(str(i) for i in range(n)),
    )
    splits = split_dataset(data)
    assert [len(splits.train), len(splits.validation), len(splits.test)] == [40, 5, 5]
    for part in (splits.train, splits.validation, splits.test):
        for text, label, score, row_id in zip(
            part.texts, part.labels, part.scores, part.ids, strict=True
        ):
            assert text == f"text {row_id}" and label == int(row_id) % 2 and score == float(row_id)
    assert split_dataset(data, seed=14).test != splits.test


def test_load_dataset_splits_the_fetched_rows(fake_pip: list[list[str]]) -> None:
    splits = load_dataset("movies")
    sizes = (len(splits.train), len(splits.validation), len(splits.test))
    assert sizes == (3, 0, 1)  # int(0.8 * 4), int(0.1 * 4), the rest
    assert set(splits.train.ids + splits.test.ids) == {"1", "2", "4", "6"}
