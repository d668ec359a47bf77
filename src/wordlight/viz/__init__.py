"""Rendering explanations: HTML tables, terminal text and DataFrames, on one colour scale.

Importing this package loads neither pandas nor matplotlib; they load when a frame is made.
"""

from wordlight.viz.frame import explanation_frame, explanations_frame
from wordlight.viz.html import render_html, save_html
from wordlight.viz.terminal import render_terminal

__all__ = [
    "explanation_frame",
    "explanations_frame",
    "render_html",
    "render_terminal",
    "save_html",
]
