"""Errors wordlight raises: each carries one line saying what is wrong and what to do."""

from __future__ import annotations

from collections.abc import Iterable


class WordlightError(Exception):
    """Base class; ``str(error)`` is a single line meant for the user."""


class InputError(WordlightError, ValueError):
    """Bad user input: empty text, unknown option, out-of-range value."""


class ModelError(WordlightError):
    """The model cannot be loaded or does not behave like a text classifier."""


class TargetError(InputError):
    """A target class that the model does not have."""


class DataError(WordlightError):
    """A data set cannot be fetched, read or checked."""


def one_of(name: str, value: object, allowed: Iterable[object]) -> InputError:
    """The one 'unknown NAME VALUE; choose one of: ...' error (``wordlight.checks`` uses it)."""
    listed = ", ".join(repr(c) for c in allowed)
    return InputError(f"unknown {name} {value!r}; choose one of: {listed}")
