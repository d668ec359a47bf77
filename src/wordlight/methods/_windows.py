"""Moved to the public ``wordlight.engine.windows``; this name stays only until every branch
imports from wordlight.engine (then delete this file)."""

from wordlight.engine.windows import *  # noqa: F403
