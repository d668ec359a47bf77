"""Parameter checks with one error format, and optional imports that name their extra.

The bottom layer: it imports only :mod:`wordlight.errors` and the standard library.

A method declares its allowed values once, on the dataclass field:

- choices as a ``Literal`` annotation (``baseline: Literal["pad", "mask", "zero"] = "pad"``);
- ranges with :func:`bounded` (``n_steps: int = bounded(50, low=1, integer=True)``).

:func:`check_fields` checks every field of a dataclass against those declarations, and
``wordlight.methods.describe_parameters`` reads the same declarations for the CLI and the app.
"""

from __future__ import annotations

import dataclasses
import functools
import importlib
import types
import typing
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Literal

from wordlight.errors import InputError, one_of

RANGE_KEY = "range"  # the field metadata key that holds a field's Range


@dataclass(frozen=True)
class Range:
    """An allowed interval: ``low``/``high`` bounds (None: unbounded), open or closed, and
    whether the value must be an integer."""

    low: float | None = None
    high: float | None = None
    low_open: bool = False
    high_open: bool = False
    integer: bool = False

    def describe(self, value: object = None) -> str:
        """The allowed values in words: ``>= 1``, ``in (0, 1]``, ``> 0``; prefixed by the kind
        (``an integer >= 1``) unless ``value`` already has the right kind."""
        if self.low is not None and self.high is not None:
            left, right = "(" if self.low_open else "[", ")" if self.high_open else "]"
            bound = f"in {left}{self.low:g}, {self.high:g}{right}"
        elif self.low is not None:
            bound = f"{'>' if self.low_open else '>='} {self.low:g}"
        elif self.high is not None:
            bound = f"{'<' if self.high_open else '<='} {self.high:g}"
        else:
            bound = ""
        kind = "an integer" if self.integer else "a number"
        right_kind = isinstance(value, int if self.integer else (int, float))
        if right_kind and not isinstance(value, bool) and bound:
            return bound
        return f"{kind} {bound}".strip()

    def contains(self, value: object) -> bool:
        """Whether ``value`` is a number of the right kind inside the bounds."""
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return False
        if self.integer and not isinstance(value, int):
            return False
        if value != value:  # NaN
            return False
        if self.low is not None and (value <= self.low if self.low_open else value < self.low):
            return False
        return not (
            self.high is not None and (value >= self.high if self.high_open else value > self.high)
        )

    def check(
        self, name: str, value: object, *, also: Iterable[object] = (), context: str = ""
    ) -> None:
        """Raise the one-line InputError unless ``value`` lies in the range or is in ``also``."""
        extra = tuple(also)
        if (isinstance(value, str) and value in extra) or self.contains(value):
            return
        alternatives = "".join(f" or {a!r}" for a in extra)
        where = f" {context}" if context else ""
        raise InputError(
            f"{name} must be {self.describe(value)}{alternatives}{where}, got {value!r}"
        )


choice_error = one_of  # the one 'unknown NAME VALUE; choose one of: ...' error


def check_choice(name: str, value: object, choices: Iterable[object]) -> None:
    """Raise the one-line InputError unless ``value`` is one of ``choices``."""
    allowed = tuple(choices)
    if value not in allowed:
        raise choice_error(name, value, allowed)


def check_range(
    name: str,
    value: object,
    *,
    low: float | None = None,
    high: float | None = None,
    low_open: bool = False,
    high_open: bool = False,
    integer: bool = False,
    also: Iterable[object] = (),
    context: str = "",
) -> None:
    """Raise the one-line InputError unless ``value`` lies in the range (or is one of ``also``).

    ``context`` says what the range depends on, e.g. ``"for rule 'clenshaw_curtis'"``:
    ``n_steps must be an integer >= 2 or 'auto' for rule 'clenshaw_curtis', got 1``.
    """
    Range(low, high, low_open, high_open, integer).check(name, value, also=also, context=context)


def bounded(
    default: Any,
    *,
    low: float | None = None,
    high: float | None = None,
    low_open: bool = False,
    high_open: bool = False,
    integer: bool = False,
) -> Any:
    """A dataclass field with a declared range: ``n_samples: int = bounded(1000, low=2,
    integer=True)``. :func:`check_fields` checks it; ``describe_parameters`` reports it."""
    rng = Range(low, high, low_open, high_open, integer)
    return dataclasses.field(default=default, metadata={RANGE_KEY: rng})


def field_range(f: dataclasses.Field[Any]) -> Range | None:
    """The Range declared on a dataclass field, if any."""
    rng = f.metadata.get(RANGE_KEY)
    return rng if isinstance(rng, Range) else None


def literal_choices(hint: object) -> tuple[object, ...]:
    """The values of every ``Literal`` in a type hint (``Literal["a", "b"] | None`` -> a, b)."""
    if typing.get_origin(hint) is Literal:
        return typing.get_args(hint)
    if typing.get_origin(hint) in (typing.Union, types.UnionType):
        return tuple(c for arg in typing.get_args(hint) for c in literal_choices(arg))
    return ()


def only_literals(hint: object) -> bool:
    """Whether every member of a type hint is a Literal (or None)."""
    args = (
        typing.get_args(hint)
        if typing.get_origin(hint) in (typing.Union, types.UnionType)
        else (hint,)
    )
    return all(typing.get_origin(a) is Literal or a is type(None) for a in args)


def allows_none(hint: object) -> bool:
    return hint is type(None) or (
        typing.get_origin(hint) in (typing.Union, types.UnionType)
        and type(None) in typing.get_args(hint)
    )


@functools.lru_cache(maxsize=256)
def type_hints(cls: type) -> dict[str, Any]:
    """The resolved annotations of a dataclass (strings under ``from __future__ import
    annotations`` become types)."""
    return typing.get_type_hints(cls)


def check_fields(obj: Any, *, skip: Iterable[str] = ()) -> None:
    """Check every field of the dataclass instance ``obj`` against its declarations: a
    ``Literal`` annotation (the value must be one of its choices) and a :func:`bounded` range
    (the value must lie in it, or be one of the Literal choices, e.g. ``n_steps="auto"``).
    ``None`` passes when the annotation allows it. The first violation raises the one-line
    InputError."""
    hints = type_hints(type(obj))  # type: ignore[arg-type]
    skipped = set(skip)
    for f in dataclasses.fields(obj):
        if f.name in skipped:
            continue
        value = getattr(obj, f.name)
        hint = hints.get(f.name)
        if value is None and allows_none(hint):
            continue
        choices = literal_choices(hint)
        rng = field_range(f)
        if rng is not None:
            rng.check(f.name, value, also=choices)
        elif choices and only_literals(hint):  # int | Literal["auto"] needs a range
            check_choice(f.name, value, choices)


def require(package: str, extra: str) -> Any:
    """Import an optional dependency, or raise an InputError naming the extra that has it:
    ``require("pandas", "viz")`` -> ``pip install 'wordlight[viz]'``."""
    try:
        return importlib.import_module(package)
    except ImportError:
        top = package.split(".")[0]
        raise InputError(
            f"this needs {top}, which is not installed; pip install 'wordlight[{extra}]'"
        ) from None


__all__ = [
    "Range",
    "allows_none",
    "bounded",
    "check_choice",
    "check_fields",
    "check_range",
    "choice_error",
    "field_range",
    "literal_choices",
    "require",
    "type_hints",
]
