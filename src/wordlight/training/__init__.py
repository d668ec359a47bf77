"""Fine-tuning text classifiers: a config dataclass in, a trained model out."""

from wordlight.training.finetune import FinetuneConfig, accuracy, finetune, predict_logits

__all__ = ["FinetuneConfig", "accuracy", "finetune", "predict_logits"]
