"""TensorBoard logging of a run: scalars (loss, validation metrics) and images (confusion matrix,
per-class F1 bars). Needs ``pip install 'wordlight[train]'`` (tensorboard)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from wordlight.checks import require


class TensorBoardLogger:
    def __init__(self, log_dir: str | Path, label_names: Sequence[str]) -> None:
        require("tensorboard", "train")
        from torch.utils.tensorboard import SummaryWriter

        self.label_names = tuple(label_names)
        self.writer = SummaryWriter(log_dir=str(log_dir))

    def scalars(self, prefix: str, values: Mapping[str, Any], step: int) -> None:
        for key, value in values.items():
            if isinstance(value, int | float) and not isinstance(value, bool):
                self.writer.add_scalar(f"{prefix}/{key}", float(value), step)

    def figures(self, metrics: Mapping[str, Any], step: int) -> None:
        """Confusion matrix and per-class bars of a classifier's validation metrics."""
        from wordlight.training.plots import confusion_figure, per_class_figure

        if "confusion_matrix" not in metrics:
            return  # a regression run has no classes to draw
        confusion = confusion_figure(metrics["confusion_matrix"], self.label_names)
        self.writer.add_figure("validation/confusion_matrix", confusion, step, close=True)
        bars = per_class_figure(metrics["per_class"])
        self.writer.add_figure("validation/per_class_f1", bars, step, close=True)

    def close(self) -> None:
        self.writer.flush()
        self.writer.close()
