"""Fuzz the Runs endpoints (schemathesis, bounded) on an app with a real run declared: no server
error, and every answer matches the schema."""

from __future__ import annotations

import pytest

schemathesis = pytest.importorskip("schemathesis")
from hypothesis import HealthCheck, settings  # noqa: E402
from schemathesis.checks import (  # noqa: E402
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from tests.web.conftest import linear_classifier  # noqa: E402
from tests.web.test_runs_api import make_run  # noqa: E402
from wordlight.web import create_app  # noqa: E402

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_schema_conformance]  # fmt: skip


APP = create_app({"linear": linear_classifier()[0]})
schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", APP).include(
    path_regex="^/api/v1/runs"
)


@pytest.fixture(scope="module", autouse=True)
def declared_run(tmp_path_factory):
    """The run is made once the tests run (not at collection) and declared on the app."""
    from wordlight.web.runs import RunStore

    APP.state.wordlight.runs = RunStore({"small": make_run(tmp_path_factory.mktemp("runs_fuzz"))})
    yield
    APP.state.wordlight.close()


@schema.parametrize()
@settings(max_examples=25, deadline=None, derandomize=True,
          suppress_health_check=list(HealthCheck))  # fmt: skip
def test_runs_api_never_errors_and_matches_its_schema(case):
    if "name" in case.path_parameters and case.path_parameters["name"] != "small":
        case.path_parameters["name"] = "small"  # mostly the declared run; unknown names elsewhere
    case.call_and_validate(checks=CHECKS)
