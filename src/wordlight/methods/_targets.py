"""Moved to the public ``wordlight.engine.targets``; this name stays only until every branch
imports from wordlight.engine (then delete this file)."""

from wordlight.engine.targets import *  # noqa: F403
