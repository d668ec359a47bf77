"""The edit view: a word-aligned diff of two explanations of a text before and after an edit.

Words are aligned with ``difflib`` on their lower-cased text; a replaced run pairs its words in
order, and what is left over is marked inserted or deleted.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from typing import Any

from wordlight.web.service import prediction


def word_diff(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, Any]:
    """Rows ``{"op", "before", "after", "change"}`` where before/after are ``{"word", "score"}``
    or null, ``op`` one of equal, replace, insert, delete; plus the prediction change."""
    a = [(w[0], float(s)) for w, s in zip(before["words"], before["word_scores"], strict=True)]
    b = [(w[0], float(s)) for w, s in zip(after["words"], after["word_scores"], strict=True)]
    matcher = difflib.SequenceMatcher(
        a=[w.lower() for w, _ in a], b=[w.lower() for w, _ in b], autojunk=False
    )
    rows: list[dict[str, Any]] = []
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal" or op == "replace":
            for k in range(max(i2 - i1, j2 - j1)):
                left = a[i1 + k] if i1 + k < i2 else None
                right = b[j1 + k] if j1 + k < j2 else None
                kind = op if left and right else ("delete" if left else "insert")
                rows.append(_row(kind, left, right))
        elif op == "delete":
            rows.extend(_row("delete", a[i], None) for i in range(i1, i2))
        else:
            rows.extend(_row("insert", None, b[j]) for j in range(j1, j2))
    return {"rows": rows, "prediction": _prediction_change(before, after)}


def _row(op: str, left: tuple[str, float] | None, right: tuple[str, float] | None) -> dict:
    change = None
    if left is not None and right is not None:
        change = right[1] - left[1]
    return {
        "op": op,
        "before": None if left is None else {"word": left[0], "score": left[1]},
        "after": None if right is None else {"word": right[0], "score": right[1]},
        "change": change,
    }


def _prediction_change(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, Any]:
    """Each output before and after the edit, worded by the model's head (``kind`` as in
    :func:`wordlight.web.service.prediction`): a class, the labels above the threshold, or the
    value (regression)."""
    p0, p1 = prediction(before), prediction(after)
    return {
        "kind": p0["kind"],
        "labels": p0["labels"],
        "before": p0["values"],
        "after": p1["values"],
        "change": [y - x for x, y in zip(p0["values"], p1["values"], strict=True)],
        "predicted_before": p0["predicted"],
        "predicted_after": p1["predicted"],
    }
