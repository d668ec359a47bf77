"""The VADER ground-truth snippets (Hutto & Gilbert, ICWSM 2014), fetched from the package registry.

The ``vaderSentiment==3.3.2`` source distribution on PyPI ships
``additional_resources/hutto_ICWSM_2014.tar.gz``; its ``*_GroundTruth.txt`` files hold
``id<TAB>mean human score in [-4, 4]<TAB>text`` rows (CRLF, UTF-8). Both archives are pinned by
sha256; the four ground-truth files are kept in ``$WORDLIGHT_CACHE/vader-3.3.2/`` (see
:mod:`wordlight.data.fetch` for the shared fetch/cache/checksum path).
"""

from __future__ import annotations

from wordlight.data import fetch
from wordlight.errors import DataError, one_of

VERSION = "3.3.2"
SDIST_NAME = f"vaderSentiment-{VERSION}.tar.gz"
SDIST_SHA256 = "5d7c06e027fc8b99238edb0d53d970cf97066ef97654009890b83703849632f9"
INNER_MEMBER = f"vaderSentiment-{VERSION}/additional_resources/hutto_ICWSM_2014.tar.gz"
INNER_SHA256 = "d5bb07d87474b3eb8d30b4deccbc23f19d742a6c5718fbacc65485b70b95c5fa"
INNER_FOLDER = "hutto_ICWSM_2014"
MANIFEST = fetch.MANIFEST

# wordlight's name -> the file stem in the tarball
FILES = {
    "movies": "movieReviewSnippets",
    "amazon": "amazonReviewSnippets",
    "nyt": "nytEditorialSnippets",
    "tweets": "tweets",
}

Row = tuple[str, float, str]  # (id, mean score, text)


def make_source(
    sdist_sha256: str = SDIST_SHA256, inner_sha256: str = INNER_SHA256
) -> fetch.PackageSource:
    """The pinned sdist and the four files kept from it (pins are parameters for tests)."""
    inner = fetch.Member(INNER_MEMBER, inner_sha256)
    files = {
        file_name(name): (inner, fetch.Member(f"{INNER_FOLDER}/{file_name(name)}"))
        for name in FILES
    }
    return fetch.PackageSource(
        requirement=f"vaderSentiment=={VERSION}",
        filename=SDIST_NAME,
        sha256=sdist_sha256,
        folder=f"vader-{VERSION}",
        files=files,
    )


def file_name(name: str) -> str:
    return f"{FILES[name]}_GroundTruth.txt"


SOURCE = make_source()


def read_rows(name: str) -> list[Row]:
    """All rows of one ground-truth file, in file order (fetching the files on first use)."""
    if name not in FILES:
        raise one_of("VADER data set", name, FILES)
    data = fetch.read_file(SOURCE, file_name(name))
    return parse_ground_truth(data, source=str(fetch.folder_of(SOURCE) / file_name(name)))


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
