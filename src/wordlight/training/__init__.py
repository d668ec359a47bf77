"""Training text classifiers: a ``TrainConfig`` in, a trained model out (``train``), one loop for
the small transformer, fine-tuning and the built-in default model."""

from wordlight.training.batching import predict_logits
from wordlight.training.config import TrainConfig
from wordlight.training.trainer import TrainResult, evaluate_outputs, train

__all__ = ["TrainConfig", "TrainResult", "evaluate_outputs", "predict_logits", "train"]
