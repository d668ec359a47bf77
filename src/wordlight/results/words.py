"""Token scores -> word scores, with the sign of each score kept (words: ``engine.words``).

A word is a run of letters/digits (with inner apostrophes: "isn't") or one punctuation
mark. A token that spans several such runs (a SentencePiece piece over "a-b") joins them
into one word, so every token belongs to exactly one word and no score is split or lost.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from wordlight.engine.words import group_words

__all__ = ["WORD_AGGREGATIONS", "aggregate_words", "group_words"]

WORD_AGGREGATIONS = ("sum", "mean", "max_abs")


def aggregate_words(
    scores: np.ndarray, groups: Sequence[Sequence[int]], how: str = "sum"
) -> np.ndarray:
    """Word scores from token scores (last axis), keeping sign: sum, mean or max_abs."""
    out = np.zeros((*scores.shape[:-1], len(groups)), dtype=np.float64)
    for w, idx in enumerate(groups):
        part = scores[..., list(idx)]
        if how == "sum":
            out[..., w] = part.sum(-1)
        elif how == "mean":
            out[..., w] = part.mean(-1)
        elif how == "max_abs":
            pick = np.abs(part).argmax(-1)
            out[..., w] = np.take_along_axis(part, np.expand_dims(pick, -1), -1)[..., 0]
        else:
            from wordlight.errors import one_of

            raise one_of("word aggregation", how, WORD_AGGREGATIONS)
    return out
