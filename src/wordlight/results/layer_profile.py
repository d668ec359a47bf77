"""Layer results summarised over many texts: mean |score| per layer, and the same per token type.

Only the texts' own tokens count (special tokens are left out: their share moves with depth for
reasons of the architecture, not of the words). NaN scores (e.g. a token the information method
could not fit) are skipped. Every result must cover the same layers.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from wordlight.errors import InputError
from wordlight.results.layer_explanation import LayerExplanation


@dataclass(frozen=True)
class LayerProfile:
    """``mean_abs[r]``: mean |score| of a text token at layer ``layers[r]`` over all texts;
    ``by_type[t][r]``: the same over the occurrences of token type ``t`` (lower-cased text),
    ``counts[t]`` occurrences."""

    layers: tuple[int, ...]
    mean_abs: np.ndarray
    by_type: dict[str, np.ndarray]
    counts: dict[str, int]
    n_texts: int

    def top_types(self, k: int = 8) -> list[str]:
        """The ``k`` most frequent token types (ties: alphabetical)."""
        return sorted(self.counts, key=lambda t: (-self.counts[t], t))[:k]


def layer_profile(results: Sequence[LayerExplanation]) -> LayerProfile:
    """The profile of ``results`` (see :class:`LayerProfile`)."""
    if not results:
        raise InputError("no layer results to summarise; give at least one")
    layers = results[0].layers
    for i, r in enumerate(results):
        if r.layers != layers:
            raise InputError(
                f"result {i} has layers {list(r.layers)}, result 0 has {list(layers)}; "
                "summarise results of the same layers"
            )
    columns: list[np.ndarray] = []
    typed: dict[str, list[np.ndarray]] = defaultdict(list)
    for r in results:
        for i in r.content:
            column = np.abs(r.scores[:, i])
            columns.append(column)
            typed[r.tokens[i].text.lower()].append(column)
    if not columns:
        raise InputError("the results have no text tokens to summarise")
    return LayerProfile(
        layers=layers,
        mean_abs=np.nanmean(np.stack(columns, axis=1), axis=1),
        by_type={t: np.nanmean(np.stack(c, axis=1), axis=1) for t, c in typed.items()},
        counts={t: len(c) for t, c in typed.items()},
        n_texts=len(results),
    )
