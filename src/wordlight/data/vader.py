"""The VADER ground-truth snippets (Hutto & Gilbert, ICWSM 2014), fetched from the package registry.

The ``vaderSentiment==3.3.2`` source distribution on PyPI ships
``additional_resources/hutto_ICWSM_2014.tar.gz``; its ``*_GroundTruth.txt`` files hold
``id<TAB>mean human score in [-4, 4]<TAB>text`` rows (CRLF, UTF-8). On first use the sdist is
downloaded with pip (or taken from the cache directory where a user put it by hand), both archives
are checked against pinned sha256 digests, and only the four ground-truth files are copied into
``$WORDLIGHT_CACHE/vader-3.3.2/`` (default ``~/.cache/wordlight``). Later loads are offline and
check the cached files against a small sha256 manifest written at extraction time.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

from wordlight.errors import DataError, one_of

VERSION = "3.3.2"
SDIST_NAME = f"vaderSentiment-{VERSION}.tar.gz"
SDIST_SHA256 = "5d7c06e027fc8b99238edb0d53d970cf97066ef97654009890b83703849632f9"
INNER_MEMBER = f"vaderSentiment-{VERSION}/additional_resources/hutto_ICWSM_2014.tar.gz"
INNER_SHA256 = "d5bb07d87474b3eb8d30b4deccbc23f19d742a6c5718fbacc65485b70b95c5fa"
INNER_FOLDER = "hutto_ICWSM_2014"
MANIFEST = "manifest.json"

# wordlight's name -> the file stem in the tarball
FILES = {
    "movies": "movieReviewSnippets",
    "amazon": "amazonReviewSnippets",
    "nyt": "nytEditorialSnippets",
    "tweets": "tweets",
}

Row = tuple[str, float, str]  # (id, mean score, text)


def cache_root() -> Path:
    """``$WORDLIGHT_CACHE`` if set, else ``~/.cache/wordlight``."""
    env = os.environ.get("WORDLIGHT_CACHE")
    return Path(env).expanduser() if env else Path.home() / ".cache" / "wordlight"


def vader_dir() -> Path:
    return cache_root() / f"vader-{VERSION}"


def read_rows(name: str) -> list[Row]:
    """All rows of one ground-truth file, in file order (fetching the files on first use)."""
    if name not in FILES:
        raise one_of("VADER data set", name, FILES)
    folder = ensure_files()
    path = folder / _file_name(name)
    data = path.read_bytes()
    expected = json.loads((folder / MANIFEST).read_text())["files"][path.name]
    if _sha256(data) != expected:
        raise DataError(f"{path} does not match its checksum; delete {folder} to fetch it again")
    return parse_ground_truth(data, source=str(path))


def parse_ground_truth(data: bytes, source: str = "<bytes>") -> list[Row]:
    """``id<TAB>score<TAB>text`` lines (CRLF or LF) -> rows; text is stripped of whitespace."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise DataError(f"{source} is not UTF-8 ({exc.reason} at byte {exc.start})") from None
    rows = []
    for number, line in enumerate(text.split("\n"), start=1):
        line = line.rstrip("\r")
        if not line.strip():
            continue
        parts = line.split("\t", 2)
        if len(parts) != 3:
            raise DataError(f"{source}:{number}: expected id<TAB>score<TAB>text, got {line[:40]!r}")
        try:
            score = float(parts[1])
        except ValueError:
            raise DataError(f"{source}:{number}: score {parts[1]!r} is not a number") from None
        rows.append((parts[0].strip(), score, parts[2].strip()))
    return rows


def ensure_files() -> Path:
    """The cache folder holding the ground-truth files; fetches and extracts them if needed."""
    folder = vader_dir()
    if _cache_is_complete(folder):
        return folder
    folder.mkdir(parents=True, exist_ok=True)
    by_hand = folder / SDIST_NAME
    if by_hand.is_file():
        _extract(by_hand.read_bytes(), folder)
    else:
        _extract(_download_sdist(), folder)
    return folder


