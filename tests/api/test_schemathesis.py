"""Schemathesis against the project's own schema, in-process (WSGI), with a
planner's token on a small seeded database: every operation gets a bounded
number of generated requests; no answer may be a 5xx and every answer must
match the schema (status code, content type, body, headers)."""

from __future__ import annotations

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from hypothesis import HealthCheck, given, settings
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


def test_schemathesis_no_server_errors_and_answers_match_the_schema(seeded, settings_override=None):
    from django.conf import settings as django_settings

    django_settings.FASTDSO_API_THROTTLE_RATE = "100000/min"
    headers = {"Authorization": f"Token {seeded.key}"}
    schema = schemathesis.openapi.from_wsgi("/api/v1/schema/", get_wsgi_application(), headers=headers)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 16
    failures: list[str] = []
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
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
