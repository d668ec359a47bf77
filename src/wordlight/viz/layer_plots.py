"""Figures of a LayerExplanation (matplotlib, imported lazily): token × layer heatmap,
per-token distribution over layers, and information curves.

Every signed figure uses the package's one colour scale (``viz.colors``): 0 is white, green
towards the target, red against it, one shared symmetric range for all layers unless
``normalise=True`` divides each layer by its own max ``|score|`` (then said on the figure:
rows are no longer comparable). Columns are the positions the model saw, labelled with their
own token, special tokens included. Unsigned methods (the information method:
``colors.unsigned_meaning``) get a one-colour scale from 0 (white) to the max score (blue), no
target in the title, and a colour-bar label saying what the number means. Functions return a
``matplotlib.figure.Figure`` (no pyplot, no global state); :func:`figure_png` turns one into
PNG bytes.
"""

from __future__ import annotations

import io
from typing import Any

import numpy as np

from wordlight.checks import require
from wordlight.errors import InputError
from wordlight.results import LayerExplanation, LayerProfile
from wordlight.viz.colors import score_to_rgb, unsigned_meaning
from wordlight.viz.prediction import explained, prediction_line


def _matplotlib() -> Any:
    matplotlib = require("matplotlib", "viz")
    require("matplotlib.colors", "viz")
    require("matplotlib.figure", "viz")
    return matplotlib


def signed_colormap() -> Any:
    """The package's scale as a colormap: red at -1, white at 0, green at +1 (``colors.py``)."""
    mpl = _matplotlib()
    red, green = (np.array(score_to_rgb(s, 1.0)) / 255 for s in (-1.0, 1.0))
    cmap = mpl.colors.LinearSegmentedColormap.from_list(
        "wordlight", [tuple(red), (1.0, 1.0, 1.0), tuple(green)]
    )
    return cmap.with_extremes(bad="#d1d5db")  # NaN (special tokens under information): grey


def unsigned_colormap() -> Any:
    """The one-colour scale of unsigned scores: white at 0, blue at 1; NaN grey."""
    mpl = _matplotlib()
    full = tuple(np.array(score_to_rgb(1.0, 1.0, signed=False)) / 255)
    cmap = mpl.colors.LinearSegmentedColormap.from_list("wordlight-unsigned", [(1, 1, 1), full])
    return cmap.with_extremes(bad="#d1d5db")


def layer_names(result: LayerExplanation) -> list[str]:
    return ["emb" if k == 0 else f"L{k}" for k in result.layers]


def heatmap_values(
    result: LayerExplanation, *, normalise: bool = False, scale: float | None = None
) -> tuple[np.ndarray, float]:
    """(values, vmax) drawn by :func:`layer_heatmap`: the scores on one shared range
    ``[-vmax, vmax]`` (``scale`` or the max ``|score|``), or each row ÷ its own max ``|score|``."""
    scores = np.asarray(result.scores, dtype=np.float64)
    if normalise:
        finite = np.where(np.isfinite(scores), np.abs(scores), 0.0)
        peak = finite.max(axis=1, keepdims=True)
        peak = np.where(peak > 0, peak, 1.0)  # an all-zero or all-NaN row stays as it is
        return scores / peak, 1.0
    if scale is not None:
        if not (np.isfinite(scale) and scale > 0):
            raise InputError(f"scale must be a positive number, got {scale!r}")
        return scores, float(scale)
    finite = np.abs(scores[np.isfinite(scores)])
    vmax = float(finite.max()) if finite.size and finite.max() > 0 else 1.0
    return scores, vmax


