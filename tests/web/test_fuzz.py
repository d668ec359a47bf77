"""Fuzz every /api/v1 operation from the served OpenAPI schema (schemathesis, a bounded run):
no server error, and every answer matches the schema (status code, content type, body)."""

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

from tests.web.conftest import build_app  # noqa: E402

APP = build_app(max_text_chars=200)
schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", APP)
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_schema_conformance]  # fmt: skip


@schema.parametrize()
@settings(
    max_examples=12,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
def test_api_never_errors_and_matches_its_schema(case):
    case.call_and_validate(checks=CHECKS)
