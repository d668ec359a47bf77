"""``compare``: several methods on the same texts, scored by the same metrics, in one call.

Each method explains all texts in one batched call; all faithfulness metrics of one method go
through one batched removal pass; plausibility metrics need human rationales. The result holds the
per-text values, a table (methods x metrics: mean and standard deviation over the texts, seconds
per text) and an HTML page with the texts' explanations side by side. See docs/evaluation.md.
"""

from __future__ import annotations

import dataclasses
import math
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from tqdm.auto import tqdm

from wordlight.checks import require
from wordlight.engine import check_budget, check_texts
from wordlight.errors import InputError, one_of
from wordlight.evaluation._metrics import default_metrics
from wordlight.evaluation._removal import LEVELS
from wordlight.evaluation.faithfulness import FAITHFULNESS_METRICS, evaluate_faithfulness
from wordlight.evaluation.plausibility import PLAUSIBILITY_METRICS, evaluate_plausibility
from wordlight.methods.base import Explainer
from wordlight.results import Explanation

DEFAULT_METHODS = ("saliency", "gradient_x_input", "integrated_gradients")
DEFAULT_METRICS = (
    "comprehensiveness",
    "sufficiency",
    "aopc_comprehensiveness",
    "aopc_sufficiency",
    "deletion_auc",
    "insertion_auc",
    "kendall_tau_loo",
)
ALL_METRICS = FAITHFULNESS_METRICS + PLAUSIBILITY_METRICS


def higher_is_better(metric: str) -> bool:
    """The direction of a metric: True for comprehensiveness, False for sufficiency, ..."""
    faith = default_metrics()
    if metric in faith:
        return faith[metric].higher_is_better
    if metric in PLAUSIBILITY_METRICS:
        return True
    raise one_of("metric", metric, ALL_METRICS)