def layer_heatmap(
    result: LayerExplanation, *, normalise: bool = False, scale: float | None = None
) -> Any:
    """Token × layer heatmap: a column per position (labelled with its token), a row per layer."""
    mpl = _matplotlib()
    values, vmax = heatmap_values(result, normalise=normalise, scale=scale)
    meaning = unsigned_meaning(result)
    n_rows, n_cols = values.shape
    fig = mpl.figure.Figure(figsize=(max(5.0, 0.55 * n_cols + 2.5), max(2.6, 0.42 * n_rows + 1.8)))
    ax = fig.add_subplot()
    norm = mpl.colors.Normalize(vmin=-vmax if meaning is None else 0.0, vmax=vmax)
    cmap = signed_colormap() if meaning is None else unsigned_colormap()
    image = ax.imshow(np.ma.masked_invalid(values), cmap=cmap, norm=norm, aspect="auto")
    ax.set_xticks(range(n_cols), result.token_labels, rotation=60, ha="right", fontsize=9)
    ax.set_yticks(range(n_rows), layer_names(result), fontsize=9)
    ax.set_ylabel("layer (emb = embedding output)")
    for i, special in enumerate(result.special):
        if special:
            ax.get_xticklabels()[i].set_color("#6b7280")
    if normalise:
        label = "score ÷ its layer's max |score|"
        title = "PER-LAYER NORMALISED: colours compare within a row, not across rows"
    elif meaning is None:
        label = f"score (shared scale, full colour at |score| ≥ {vmax:.3g})"
        title = "one shared signed scale for all layers"
    else:
        label = f"score, full colour at ≥ {vmax:.3g} (unsigned: no direction)"
        title = "one shared unsigned scale for all layers"
    bar = fig.colorbar(image, ax=ax, fraction=0.04, pad=0.02)
    bar.set_label(label, fontsize=8)
    if meaning is None:  # the answer: the value for regression, not a probability
        answer = prediction_line(result, " · ")
        ax.set_title(f"{result.method} → {explained(result)}: {title}\n{answer}", fontsize=9)
    else:  # the same for every target: no arrow; the legend says what the number is
        ax.set_title(f"{result.method}: {title}\nscore = {meaning}", fontsize=8)
    fig.tight_layout()
    return fig


def _token_position(result: LayerExplanation, token: int | str | None) -> int:
    labels = result.token_labels
    if token is None:  # the text token with the largest attribution over all layers
        content = result.content
        total = np.nansum(np.abs(result.scores[:, content]), axis=0)
        return int(content[int(np.argmax(total))])
    if isinstance(token, str):
        if token not in labels:
            raise InputError(f"token {token!r} is not in this result; it has: {', '.join(labels)}")
        return labels.index(token)
    if not -len(labels) <= token < len(labels):
        raise InputError(f"token index {token} is out of range: 0..{len(labels) - 1}")
    return token % len(labels)


def layer_distribution(result: LayerExplanation, token: int | str | None = None) -> Any:
    """Three panels for one token: its per-dimension attributions per layer (box plot), their
    histograms per layer on one common binning, and the total attribution of each layer."""
    mpl = _matplotlib()
    if result.dims is None:
        raise InputError(
            "this result has no per-dimension values; run the method with keep_dims=True"
        )
    i = _token_position(result, token)
    values = [np.asarray(result.dims[r, i], dtype=np.float64) for r in range(len(result.layers))]
    names = layer_names(result)
    fig = mpl.figure.Figure(figsize=(13.0, 3.6))
    box, hist, total = fig.subplots(1, 3)
    box.boxplot(values, showfliers=True)
    box.set_xticks(range(1, len(names) + 1), names)
    box.axhline(0.0, color="#9ca3af", linewidth=0.8)
    box.set_title(f"{result.token_labels[i]!r}: attribution per hidden dimension", fontsize=9)
    box.set_xlabel("layer")
    edges = common_bins(values)
    cmap = mpl.colormaps["viridis"]
    for r, (name, v) in enumerate(zip(names, values, strict=True)):
        colour = cmap(r / max(1, len(names) - 1))
        hist.hist(v, bins=edges, histtype="step", color=colour, label=name)
    hist.set_title(f"histograms on one binning ({len(edges) - 1} bins)", fontsize=9)
    hist.set_xlabel("attribution of one dimension")
    hist.legend(fontsize=7, ncol=2)
    sums = np.nansum(result.scores, axis=1)
    signed = unsigned_meaning(result) is None
    one = "#{:02x}{:02x}{:02x}".format(*score_to_rgb(1.0, 1.0, signed=False))
    bars = [("#16a34a" if s >= 0 else "#dc2626") if signed else one for s in sums]
    total.bar(range(len(names)), sums, color=bars)
    total.set_xticks(range(len(names)), names)
    if result.gap is not None:
        total.axhline(result.gap, color="#111", linestyle="--", linewidth=1, label="f(x) − f(x′)")
        total.legend(fontsize=7)
    total.set_title("total attribution per layer (all tokens)", fontsize=9)
    fig.tight_layout()
    return fig


