"""Explanations as pandas DataFrames; pandas is imported only when a frame is asked for."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from wordlight.checks import require
from wordlight.results import Explanation
from wordlight.viz.colors import check_level, level_scores


def _pandas() -> Any:
    return require("pandas", "viz")


def explanation_frame(explanation: Explanation, level: str = "word") -> Any:
    """One row per word (or token): ``word|token, start, end, score`` (+ ``token_indices``)."""
    pd = _pandas()
    check_level(level)
    e = explanation
    if level == "word":
        data: dict[str, list[Any]] = {
            "word": [w.text for w in e.words],
            "start": [w.start for w in e.words],
            "end": [w.end for w in e.words],
            "score": level_scores(e, level).tolist(),
            "token_indices": [tuple(w.token_indices) for w in e.words],
        }
    else:
        data = {
            "token": [t.text for t in e.tokens],
            "start": [t.start for t in e.tokens],
            "end": [t.end for t in e.tokens],
            "score": level_scores(e, level).tolist(),
        }
    frame = pd.DataFrame(data)
    frame["start"] = frame["start"].astype("int64")
    frame["end"] = frame["end"].astype("int64")
    frame["score"] = frame["score"].astype("float64")
    return frame


def explanations_frame(explanations: Iterable[Explanation], level: str = "word") -> Any:
    """Long format over many explanations: ``text_index`` (position in the input), ``method``,
    ``target_label``, then the columns of :func:`explanation_frame`."""
    pd = _pandas()
    items = [explanations] if isinstance(explanations, Explanation) else list(explanations)
    frames = []
    for i, e in enumerate(items):
        frame = explanation_frame(e, level)
        frame.insert(0, "target_label", e.target_label)
        frame.insert(0, "method", e.method)
        frame.insert(0, "text_index", i)
        frames.append(frame)
    if not frames:
        unit = "word" if check_level(level) == "word" else "token"
        columns = ["text_index", "method", "target_label", unit, "start", "end", "score"]
        return pd.DataFrame(columns=columns + (["token_indices"] if unit == "word" else []))
    return pd.concat(frames, ignore_index=True)
