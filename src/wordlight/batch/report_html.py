"""The corpus report as one self-contained HTML page (PNG plots embedded) and a JSON summary."""

from __future__ import annotations

import base64
import html
import io
import json
from pathlib import Path
from typing import Any

OUTCOMES = {"all": "all rows", "correct": "correct predictions", "wrong": "wrong predictions"}


def write_report(summary: dict[str, Any], out: str | Path) -> tuple[Path, Path]:
    """Write ``out`` (HTML) and ``out`` with .json (the summary); both paths."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    page = render_report(summary)
    json_path = out.with_suffix(".json")
    for path, text in ((out, page), (json_path, json.dumps(summary, indent=1))):
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(path)
    return out, json_path


def render_report(summary: dict[str, Any]) -> str:
    e = html.escape
    acc = summary["accuracy"]
    parts = [
        "<!doctype html><html><head><meta charset='utf-8'><title>wordlight corpus report</title>",
        f"<style>{CSS}</style></head><body><h1>What the model relies on</h1>",
        f"<p>{summary['rows']} explanation rows of {summary['texts']} texts; method "
        f"<b>{e(str(summary['method']))}</b>, model <b>{e(str(summary['model']))}</b>"
        + ("" if acc is None else f"; accuracy {100 * acc:.1f}%")
        + f". Words counted at least {summary['min_count']} times; 95% bootstrap intervals.</p>",
    ]
    for label, by_outcome in summary["per_class"].items():
        parts.append(f"<h2>Class {e(label)}</h2>")
        parts.append(_img(_words_plot(label, by_outcome["all"])))
        for outcome, words in by_outcome.items():
            parts.append(f"<h3>{e(OUTCOMES[outcome])}</h3><div class='pair'>")
            for side in ("towards", "against"):
                parts.append(_word_table(f"{side} {label}", words[side]))
            parts.append("</div>")
    parts.append("<h2>Words that flip between classes</h2>")
    if summary["flipping"]:
        parts.append("<table><tr><th>word</th><th>pushes towards (mean, count)</th></tr>")
        for f in summary["flipping"]:
            cells = ", ".join(
                f"{e(c)} ({m:+.3f}, {n})"
                for c, m, n in zip(f["classes"], f["means"], f["counts"], strict=True)
            )
            parts.append(f"<tr><td>{e(f['word'])}</td><td>{cells}</td></tr>")
        parts.append("</table>")
    else:
        parts.append("<p>None with the minimum count.</p>")
    parts.append("<h2>Distributions</h2>")
    parts.append(_img(_histograms(summary["distributions"])))
    parts.append("</body></html>")
    return "\n".join(parts)


def _word_table(title: str, words: list[dict[str, Any]]) -> str:
    rows = "".join(
        f"<tr><td>{html.escape(w['word'])}</td><td>{w['count']}</td><td>{w['mean']:+.4f}</td>"
        f"<td>[{w['ci'][0]:+.4f}, {w['ci'][1]:+.4f}]</td></tr>"
        for w in words
    )
    empty = "" if words else "<tr><td colspan='4'>none with the minimum count</td></tr>"
    return (
        f"<table><caption>{html.escape(title)}</caption><tr><th>word</th><th>n</th>"
        f"<th>mean score</th><th>95% CI</th></tr>{rows}{empty}</table>"
    )


def _figure() -> Any:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _words_plot(label: str, words: dict[str, list[dict[str, Any]]]) -> bytes:
    plt = _figure()
    items = sorted(words["towards"] + words["against"], key=lambda w: w["mean"])
    fig, ax = plt.subplots(figsize=(7, 0.25 * max(len(items), 4) + 1))
    if items:
        means = [w["mean"] for w in items]
        errs = [[w["mean"] - w["ci"][0] for w in items], [w["ci"][1] - w["mean"] for w in items]]
        colors = ["#c0392b" if m < 0 else "#2874a6" for m in means]
        ax.barh(range(len(items)), means, xerr=errs, color=colors, capsize=2)
        ax.set_yticks(range(len(items)), [w["word"] for w in items])
    ax.axvline(0, color="black", linewidth=0.8)
    ax.set_xlabel(f"mean word score towards {label} (95% bootstrap CI)")
    return _png(plt, fig)


def _histograms(dists: dict[str, dict[str, Any]]) -> bytes:
    plt = _figure()
    fig, axes = plt.subplots(1, len(dists), figsize=(4 * len(dists), 3))
    for ax, (name, h) in zip(axes, dists.items(), strict=True):
        if h["n"]:
            edges = h["edges"]
            ax.stairs(h["counts"], edges, fill=True, color="#5d6d7e")
        ax.set_title(f"{name.replace('_', ' ')} (n={h['n']})", fontsize=9)
    fig.tight_layout()
    return _png(plt, fig)


def _png(plt: Any, fig: Any) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=90, bbox_inches="tight")
    plt.close(fig)
    return buf.getvalue()


def _img(png: bytes) -> str:
    return f"<img alt='plot' src='data:image/png;base64,{base64.b64encode(png).decode()}'>"


CSS = (
    "body{font-family:sans-serif;max-width:1100px;margin:2em auto;color:#222}"
    "table{border-collapse:collapse;margin:.5em 1em .5em 0;font-size:90%}"
    "td,th{border:1px solid #ccc;padding:2px 6px;text-align:left}caption{font-weight:bold}"
    ".pair{display:flex;flex-wrap:wrap}img{max-width:100%}"
)
