"""Moved to the public ``wordlight.engine.passes``; this name stays only until every branch
imports from wordlight.engine (then delete this file)."""

from wordlight.engine.passes import *  # noqa: F403
