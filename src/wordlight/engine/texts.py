"""Validation of the texts and their encodings, before any model pass."""

from __future__ import annotations

from collections.abc import Sequence

from wordlight.errors import InputError
from wordlight.models.protocol import Encoding


def check_texts(texts: str | Sequence[str]) -> list[str]:
    """A list of non-empty texts, or one clear InputError."""
    if isinstance(texts, str):
        texts = [texts]
    if not isinstance(texts, Sequence) or len(texts) == 0:
        raise InputError("no texts given; pass a string or a list of strings")
    for i, t in enumerate(texts):
        if not isinstance(t, str):
            raise InputError(f"text {i} is a {type(t).__name__}, not a string")
        if not t.strip():
            raise InputError(f"text {i} is empty or whitespace only; give some words to explain")
    return list(texts)


def check_encodings(encodings: Sequence[Encoding], room: int | None = None) -> None:
    """An InputError for a text without a token the model knows, or (with ``room``) one with
    more content tokens than one pass takes."""
    for i, enc in enumerate(encodings):
        if not enc.ids:
            raise InputError(f"text {i} ({enc.text[:30]!r}) has no tokens the model knows")
        if room is not None and len(enc.ids) > room:
            raise InputError(
                f"text {i} has {len(enc.ids)} tokens; layer analysis takes at most {room} "
                "per text (one forward pass); shorten it"
            )
