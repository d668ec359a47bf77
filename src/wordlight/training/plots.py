"""Figures of a classifier's results: confusion matrix and per-class precision/recall/F1 bars
(matplotlib, imported lazily: ``pip install 'wordlight[viz]'``)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from wordlight.checks import require


def _pyplot() -> Any:
    matplotlib = require("matplotlib", "viz")
    matplotlib.use("Agg", force=False)
    return require("matplotlib.pyplot", "viz")


def confusion_figure(matrix: Sequence[Sequence[int]], label_names: Sequence[str]) -> Any:
    """Counts of true (rows) against predicted (columns) classes."""
    plt = _pyplot()
    k = len(label_names)
    fig, ax = plt.subplots(figsize=(1.2 + 0.8 * k, 1.0 + 0.8 * k), dpi=100)
    ax.imshow(matrix, cmap="Blues")
    top = max((max(row) for row in matrix), default=0)
    for i in range(k):
        for j in range(k):
            value = matrix[i][j]
            color = "white" if value > top / 2 else "black"
            ax.text(j, i, str(value), ha="center", va="center", color=color, fontsize=8)
    ax.set_xticks(range(k), list(label_names), rotation=45, ha="right", fontsize=8)
    ax.set_yticks(range(k), list(label_names), fontsize=8)
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    ax.set_title("confusion matrix", fontsize=9)
    fig.tight_layout()
    return fig


def per_class_figure(per_class: Mapping[str, Mapping[str, float]]) -> Any:
    """Precision, recall and F1 of each class as grouped bars."""
    plt = _pyplot()
    names = list(per_class)
    fig, ax = plt.subplots(figsize=(2.0 + 0.9 * len(names), 3.0), dpi=100)
    width = 0.27
    for offset, key in enumerate(("precision", "recall", "f1")):
        xs = [i + (offset - 1) * width for i in range(len(names))]
        ax.bar(xs, [per_class[n][key] for n in names], width=width, label=key)
    ax.set_xticks(range(len(names)), names, rotation=45, ha="right", fontsize=8)
    ax.set_ylim(0, 1)
    ax.legend(fontsize=7, loc="lower right")
    ax.set_title("per-class scores", fontsize=9)
    fig.tight_layout()
    return fig


def save_png(fig: Any, path: str | Path) -> Path:
    plt = _pyplot()
    out = Path(path)
    fig.savefig(out, format="png")
    plt.close(fig)
    return out
