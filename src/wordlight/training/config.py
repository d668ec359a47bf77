"""``TrainConfig``: every hyperparameter of a training run, validated once, saved as JSON."""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from typing import Any

from wordlight.data.sampling import BALANCING
from wordlight.errors import InputError, one_of
from wordlight.training.losses import LOSSES
from wordlight.training.metrics import METRICS

SMALL = "small"  # the small transformer trained from scratch (wordlight.training.small_transformer)

# BERT-style names of every linear layer inside the encoder blocks (not the pooler).
BERT_LINEAR_LAYERS = (
    "query",
    "key",
    "value",
    "attention.output.dense",
    "intermediate.dense",
    "output.dense",
)


@dataclass(frozen=True, kw_only=True)
class TrainConfig:
    """One training run. ``model`` is ``"small"`` (a small BERT from scratch with its own WordPiece
    vocabulary) or a local Hugging Face encoder directory to fine-tune (fully, or with LoRA when
    ``lora_rank > 0``)."""

    model: str = SMALL
    loss: str = "cross_entropy"
    # the small transformer (model="small")
    vocab_size: int = 5000
    hidden_size: int = 128
    intermediate_size: int = 512
    num_heads: int = 2
    num_layers: int = 2
    dropout: float = 0.1
    # fine-tuning a pretrained encoder with LoRA (0: train every weight)
    lora_rank: int = 0
    lora_alpha: int = 32
    lora_dropout: float = 0.1
    target_modules: tuple[str, ...] = BERT_LINEAR_LAYERS
    head_modules: tuple[str, ...] = ("classifier",)  # trained fully (peft ``modules_to_save``)
    # full fine-tuning: submodules of the encoder kept frozen (e.g. "embeddings")
    freeze_modules: tuple[str, ...] = ()
    # optimisation
    learning_rate: float = 5e-4
    epochs: int = 3
    batch_size: int = 32
    eval_batch_size: int = 128
    max_length: int = 128
    warmup_ratio: float = 0.06
    weight_decay: float = 0.01
    max_grad_norm: float = 1.0
    group_by_length: bool = True  # batches of similar length (less padding), in shuffled order
    balance: str = "none"  # "undersample" (re-drawn every epoch) or "class_weights"
    early_stopping_metric: str = "accuracy"  # validation metric that picks the best epoch
    patience: int = 0  # stop after this many epochs without improvement (0: never stop early)
    seed: int = 13
    device: str | None = None  # None: "cuda" when available, else "cpu"

    def __post_init__(self) -> None:
        positive: tuple[str, ...] = (
            "epochs",
            "batch_size",
            "eval_batch_size",
            "max_length",
            "vocab_size",
        )
        positive += ("hidden_size", "intermediate_size", "num_heads", "num_layers")
        for name in positive:
            if getattr(self, name) < 1:
                raise InputError(f"{name} must be >= 1, got {getattr(self, name)}")
        for name in ("lora_rank", "patience"):
            if getattr(self, name) < 0:
                raise InputError(f"{name} must be >= 0, got {getattr(self, name)}")
        if not self.learning_rate > 0:
            raise InputError(f"learning_rate must be > 0, got {self.learning_rate}")
        if not self.max_grad_norm > 0:
            raise InputError(f"max_grad_norm must be > 0, got {self.max_grad_norm}")
        for name in ("lora_dropout", "warmup_ratio", "dropout"):
            if not 0 <= getattr(self, name) < 1:
                raise InputError(f"{name} must lie in [0, 1), got {getattr(self, name)}")
        if self.hidden_size % self.num_heads:
            raise InputError(
                f"hidden_size ({self.hidden_size}) must be a multiple of num_heads "
                f"({self.num_heads})"
            )
        if self.loss not in LOSSES:
            raise one_of("loss", self.loss, LOSSES)
        if self.balance not in BALANCING:
            raise one_of("balance", self.balance, BALANCING)
        if self.early_stopping_metric not in METRICS:
            raise one_of("early_stopping_metric", self.early_stopping_metric, METRICS)
        if self.loss == "mse" and self.early_stopping_metric in ("accuracy", "macro_f1"):
            raise InputError(
                "a regression (mse) run has no accuracy; use --early-stopping-metric mae or loss"
            )
        if self.loss == "mse" and self.balance != "none":
            raise InputError("balancing needs classes; a regression (mse) run takes balance=none")
        if self.model == SMALL and self.lora_rank:
            raise InputError("LoRA needs a pretrained model; the small transformer trains fully")
        if self.freeze_modules and (self.lora_rank or self.model == SMALL):
            raise InputError(
                "freeze_modules applies to full fine-tuning of a pretrained model (lora_rank 0)"
            )
        if self.lora_rank and not self.target_modules:
            raise InputError("target_modules must name at least one layer for LoRA")

    def to_dict(self) -> dict[str, Any]:
        return {k: list(v) if isinstance(v, tuple) else v for k, v in asdict(self).items()}

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> TrainConfig:
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(values) - known)
        if unknown:
            raise InputError(f"unknown training settings: {', '.join(unknown)}")
        settings: dict[str, Any] = {
            k: tuple(v) if isinstance(v, list) else v for k, v in values.items()
        }
        return cls(**settings)