def common_bins(values: list[np.ndarray], bins: int = 30) -> np.ndarray:
    """One set of bin edges covering every array (so per-layer histograms compare)."""
    finite = np.concatenate([v[np.isfinite(v)] for v in values]) if values else np.zeros(0)
    return np.histogram_bin_edges(finite if finite.size else np.zeros(1), bins=bins)


def information_curves(result: LayerExplanation) -> Any:
    """Information loss H per word across layers: lines, and the same as a word × layer heatmap."""
    from wordlight.methods.layer_information import information_loss

    mpl = _matplotlib()
    h = information_loss(result, words=True)  # (rows, words)
    words = [w.text for w in result.words]
    names = layer_names(result)
    fig = mpl.figure.Figure(figsize=(12.0, max(3.4, 0.3 * len(words) + 1.5)))
    lines, grid = fig.subplots(1, 2, gridspec_kw={"width_ratios": [1.2, 1.0]})
    cmap = mpl.colormaps["tab20"]
    for j, word in enumerate(words):
        lines.plot(range(len(names)), h[:, j], marker="o", color=cmap(j % 20), label=word)
    lines.set_xticks(range(len(names)), names)
    lines.set_xlabel("layer")
    lines.set_ylabel("H (nats; lower = the layer keeps more)")
    lines.set_title("information loss of each word across layers", fontsize=9)
    lines.legend(fontsize=7, ncol=2)
    image = grid.imshow(h.T, cmap="viridis", aspect="auto")
    grid.set_xticks(range(len(names)), names)
    grid.set_yticks(range(len(words)), words, fontsize=8)
    fig.colorbar(image, ax=grid, fraction=0.05).set_label("H (nats)", fontsize=8)
    grid.set_title("the same as a heatmap (darker = more kept)", fontsize=9)
    fig.tight_layout()
    return fig


def profile_plot(profile: LayerProfile, k: int = 8) -> Any:
    """Mean |score| per layer over a dataset (thick line) and per token type (the ``k`` most
    frequent types)."""
    mpl = _matplotlib()
    names = ["emb" if x == 0 else f"L{x}" for x in profile.layers]
    fig = mpl.figure.Figure(figsize=(7.5, 3.8))
    ax = fig.add_subplot()
    x = range(len(names))
    ax.plot(x, profile.mean_abs, color="#111", linewidth=2.5, label="all text tokens")
    cmap = mpl.colormaps["tab10"]
    for j, token in enumerate(profile.top_types(k)):
        label = f"{token!r} (×{profile.counts[token]})"
        ax.plot(x, profile.by_type[token], color=cmap(j % 10), linewidth=1, label=label)
    ax.set_xticks(x, names)
    ax.set_xlabel("layer")
    ax.set_ylabel("mean |score| per token")
    ax.set_title(f"over {profile.n_texts} texts", fontsize=9)
    ax.legend(fontsize=7, ncol=2)
    fig.tight_layout()
    return fig


def figure_png(fig: Any, dpi: int = 110) -> bytes:
    """A figure as PNG bytes."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi, bbox_inches="tight")
    return buf.getvalue()
