"""The one adapter from a method's dataclass fields to the app's parameter form, and back.

Every method in ``METHODS``/``LAYER_METHODS`` gets a form with no app change. Clients never pass
a path: parameters that name a file or folder are left out, and a free string must be a plain
name (letters, digits, ``_``, ``-``). The library validates every value again when it builds
the method; its one-line InputError becomes a 422.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from wordlight.data import DATASETS
from wordlight.errors import InputError

HIDDEN = frozenset({"cache_dir", "max_batch_tokens", "layers", "layer_path", "path"})
# a free string whose allowed values are not a Literal: the data sets the method can read
KNOWN_CHOICES: dict[str, tuple[str, ...]] = {"regularization": ("self", *DATASETS)}
KIND_WORDS = {
    "bool": "true or false",
    "int": "an integer",
    "float": "a finite number",
    "int_or_auto": "an integer or 'auto'",
    "int_or_none": "an integer or null",
    "str": "a string",
}
NAME = re.compile(r"^[A-Za-z0-9_\-]{1,64}$")


def describe_method(cls: type) -> list[dict[str, Any]]:
    """The form of a method class: one entry per client-settable parameter, read from the
    library's ``describe_parameters`` (the same declarations the method's own checks use).

    Each entry: ``name``, ``type`` (int, float, bool, str, int_or_auto, int_or_none), ``default``,
    ``choices`` (strings, or null) and ``range`` (e.g. "an integer >= 1", or null).
    """
    from wordlight.methods import describe_parameters

    out = []
    for p in describe_parameters(cls):
        if p.name in HIDDEN or p.name.endswith(("_dir", "_file", "_path")):
            continue
        kind = _kind(p.type, bool(p.choices), p.optional)
        if kind is None:
            continue
        choices: tuple[str, ...] | None = tuple(str(c) for c in p.choices) or None
        if kind == "int_or_auto":
            choices = None
        choices = KNOWN_CHOICES.get(p.name, choices)
        rng = p.range.describe() if p.range is not None else None
        out.append(
            {"name": p.name, "type": kind, "default": p.default, "choices": choices, "range": rng}
        )
    return out


def coerce_params(cls: type, values: Mapping[str, Any]) -> dict[str, Any]:
    """Client values for ``cls`` as Python values, or one InputError naming the bad one."""
    form = {p["name"]: p for p in describe_method(cls)}
    out: dict[str, Any] = {}
    for name, value in values.items():
        if name not in form:
            raise InputError(
                f"{cls.__name__} has no settable parameter {name!r}; its parameters are: "
                + ", ".join(form)
            )
        out[name] = _coerce(form[name], value)
    return out


def _coerce(spec: Mapping[str, Any], value: Any) -> Any:
    name, kind, choices = spec["name"], spec["type"], spec["choices"]
    if value is None and spec["default"] is None:
        return None
    try:
        if kind == "bool":
            if isinstance(value, bool):
                return value
            if str(value).lower() in ("true", "1", "yes", "on"):
                return True
            if str(value).lower() in ("false", "0", "no", "off"):
                return False
            raise ValueError
        if kind == "int" or (kind == "int_or_none" and value is not None):
            return _int(value)
        if kind == "float":
            if isinstance(value, bool):
                raise ValueError
            number = float(value)
            if number != number or number in (float("inf"), float("-inf")):
                raise ValueError
            return number
        if kind == "int_or_auto":
            return "auto" if value == "auto" else _int(value)
    except (TypeError, ValueError, OverflowError):
        raise InputError(f"parameter {name} must be {KIND_WORDS[kind]}, got {value!r}") from None
    text = str(value)
    if choices is not None and text not in choices:
        raise InputError(f"unknown {name} {text!r}; choose one of: {', '.join(choices)}")
    if not NAME.match(text):
        raise InputError(f"parameter {name} must be a plain name (letters, digits, _ or -)")
    return text


def _int(value: Any) -> int:
    if isinstance(value, bool) or (isinstance(value, float) and not value.is_integer()):
        raise ValueError(value)
    return int(value)


def _kind(written: str, has_choices: bool, optional: bool) -> str | None:
    """The form's kind of a parameter from its declared type (as ``describe_parameters`` gives
    it); None for a type the form does not offer (tuples, paths)."""
    plain = written.replace(" ", "")
    if plain == "int|Literal['auto']":
        return "int_or_auto"
    if has_choices:
        return "str"
    simple = {
        "bool": "bool",
        "int": "int",
        "float": "float",
        "str": "str",
        "int|None": "int_or_none",
    }
    return simple.get(plain)


def is_unsigned(method: str, params: Mapping[str, Any]) -> bool:
    """Whether a method's scores are magnitudes (>= 0): the page then uses a one-colour scale.
    The method declares it (``signed`` / ``scores_signed``), so a new unsigned method needs no
    app change."""
    from wordlight.methods import METHODS

    cls = METHODS.get(method)
    return cls is not None and not cls.scores_signed(params)
