"""Helpers the subcommands share: reading texts, coercing method parameters."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from wordlight.errors import InputError


def read_texts(inline: list[str], file: str | None) -> list[str]:
    """Texts given inline, or one per non-blank line of a UTF-8 file ('-' for stdin)."""
    if inline and file:
        raise InputError("give texts inline or with --file, not both")
    if not file:
        if not inline:
            raise InputError('no text given; pass "TEXT" or --file FILE')
        return inline
    if file == "-":
        raw = sys.stdin.buffer.read()
    else:
        path = Path(file)
        if not path.is_file():
            raise InputError(f"{file} does not exist or is not a file")
        raw = path.read_bytes()
    try:
        content = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(
            f"{file} is not valid UTF-8 (bad byte at offset {exc.start}); save it as UTF-8"
        ) from None
    texts = [line.strip() for line in content.splitlines() if line.strip()]
    if not texts:
        raise InputError(f"{file} has no text in it; put one text per line")
    return texts


def split_list(values: str | list[str] | None) -> list[str]:
    """A list given on the command line with spaces, commas or both: ``lime,occlusion``,
    ``lime occlusion`` (one quoted value or several) and ``lime, occlusion`` all give
    ``["lime", "occlusion"]``."""
    if values is None:
        return []
    items = [values] if isinstance(values, str) else values
    return [part for item in items for part in item.replace(",", " ").split()]


def int_list(option: str, values: str | list[str] | None) -> tuple[int, ...]:
    """:func:`split_list` as integers; anything else is an InputError naming ``option``."""
    parts = split_list(values)
    try:
        return tuple(int(x) for x in parts)
    except ValueError:
        shown = " ".join(values) if isinstance(values, list) else values
        raise InputError(f"{option} {shown!r}: give integers, e.g. 0,3,6") from None


def parse_target(target: str | None) -> Any:
    """``--target``: an integer class index stays an int, anything else (a label, 'all') text."""
    if target is not None and target.lstrip("-").isdigit():
        return int(target)
    return target


LABEL_THRESHOLD_HELP = "multi-label models: labels above it are predicted (0 < X < 1; 0.5)"


def label_threshold(value: str) -> float:
    """``--label-threshold``: a number strictly between 0 and 1 (a one-line InputError else)."""
    try:
        number = float(value)
    except ValueError:
        number = float("nan")
    if not 0.0 < number < 1.0:  # NaN fails too
        raise InputError(f"--label-threshold must be a number between 0 and 1, got {value!r}")
    return number


def coerce_params(cls: type, pairs: list[str]) -> dict[str, Any]:
    """``key=value`` strings -> typed keyword arguments of a method dataclass."""
    from wordlight.methods import describe_parameters  # forwarded ones too (LayerInformation)

    defaults = {p.name: p.default for p in describe_parameters(cls)}
    out: dict[str, Any] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep:
            raise InputError(f"--param {pair!r} is not key=value")
        key = key.strip().replace("-", "_")
        if key not in defaults:
            raise InputError(f"{cls.name} has no parameter {key!r}; it has: {', '.join(defaults)}")  # type: ignore[attr-defined]
        out[key] = coerce(key, value, defaults[key])
    return out


def coerce(key: str, value: str, default: Any) -> Any:
    try:
        if isinstance(default, bool):
            if value.lower() not in ("true", "false", "1", "0", "yes", "no"):
                raise ValueError
            return value.lower() in ("true", "1", "yes")
        if key == "n_steps" and value == "auto":
            return value
        if isinstance(default, int):
            return int(value)
        if isinstance(default, float):
            return float(value)
    except ValueError:
        raise InputError(f"{key}={value!r} is not a valid {type(default).__name__}") from None
    return value
