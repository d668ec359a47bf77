"""Rendering explanations: HTML tables, terminal text and DataFrames, on one colour scale.

Importing this package loads neither pandas nor matplotlib; they load when a frame is made.
"""

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
from wordlight.viz.terminal import render_terminal

__all__ = [
    "explanation_frame",
    "explanations_frame",
    "figure_png",
    "information_curves",
    "layer_distribution",
    "layer_heatmap",
    "profile_plot",
    "render_html",
    "render_layer_report",
    "render_terminal",
    "save_html",
    "save_layer_report",
]
