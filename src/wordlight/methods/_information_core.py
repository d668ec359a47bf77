"""Moved to ``wordlight.methods.information_core`` (public: the Interpreter uses it); this name
stays only until every branch imports the new one (then delete this file)."""

from wordlight.methods.information_core import *  # noqa: F403
from wordlight.methods.information_core import _Problem  # noqa: F401
