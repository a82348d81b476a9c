"""The API answers in the request's language (Accept-Language) with stable
codes: job warnings, errors, failures and summaries carry `code`, `params`
and the rendered `message`; errors, 404s included, have a code and never name
a model (issue 30)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from fastdso.messages import msg, msg_json, summary_json
from fastdso.models import Job

pytestmark = pytest.mark.django_db


@pytest.fixture
def failed_job(planner) -> Job:
    return Job.objects.create(
        kind="macro_sales_import",
        user=planner,
        status=Job.Status.FAILED,
        stage="stage.failed",
        message=msg_json("files.rows_refused", n=1234),
        errors=[{"row": 2, "column": "date", "value": "x", "message": msg_json("files.bad_date")}],
        error_count=1234,
    )


@pytest.fixture
def done_job(planner) -> Job:
    return Job.objects.create(
        kind="replay",
        user=planner,
        status=Job.Status.DONE,
        stage="stage.done",
        warnings=[msg_json("forecast.unknown_skus", n=2, skus="A, B")],
        result=summary_json(
            [
                ("rows_read", 35351),
                ("replay.policy", msg("replay.policy_result", policy="alto", fill=93.8, units=35351)),
            ]
        ),
    )


def test_a_failed_job_in_english_and_in_spanish(planner_api, failed_job):
    url = reverse("api:job_detail", args=[failed_job.pk])
    english = planner_api.get(url, HTTP_ACCEPT_LANGUAGE="en").json()
    spanish = planner_api.get(url, HTTP_ACCEPT_LANGUAGE="es").json()
    assert english["message"] == {
        "code": "files.rows_refused",
        "params": {"n": 1234},
        "message": "The file has 1,234 errors; nothing was loaded. Fix the rows shown.",
    }
    assert spanish["message"]["message"].startswith("El archivo tiene 1.234 errores")
    assert english["errors"][0]["code"] == spanish["errors"][0]["code"] == "files.bad_date"
    assert english["errors"][0]["message"].startswith("invalid date") or "date" in english["errors"][0]["message"]
    assert spanish["errors"][0]["message"].startswith("fecha inválida")


def test_warnings_and_summary_have_codes_and_the_viewers_words(planner_api, done_job):
    url = reverse("api:job_detail", args=[done_job.pk])
    english = planner_api.get(url, HTTP_ACCEPT_LANGUAGE="en").json()
    spanish = planner_api.get(url, HTTP_ACCEPT_LANGUAGE="es").json()
    assert english["warnings"] == [
        {
            "code": "forecast.unknown_skus",
            "params": {"n": 2, "skus": "A, B"},
            "message": "2 SKUs are not in the product catalogue: A, B.",
        }
    ]
    assert [item["code"] for item in english["summary"]] == ["rows_read", "replay.policy"]
    assert english["summary"][0] == {"code": "rows_read", "label": "Rows read", "value": 35351}
    assert spanish["summary"][0]["label"] == "Filas leídas"
    assert english["summary"][1]["value"]["message"] == "alto: service level 93.8 %, 35,351 u. shipped"
    assert spanish["summary"][1]["value"]["message"] == "alto: nivel de servicio 93,8 %, 35.351 u. enviadas"


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/runs/DR-NOPE/",
        "/api/v1/plans/TP-NOPE/",
        "/api/v1/replays/RP-NOPE/",
        "/api/v1/forecast/999999/",
        "/api/v1/jobs/999999/",
        "/api/v1/nothing-here/",
    ],
)
def test_a_404_has_a_code_and_names_no_model(planner_api, url):
    english = planner_api.get(url, HTTP_ACCEPT_LANGUAGE="en")
    spanish = planner_api.get(url, HTTP_ACCEPT_LANGUAGE="es")
    assert english.status_code == spanish.status_code == 404
    assert english.json() == {"code": "not_found", "params": {}, "message": "Not found.", "detail": "Not found."}
    assert spanish.json()["code"] == "not_found" and spanish.json()["message"] == "No encontrado."
    for answer in (english, spanish):
        assert "matches the given query" not in answer.content.decode()
        assert not any(model in answer.content.decode() for model in ("DistributionRun", "TransferPlan", "Job"))


def test_other_errors_have_stable_codes(planner_api, client):
    unauthenticated = client.get("/api/v1/runs/", HTTP_ACCEPT_LANGUAGE="en")
    assert unauthenticated.status_code in (401, 403)
    assert unauthenticated.json()["code"] in ("not_authenticated", "authentication_failed")
    invalid = planner_api.get("/api/v1/runs/", {"created_after": "no-date"}, HTTP_ACCEPT_LANGUAGE="en")
    if invalid.status_code == 400:
        assert invalid.json()["code"] == "invalid" and invalid.json()["message"].startswith("Invalid data")


def test_audit_shows_api_token_actions_and_lifecycle_states_by_label(planner, staff_client):
    from api.services import api_token_create
    from fastdso.audit import audit_record

    api_token_create(user=planner, name="ERP")
    audit_record(user=planner, action="lifecycle", details={"from": "approved", "to": "exported"})
    audit_record(user=planner, action="demo_clear", details={"distribution.DistributionLine": 165})
    staff_client.post(reverse("set_language"), {"language": "en", "next": "/"})
    page = staff_client.get(reverse("audit_list")).content.decode()
    assert "API token created" in page and "api_token_create" not in page.replace('value="api_token_create"', "")
    assert "Approved" in page and "Exported" in page and ">approved<" not in page
    assert "distribution.DistributionLine" not in page and "165" in page