@dataclass(frozen=True)
class Comparison:
    """Per-text metric values and explanations of several methods on the same texts."""

    texts: tuple[str, ...]
    metrics: tuple[str, ...]
    values: Mapping[str, Mapping[str, np.ndarray]]  # method -> metric -> one value per text
    seconds: Mapping[str, float]  # method -> seconds to explain all texts
    explanations: Mapping[str, tuple[Explanation, ...]] = field(default_factory=dict)
    level: str = "token"

    @property
    def methods(self) -> tuple[str, ...]:
        return tuple(self.values)

    def table(self) -> Any:
        """A pandas DataFrame, one row per method: ``<metric>`` (mean over texts, NaN skipped),
        ``<metric>_std``, then ``n_texts`` and ``seconds_per_text`` (explaining only)."""
        pd = _pandas()
        rows = []
        for method in self.methods:
            row: dict[str, float] = {}
            for metric in self.metrics:
                mean, std = _mean_std(self.values[method][metric])
                row[metric], row[f"{metric}_std"] = mean, std
            row["n_texts"] = len(self.texts)
            row["seconds_per_text"] = self.seconds[method] / max(len(self.texts), 1)
            rows.append(row)
        frame = pd.DataFrame(rows, index=pd.Index(self.methods, name="method"))
        return frame.astype({"n_texts": "int64"})

    def best(self, metric: str) -> str:
        """The method with the best mean on ``metric`` (direction-aware)."""
        if metric not in self.metrics:
            raise one_of("metric", metric, self.metrics)
        means = {m: _mean_std(self.values[m][metric])[0] for m in self.methods}
        finite = {m: v for m, v in means.items() if math.isfinite(v)}
        if not finite:
            raise InputError(f"no method has a finite {metric} on these texts")
        pick = max if higher_is_better(metric) else min
        return pick(finite, key=lambda m: finite[m])

    def to_markdown(self, digits: int = 3) -> str:
        """The table as GitHub markdown: ``mean ± std`` per cell, the best mean in bold."""
        head = ["method"] + [f"{m} {'↑' if higher_is_better(m) else '↓'}" for m in self.metrics]
        head.append("s / text")
        best = {m: self._safe_best(m) for m in self.metrics}
        lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
        for method in self.methods:
            cells = [method]
            for metric in self.metrics:
                mean, std = _mean_std(self.values[method][metric])
                cell = f"{mean:.{digits}f} ± {std:.{digits}f}"
                cells.append(f"**{cell}**" if best[metric] == method else cell)
            cells.append(f"{self.seconds[method] / max(len(self.texts), 1):.3f}")
            lines.append("| " + " | ".join(cells) + " |")
        return "\n".join(lines) + "\n"

    def _safe_best(self, metric: str) -> str | None:
        try:
            return self.best(metric)
        except InputError:
            return None

    def to_html(self, *, max_texts: int | None = 50) -> str:
        """A standalone page: the table, then each text's explanations side by side."""
        from wordlight.results.views import view

        return str(view("comparison_html")(self, max_texts=max_texts))

    def save_html(self, path: str | Path, *, max_texts: int | None = 50) -> Path:
        out = Path(path)
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(self.to_html(max_texts=max_texts), encoding="utf-8")
        return out

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: texts, metrics, per-text values (NaN as None), seconds, explanations."""
        return {
            "texts": list(self.texts),
            "metrics": list(self.metrics),
            "level": self.level,
            "values": {
                m: {k: [None if math.isnan(x) else float(x) for x in v] for k, v in d.items()}
                for m, d in self.values.items()
            },
            "seconds": dict(self.seconds),
            "explanations": {m: [e.to_dict() for e in es] for m, es in self.explanations.items()},
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Comparison:
        return cls(
            texts=tuple(data["texts"]),
            metrics=tuple(data["metrics"]),
            level=data.get("level", "token"),
            values={
                m: {
                    k: np.array([np.nan if x is None else x for x in v], float)
                    for k, v in d.items()
                }
                for m, d in data["values"].items()
            },
            seconds={m: float(s) for m, s in data["seconds"].items()},
            explanations={
                m: tuple(Explanation.from_dict(e) for e in es)
                for m, es in data.get("explanations", {}).items()
            },
        )


def _pandas() -> Any:
    return require("pandas", "viz")


def _mean_std(values: np.ndarray) -> tuple[float, float]:
    finite = values[np.isfinite(values)]
    if not len(finite):
        return math.nan, math.nan
    return float(finite.mean()), float(finite.std(ddof=1)) if len(finite) > 1 else 0.0


def compare(
    model: Any,
    texts: str | Sequence[str],
    methods: Sequence[str | Explainer] = DEFAULT_METHODS,
    metrics: Sequence[str] = DEFAULT_METRICS,
    *,
    rationales: Sequence[Sequence[int]] | None = None,
    level: str = "token",
    target: Any = None,
    max_batch_tokens: int | None = None,
    progress: bool | None = None,
) -> Comparison:
    """Explain ``texts`` with every method and score each explanation with every metric.

    ``methods`` are registered names (``wordlight.METHODS``) or configured Explainers;
    ``metrics`` are names from ``FAITHFULNESS_METRICS`` and, when ``rationales`` (one 0/1 list
    per text, per unit of ``level``) are given, ``PLAUSIBILITY_METRICS``.
    ``max_batch_tokens`` caps every pass: the explaining and the evaluation.
    """
    from wordlight.methods import make_explainer
    from wordlight.models.loading import load_model

    texts = check_texts(texts)
    if level not in LEVELS:
        raise one_of("level", level, LEVELS)
    check_budget(max_batch_tokens)
    explainers = [_capped(make_explainer(m), max_batch_tokens) for m in methods]
    if not explainers:
        raise InputError("no methods given; name at least one (see `wordlight methods`)")
    names = [e.name for e in explainers]
    if len(set(names)) != len(names):
        raise InputError(f"method {_first_repeat(names)!r} given twice; give each method once")
    metrics = tuple(metrics)
    if not metrics:
        raise InputError(f"no metrics given; choose from: {', '.join(ALL_METRICS)}")
    for metric in metrics:
        if metric not in ALL_METRICS:
            raise one_of("metric", metric, ALL_METRICS)
    plausibility = [m for m in metrics if m in PLAUSIBILITY_METRICS]
    if plausibility and rationales is None:
        raise InputError(f"{plausibility[0]} needs human rationales: pass rationales=")
    if rationales is not None and len(rationales) != len(texts):
        raise InputError(f"{len(rationales)} rationales for {len(texts)} texts; give one each")
    faithfulness = [m for m in metrics if m in FAITHFULNESS_METRICS]
    classifier = load_model(model)
    values: dict[str, dict[str, np.ndarray]] = {}
    seconds: dict[str, float] = {}
    explained: dict[str, tuple[Explanation, ...]] = {}
    bar = tqdm(explainers, desc="compare", unit="method", disable=_disable(progress))
    for explainer in bar:
        bar.set_postfix_str(explainer.name)
        start = time.perf_counter()
        found = explainer.explain(classifier, texts, target, progress=progress)
        seconds[explainer.name] = time.perf_counter() - start
        if len(found) != len(texts):
            raise InputError("compare needs one explanation per text; give a single target")
        scores: dict[str, np.ndarray] = {}
        if faithfulness:
            scores.update(
                evaluate_faithfulness(
                    classifier, found, faithfulness, level=level,
                    max_batch_tokens=max_batch_tokens, progress=progress,
                )
            )  # fmt: skip
        if plausibility and rationales is not None:
            scores.update(evaluate_plausibility(found, rationales, plausibility, level=level))
        values[explainer.name] = {m: scores[m] for m in metrics}
        explained[explainer.name] = tuple(found)
    return Comparison(tuple(texts), metrics, values, seconds, explained, level)


def _disable(progress: bool | None) -> bool | None:
    return not progress if progress is not None else None


def _first_repeat(names: Sequence[str]) -> str:
    seen: set[str] = set()
    for n in names:
        if n in seen:
            return n
        seen.add(n)
    return names[0]


def _capped(explainer: Explainer, cap: int | None) -> Explainer:
    """``explainer`` with a row budget of at most ``cap`` tokens (None: as it is)."""
    own = explainer.max_batch_tokens
    if cap is None or (own is not None and own <= cap):
        return explainer
    return dataclasses.replace(explainer, max_batch_tokens=cap)
