"""Subword tokens -> words, by character offsets.

A word is a run of letters/digits (with inner apostrophes: "isn't") or one punctuation
mark. A token that spans several such runs (a SentencePiece piece over "a-b") joins them
into one word, so every token belongs to exactly one word and no score is split or lost.
The engine uses it to know the words of each window; results use it to build their words.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np

_WORD = re.compile(r"\w+(?:['\u2019]\w+)*|[^\w\s]", re.UNICODE)  # "isn't" is one word


def group_words(
    text: str, token_spans: Sequence[tuple[int, int]]
) -> list[tuple[int, int, tuple[int, ...]]]:
    """Words as ``(start, end, token_indices)``, in text order, for the given token spans."""
    pieces = [m.span() for m in _WORD.finditer(text)]
    parent = list(range(len(pieces)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    starts = np.array([s for s, _ in pieces], dtype=np.int64)
    ends = np.array([e for _, e in pieces], dtype=np.int64)
    token_piece: list[int] = []
    for start, end in token_spans:
        lo, hi = (start, end) if end > start else (start, start + 1)
        hits = np.nonzero((starts < hi) & (ends > lo))[0]
        if len(hits) == 0:  # a token on whitespace only: attach to the nearest piece
            hits = np.array([int(np.argmin(np.abs(starts - start)))]) if len(pieces) else hits
        if len(hits) == 0:
            token_piece.append(-1)
            continue
        root = find(int(hits[0]))
        for h in hits[1:]:
            parent[find(int(h))] = root
        token_piece.append(int(hits[0]))

    members_of: dict[int, list[int]] = {}
    for tok, piece in enumerate(token_piece):
        if piece >= 0:
            members_of.setdefault(find(piece), []).append(tok)
    pieces_of: dict[int, list[int]] = {}
    for p in range(len(pieces)):
        pieces_of.setdefault(find(p), []).append(p)
    words = []
    for root, members in members_of.items():
        start = min(
            min(pieces[p][0] for p in pieces_of[root]), *(token_spans[t][0] for t in members)
        )
        end = max(max(pieces[p][1] for p in pieces_of[root]), *(token_spans[t][1] for t in members))
        words.append((start, end, tuple(members)))
    words.sort()
    return words
