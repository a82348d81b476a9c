"""Schemathesis against the project's own schema, in-process (WSGI), with a
planner's token on a small seeded database: every operation gets a bounded
number of generated requests; no answer may be a 5xx and every answer must
match the schema (status code, content type, body, headers)."""

from __future__ import annotations

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from schemathesis import checks

from tests.api.conftest import token_client

CHECKS = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_schema_conformance,
    checks.response_headers_conformance,
]
EXAMPLES_PER_OPERATION = 10


@pytest.fixture
def seeded(data, planner, tmp_path):
    """The flow tests' data plus one run, one plan and one forecast, so ids exist."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = token_client(planner)
    upload = SimpleUploadedFile("pedido.csv", b"sku\n00012345\n00012346\n", content_type="text/csv")
    assert client.post("/api/v1/runs/", {"file": upload}).status_code == 202
    plan = {"mode": "auto", "scope": "category", "category": "Consolas", "destination_kind": "all"}
    assert client.post("/api/v1/plans/", plan).status_code == 202
    assert client.post("/api/v1/forecast/", {"input": "text", "skus_text": "00012345"}).status_code == 202
    return client


@pytest.fixture
def wsgi_app():
    """The project's WSGI app, called in this test's transaction. Like Django's
    test client, keep the request signals from closing the connection (that
    would end the test transaction)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield get_wsgi_application()
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def test_schemathesis_no_server_errors_and_answers_match_the_schema(seeded, wsgi_app, settings):
    settings.FASTDSO_API_THROTTLE_RATE = "100000/min"
    headers = {"Authorization": f"Token {seeded.key}"}
    schema = schemathesis.openapi.from_wsgi("/api/v1/schema/", wsgi_app, headers=headers)
    operations = [result.ok() for result in schema.get_all_operations()]  # type: ignore[union-attr]
    assert len(operations) >= 16
    failures: list[str] = []
    for operation in operations:

        @given(case=operation.as_strategy())
        @hypothesis_settings(
            max_examples=EXAMPLES_PER_OPERATION,
            deadline=None,
            database=None,
            derandomize=True,
            suppress_health_check=list(HealthCheck),
        )
        def run(case: schemathesis.Case) -> None:
            case.call_and_validate(headers=headers, checks=CHECKS)

        try:
            run()
        except Exception as exc:  # noqa: BLE001 - collect every operation's failure, then report them all
            failures.append(f"{operation.label}: {exc}")
    assert not failures, "\n\n".join(failures)
