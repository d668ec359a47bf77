"""Rendering results: HTML tables, terminal text, DataFrames and layer figures, on one colour
scale. :data:`RENDERERS` (``wordlight.viz.formats``) is the one table of output formats.

Importing this package loads neither pandas nor matplotlib; they load when a frame is made.
It registers the notebook view, ``to_frame()`` and the comparison page with
:mod:`wordlight.results.views`, so the result types never import it.
"""

from wordlight.results.views import register_view
from wordlight.viz.compare_html import render_comparison
from wordlight.viz.formats import RENDERERS, Renderer, render, renderer_for
from wordlight.viz.frame import explanation_frame, explanations_frame
from wordlight.viz.html import render_html, save_html
from wordlight.viz.layer_plots import (
    figure_png,
    information_curves,
    layer_distribution,
    layer_heatmap,
    profile_plot,
)
from wordlight.viz.layer_report import render_layer_report, save_layer_report
from wordlight.viz.terminal import render_layer_table, render_terminal

register_view("html", render_html)
register_view("frame", explanation_frame)
register_view("comparison_html", render_comparison)

__all__ = [
    "RENDERERS",
    "Renderer",
    "explanation_frame",
    "explanations_frame",
    "figure_png",
    "information_curves",
    "layer_distribution",
    "layer_heatmap",
    "profile_plot",
    "render",
    "render_comparison",
    "render_html",
    "render_layer_report",
    "render_layer_table",
    "render_terminal",
    "renderer_for",
    "save_html",
    "save_layer_report",
]