def _cache_is_complete(folder: Path) -> bool:
    try:
        files = json.loads((folder / MANIFEST).read_text())["files"]
    except (OSError, ValueError, KeyError, TypeError):
        return False
    return all(isinstance(files.get(_file_name(n)), str) for n in FILES) and all(
        (folder / _file_name(n)).is_file() for n in FILES
    )


def _download_sdist() -> bytes:
    """The sdist's bytes, downloaded with pip into a temporary folder."""
    hint = (
        f"download {SDIST_NAME} from PyPI and put it in {vader_dir()} "
        "(or set WORDLIGHT_CACHE to a folder that has it)"
    )
    with tempfile.TemporaryDirectory(prefix="wordlight-vader-") as tmp:
        command = [
            sys.executable, "-m", "pip", "download", "--quiet", "--no-deps",
            "--no-binary", ":all:", f"vaderSentiment=={VERSION}", "-d", tmp,
        ]  # fmt: skip
        try:
            result = subprocess.run(command, capture_output=True, text=True, timeout=600)
        except (OSError, subprocess.SubprocessError) as exc:
            raise DataError(
                f"cannot run pip to fetch vaderSentiment=={VERSION} ({exc}); {hint}"
            ) from None
        if result.returncode != 0:
            reason = _last_line(result.stderr) or f"exit status {result.returncode}"
            raise DataError(f"pip could not fetch vaderSentiment=={VERSION} ({reason}); {hint}")
        sdist = Path(tmp) / SDIST_NAME
        if not sdist.is_file():
            raise DataError(f"pip did not leave {SDIST_NAME} in its download folder; {hint}")
        return sdist.read_bytes()


def _extract(sdist: bytes, folder: Path) -> None:
    """Check both archives, then copy only the ground-truth files (by our own names) into folder."""
    if _sha256(sdist) != SDIST_SHA256:
        raise DataError(
            f"{SDIST_NAME} does not match its pinned sha256; delete it from {folder} and try again"
        )
    inner = _read_member(sdist, INNER_MEMBER, SDIST_NAME)
    if _sha256(inner) != INNER_SHA256:
        raise DataError(f"{INNER_MEMBER} in {SDIST_NAME} does not match its pinned sha256")
    staging = Path(tempfile.mkdtemp(prefix=".staging-", dir=folder))
    try:
        manifest = {}
        for name in FILES:
            file_name = _file_name(name)
            data = _read_member(inner, f"{INNER_FOLDER}/{file_name}", INNER_MEMBER)
            (staging / file_name).write_bytes(data)
            manifest[file_name] = _sha256(data)
        for file_name in manifest:
            os.replace(staging / file_name, folder / file_name)
        record = {"source": f"vaderSentiment=={VERSION} sdist", "sdist_sha256": SDIST_SHA256}
        (folder / MANIFEST).write_text(json.dumps({**record, "files": manifest}, indent=2) + "\n")
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _read_member(archive: bytes, member: str, label: str) -> bytes:
    """One regular file of a .tar.gz held in memory, looked up by its exact name (nothing else is
    extracted, so no member can write outside the cache)."""
    try:
        with tarfile.open(fileobj=io.BytesIO(archive), mode="r:gz") as tar:
            try:
                info = tar.getmember(member)
            except KeyError:
                raise DataError(f"{label} has no {member}") from None
            handle = tar.extractfile(info) if info.isfile() else None
            if handle is None:
                raise DataError(f"{member} in {label} is not a regular file")
            return handle.read()
    except (tarfile.TarError, OSError, EOFError) as exc:
        raise DataError(f"cannot read {label} as a .tar.gz ({exc})") from None


def _file_name(name: str) -> str:
    return f"{FILES[name]}_GroundTruth.txt"


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _last_line(text: str) -> str:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines[-1][:200] if lines else ""
