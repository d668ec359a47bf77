"""Pydantic request and response schemas of ``/api/v1``. Results inside responses are
wordlight's own JSON (``Explanation.to_dict()``, ``LayerExplanation.to_dict()``), kept as dicts."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

Name = Field(min_length=1, max_length=100)
ParamValue = int | float | bool | str | None
Target = int | str | None
# a multi-label model's predicted labels are those above it; it changes no score, only the
# prediction's wording, so it is applied to cached explanations as they are shown
Threshold = Field(0.5, ge=0.0, le=1.0, allow_inf_nan=False)
# how the page shows a model's answer, by its head (web.service.prediction)
Kind = Literal["distribution", "labels", "value"]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Health(BaseModel):
    status: Literal["ok"]
    version: str
    models: list[str]
    queued: int
    cache_entries: int
    cache_bytes: int
    torch_threads: int


class ModelInfo(BaseModel):
    name: str
    loaded: bool


class ParamSpec(BaseModel):
    name: str
    type: str
    default: ParamValue
    choices: list[str] | None


class MethodInfo(BaseModel):
    name: str
    summary: str
    layers: bool
    parameters: list[ParamSpec]


Cell = int | float | str  # one value of a data set's extra column


class ColumnInfo(BaseModel):
    name: str
    kind: Literal["number", "text"]
    values: list[Cell] | None  # the distinct values, when there are few (at most 20)


class DatasetInfo(BaseModel):
    name: str
    rows: int
    labels: list[str]
    task: str
    lengths: list[int]  # smallest and largest length in words
    columns: list[ColumnInfo] = []  # extra columns (the essay set, a product category)


class Row(BaseModel):
    index: int
    id: str | None
    text: str
    label: str
    score: float
    words: int
    extra: dict[str, Cell] = {}  # the row's extra columns by name
    predicted: str | None = None
    confidence: float | None = None
    correct: bool | None = None


class Rows(BaseModel):
    dataset: str
    total: int  # rows that match the filters
    rows: list[Row]


class PredictRequest(Strict):
    model: str = Name
    text: str = Field(max_length=1_000_000)
    label_threshold: float = Threshold


class Prediction(BaseModel):
    kind: Kind
    labels: list[str]
    values: list[float]
    predicted: str
    predicted_labels: list[str]
    value: float | None  # regression only
    threshold: float | None  # multi-label only
    summary: str  # one line, as the other views print it
    true_label: str | None


class ExplainRequest(Strict):
    model: str = Name
    method: str = Name
    text: str = Field(max_length=1_000_000)
    params: dict[str, ParamValue] = Field(default_factory=dict, max_length=32)
    target: Target = None
    faithfulness: bool = False
    label_threshold: float = Threshold


class ExplainView(BaseModel):
    model: str
    method: str
    explanation: dict[str, Any]
    prediction: Prediction
    unsigned: bool
    faithfulness: dict[str, float | None] | None


class Run(Strict):
    model: str = Name
    method: str = Name
    params: dict[str, ParamValue] = Field(default_factory=dict, max_length=32)


class CompareRequest(Strict):
    text: str = Field(max_length=1_000_000)
    runs: list[Run] = Field(min_length=1, max_length=16)
    target: Target = None
    label_threshold: float = Threshold


class Agreement(BaseModel):
    names: list[str]
    matrix: list[list[float | None]]


class CompareView(BaseModel):
    text: str
    results: list[ExplainView]
    agreement: Agreement


class LayersRequest(Strict):
    model: str = Name
    method: str = Name
    text: str = Field(max_length=1_000_000)
    params: dict[str, ParamValue] = Field(default_factory=dict, max_length=32)
    target: Target = None
    label_threshold: float = Threshold


class Curves(BaseModel):
    words: list[str]
    layers: list[int]
    values: list[list[float | None]]


class LayersView(BaseModel):
    model: str
    method: str
    layers: dict[str, Any]
    curves: Curves


class DiffRequest(Strict):
    model: str = Name
    method: str = Name
    before: str = Field(max_length=1_000_000)
    after: str = Field(max_length=1_000_000)
    params: dict[str, ParamValue] = Field(default_factory=dict, max_length=32)
    target: Target = None
    label_threshold: float = Threshold


class DiffSide(BaseModel):
    word: str
    score: float


class DiffRow(BaseModel):
    op: Literal["equal", "replace", "insert", "delete"]
    before: DiffSide | None
    after: DiffSide | None
    change: float | None


class PredictionChange(BaseModel):
    kind: Kind
    labels: list[str]
    before: list[float]
    after: list[float]
    change: list[float]
    predicted_before: str
    predicted_after: str


class DiffView(BaseModel):
    before: ExplainView
    after: ExplainView
    rows: list[DiffRow]
    prediction: PredictionChange


class JobRequest(Strict):
    kind: Literal["explain", "compare", "layers", "diff"]
    explain: ExplainRequest | None = None
    compare: CompareRequest | None = None
    layers: LayersRequest | None = None
    diff: DiffRequest | None = None


class JobStatus(BaseModel):
    id: str
    kind: str
    state: Literal["queued", "running", "done", "failed", "cancelled"]
    done: int
    total: int
    stage: str
    error: str | None


class JobResult(BaseModel):
    id: str
    kind: str
    result: dict[str, Any]


class ErrorBody(BaseModel):
    detail: str


class RenderRequest(Strict):
    explanations: list[dict[str, Any]] = Field(min_length=1, max_length=16)
    level: Literal["word", "token"] = "word"


# --- explain-dataset runs (web/runs.py) -------------------------------------------------------
class RunInfo(BaseModel):
    name: str
    rows: int  # one per (text, target)
    texts: int
    labels: list[str]  # the model's classes
    true_labels: list[str]
    method: str | None
    model: str | None
    metrics: list[str]  # faithfulness columns this run has
    head: str = "classification"  # the model's head: how the page words the rows


class RunRow(BaseModel):
    row: int
    target: int | None = None
    id: str | None
    text: str
    true_label: str | None
    predicted_label: str | None
    confidence: float | None
    correct: bool | None
    target_label: str | None
    completeness_delta: float | None
    words: list[str]
    word_scores: list[float | None]
    comprehensiveness: float | None = None
    sufficiency: float | None = None


class RunRows(BaseModel):
    run: str
    total: int  # rows that match the filters
    page: int
    page_size: int
    rows: list[RunRow]


class RunRowView(BaseModel):
    run: str
    row: int
    target: int
    id: str | None
    correct: bool | None
    confidence: float | None
    explanation: dict[str, Any]
    prediction: Prediction
    unsigned: bool
    faithfulness: dict[str, float | None] | None


class WordStat(BaseModel):
    word: str
    count: int
    mean: float | None
    ci: list[float | None]  # 95% interval of the mean


class FlippingWord(BaseModel):
    word: str
    classes: list[str]
    means: list[float | None]
    counts: list[int]


class RunSummary(BaseModel):
    """The corpus report's numbers: per class, outcome ("all", "correct", "wrong") and direction
    ("towards", "against"), the words with their count, mean score and interval."""

    run: str
    rows: int
    texts: int
    accuracy: float | None
    method: str | None
    model: str | None
    min_count: int
    classes: list[str]
    per_class: dict[str, dict[str, dict[str, list[WordStat]]]]
    flipping: list[FlippingWord]
    distributions: dict[str, Any]
