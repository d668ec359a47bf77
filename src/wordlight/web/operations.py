"""From request schemas to the service, for the answered-at-once routes and for jobs alike."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from wordlight.errors import InputError
from wordlight.web import schemas
from wordlight.web.diff import word_diff
from wordlight.web.jobs import JobFunction, Progress
from wordlight.web.layers import layer_view
from wordlight.web.params import coerce_params
from wordlight.web.service import (
    ProgressFn,
    _no_progress,
    check_text,
    explain_view,
    method_class,
)
from wordlight.web.service import compare as compare_runs
from wordlight.web.state import AppState, NotFound


def explain(
    state: AppState, body: schemas.ExplainRequest, progress: ProgressFn = _no_progress
) -> dict[str, Any]:
    view = explain_view(
        state,
        body.model,
        body.method,
        body.params,
        body.text,
        body.target,
        body.faithfulness,
        # a job runs on its own engine call, reporting to it; a plain request is batched
        progress=progress if isinstance(progress, Progress) else None,
        threshold=body.label_threshold,
    )
    progress(1, 1, "done")
    return view


def compare(
    state: AppState, body: schemas.CompareRequest, progress: ProgressFn = _no_progress
) -> dict[str, Any]:
    runs = [(r.model, r.method, r.params) for r in body.runs]
    return compare_runs(state, runs, body.text, body.target, progress, body.label_threshold)


def layers(
    state: AppState, body: schemas.LayersRequest, progress: ProgressFn = _no_progress
) -> dict[str, Any]:
    return layer_view(state, body.model, body.method, body.params, body.text, body.target, progress,
                      body.label_threshold)  # fmt: skip


def diff(
    state: AppState, body: schemas.DiffRequest, progress: ProgressFn = _no_progress
) -> dict[str, Any]:
    views = []
    for i, text in enumerate((body.before, body.after)):
        progress(i, 2, ("before", "after")[i])
        views.append(explain_view(state, body.model, body.method, body.params, text, body.target,
                                  threshold=body.label_threshold))  # fmt: skip
    progress(2, 2, "done")
    if (
        body.target is None
        and views[0]["explanation"]["target"] != views[1]["explanation"]["target"]
    ):
        # the prediction flipped: explain the edited text towards the class explained before
        views[1] = explain_view(
            state, body.model, body.method, body.params, body.after,
            views[0]["explanation"]["target"], threshold=body.label_threshold,
        )  # fmt: skip
    found = word_diff(views[0]["explanation"], views[1]["explanation"])
    return {"before": views[0], "after": views[1], **found}


KINDS: dict[str, Callable[[AppState, Any, ProgressFn], dict[str, Any]]] = {
    "explain": explain,
    "compare": compare,
    "layers": layers,
    "diff": diff,
}


def check(state: AppState, payload: Any) -> None:
    """Refuse a job at once (404, 413, 422) for unknown names, a text over the cap or bad
    parameters, instead of starting it to fail later."""
    if isinstance(payload, schemas.CompareRequest):
        if len(payload.runs) > state.config.max_compare:
            raise InputError(
                f"{len(payload.runs)} runs; compare at most {state.config.max_compare} at once"
            )
        runs = [(r.model, r.method, r.params, False) for r in payload.runs]
    else:
        layers = isinstance(payload, schemas.LayersRequest)
        runs = [(payload.model, payload.method, payload.params, layers)]
    texts = (
        [payload.before, payload.after]
        if isinstance(payload, schemas.DiffRequest)
        else [payload.text]
    )
    for model, method, params, layers in runs:
        if model not in state.config.models:
            raise NotFound(f"unknown model {model!r}; declared: {', '.join(state.config.models)}")
        coerce_params(method_class(method, layers), params)
    for text in texts:
        check_text(state, text)


def job_function(state: AppState, body: schemas.JobRequest) -> JobFunction:
    """The work of a job request; its payload must be the one its ``kind`` names."""
    payload = getattr(body, body.kind)
    if payload is None:
        raise InputError(f"a {body.kind} job needs its request under {body.kind!r}")
    check(state, payload)
    run = KINDS[body.kind]

    def work(progress: Progress) -> dict[str, Any]:
        return run(state, payload, progress)

    return work


def render_html(body: schemas.RenderRequest) -> str:
    from wordlight import Explanation
    from wordlight.viz import render  # the one renderer table, as the CLI uses it

    try:
        items = [Explanation.from_dict(e) for e in body.explanations]
    except (KeyError, TypeError, ValueError, IndexError) as exc:
        raise InputError(f"not a wordlight explanation: {type(exc).__name__} {exc}") from None
    return str(render(items, "html", level=body.level))
