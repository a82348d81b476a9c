"""SQLite has one writer: a request that waited the whole busy timeout behind a
long job gets a clear 503 (the app's page, or JSON under /api/), not a 500."""

from __future__ import annotations

import pytest
from django.db import OperationalError
from django.urls import reverse

from distribution.models import DistributionRun
from tests.api.conftest import token_client

RUN_ID = "DR-20260301-0001"


def _locked(*_args, **_kwargs):
    raise OperationalError("database is locked")


@pytest.fixture
def locked(db, monkeypatch):
    """The lifecycle write (web button and API alike) finds the write lock taken."""
    DistributionRun.objects.create(run_id=RUN_ID, status=DistributionRun.Status.DONE)
    monkeypatch.setattr("fastdso.views.run_transition", _locked)
    monkeypatch.setattr("api.views.run_transition", _locked)


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("es", "La base de datos está ocupada con una carga; intente de nuevo en unos minutos."),
        ("en", "The database is busy with a load; try again in a few minutes."),
    ],
)
def test_a_write_behind_a_long_job_gets_a_busy_page(locked, planner_client, language, text):
    planner_client.cookies["django_language"] = language
    response = planner_client.post(reverse("lifecycle_transition", args=[RUN_ID]), {"action": "approve"})
    page = response.content.decode()
    assert response.status_code == 503 and response.headers["Retry-After"] == "120"
    assert text in page
    assert reverse("home") in page  # the app's layout, with its menu
    assert DistributionRun.objects.get(run_id=RUN_ID).state == "draft"


def test_the_api_answers_busy_as_json(locked, planner):
    response = token_client(planner).post(f"/api/v1/runs/{RUN_ID}/status/", {"action": "approve"}, format="json")
    assert response.status_code == 503 and response.headers["Retry-After"] == "120"
    assert response.json()["detail"].startswith("La base de datos está ocupada")


def test_other_database_errors_stay_errors(db, monkeypatch, planner_client):
    DistributionRun.objects.create(run_id=RUN_ID, status=DistributionRun.Status.DONE)

    def broken(*_args, **_kwargs):
        raise OperationalError("no such table: distribution_distributionrun")

    monkeypatch.setattr("fastdso.views.run_transition", broken)
    with pytest.raises(OperationalError):
        planner_client.post(reverse("lifecycle_transition", args=[RUN_ID]), {"action": "approve"})
