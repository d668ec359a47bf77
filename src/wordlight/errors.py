"""Errors wordlight raises: each carries one line saying what is wrong and what to do."""

from __future__ import annotations


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


def one_of(name: str, value: object, allowed: object) -> InputError:
    """The one error format for 'value must be one of ...' (``wordlight.checks.choice_error``)."""
    from wordlight.checks import choice_error  # checks imports errors: resolve at call time

    return choice_error(name, value, allowed)  # type: ignore[arg-type]
