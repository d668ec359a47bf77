"""The one table of output formats, shared by ``wordlight explain``, ``layers``, ``compare``
and the Python API: ``RENDERERS[name].render(results, **options)``.

A new format is one file here defining ``RENDERER`` and one line in :data:`RENDERERS`.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from wordlight.errors import InputError, one_of
from wordlight.viz.formats import html_page, json_lines, json_list, png_heatmap, terminal_text
from wordlight.viz.formats.base import KINDS, Kind, Renderer, Results, classify

RENDERERS: dict[str, Renderer] = {
    r.name: r
    for r in (
        terminal_text.RENDERER,
        html_page.RENDERER,
        json_list.RENDERER,
        json_lines.RENDERER,
        png_heatmap.RENDERER,
    )
}


def renderer_for(
    format: str | None = None,
    out: str | Path | None = None,
    *,
    formats: Sequence[str] | None = None,
    fallback: str | None = None,
) -> Renderer:
    """The renderer named ``format``, else the one whose suffix ``out`` has, else ``fallback``.

    ``formats`` limits the choice (a command's formats); an unknown name or suffix is an
    InputError of one line listing what is possible.
    """
    allowed = list(RENDERERS) if formats is None else list(formats)
    if format is not None:
        if format not in allowed:
            raise one_of("format", format, allowed)
        return RENDERERS[format]
    suffix = Path(out).suffix.lower() if out else ""
    for name in allowed:
        if suffix and suffix in RENDERERS[name].suffixes:
            return RENDERERS[name]
    if fallback is not None:
        return RENDERERS[fallback]
    if out is None:
        raise InputError("give an output file (--out) or a format")
    firsts = [RENDERERS[n].suffixes[0] for n in allowed if RENDERERS[n].suffixes]
    listed = ", ".join(firsts[:-1]) + " or " + firsts[-1] if len(firsts) > 1 else firsts[0]
    raise InputError(f"--out {out}: give a {listed} file")


def render(results: Results, format: str, **options: Any) -> str | bytes:
    """``results`` (Explanations, LayerExplanations or a Comparison) in ``format``."""
    return renderer_for(format).render(results, **options)


def write(
    renderer: Renderer, results: Results, out: str | Path | None, **options: Any
) -> str | bytes:
    """Render and write to ``out`` (a file, its folders made; standard output if None).

    Text for a file is rendered without terminal colour."""
    if out is not None:
        options.setdefault("color", False)
    content = renderer.render(results, **options)
    if out is None:
        if isinstance(content, bytes):
            raise InputError(f"the {renderer.name} format is binary; give an output file")
        sys.stdout.write(content if content.endswith("\n") else content + "\n")
        return content
    path = Path(out)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    if isinstance(content, bytes):
        tmp.write_bytes(content)
    else:
        tmp.write_text(content, encoding="utf-8")
    tmp.replace(path)
    return content


__all__ = [
    "KINDS",
    "RENDERERS",
    "Kind",
    "Renderer",
    "classify",
    "render",
    "renderer_for",
    "write",
]
