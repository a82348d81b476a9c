"""Every form that takes a file (issue 13): the size is checked in the form,
before anything is stored, and a double submit returns the first job (and
so the first run) instead of starting a second one."""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from distribution.models import DistributionRun
from fastdso.models import Job
from tests.distribution.test_views import _form as distribution_form
from tests.distribution.test_views import data  # noqa: F401 - the distribution data fixture
from tests.redistribution.test_views import form_data as redistribution_form

SALES = b"sku,store,date,quantity\n0001,Tienda Centro,2026-01-05,3\n"
# Each page that takes a file, with the rest of its form filled in.
FILE_FORMS = {
    "inventory:product_upload": ("file", {}),
    "inventory:cd_stock_upload": ("file", {"snapshot_date": "2026-03-01"}),
    "inventory:store_stock_upload": ("file", {"snapshot_date": "2026-03-01"}),
    "sales:macro_upload": ("file", {"mode": "replace_range"}),
    "sales:legacy_upload": ("file", {}),
    "distribution:generate": ("request_file", {k: v for k, v in distribution_form().items() if k != "request_file"}),
    "forecast:home": ("file", {"input": "file", "weeks": 4, "coverage_weeks": 4, "backtest_weeks": 2}),
    "redistribution:plan_create": ("sku_file", redistribution_form(scope="skus", destination_kind="all")),
}


def _file(content: bytes = SALES) -> SimpleUploadedFile:
    return SimpleUploadedFile("archivo.csv", content, content_type="text/csv")


def _stored_files(settings) -> list:
    return [p for p in settings.MEDIA_ROOT.rglob("*") if p.is_file()] if settings.MEDIA_ROOT.exists() else []


@pytest.mark.parametrize("name", FILE_FORMS)
def test_a_file_over_the_limit_is_refused_by_the_form_before_it_is_stored(planner_client, settings, name):
    settings.FASTDSO_MAX_UPLOAD_MB = 1
    field, rest = FILE_FORMS[name]
    big = _file(b"sku\n" + b"0001\n" * (1024 * 1024 // 5 + 10))
    response = planner_client.post(reverse(name), {**rest, field: big})
    assert response.status_code in (200, 400), response.status_code
    assert "el máximo permitido es 1 MB" in response.content.decode()
    assert not Job.objects.exists()
    assert _stored_files(settings) == []


@pytest.mark.parametrize("name", FILE_FORMS)
def test_every_file_form_carries_a_fresh_submit_token(planner_client, name):
    pages = [planner_client.get(reverse(name)).content.decode() for _ in range(2)]
    tokens = [
        found.group(1) for page in pages if (found := re.search(r'name="submit_token" value="([0-9a-f]{32})"', page))
    ]
    assert len(tokens) == 2, name
    assert tokens[0] != tokens[1]


def test_a_double_submitted_upload_returns_the_first_job(planner_client, settings):
    settings.FASTDSO_JOBS_SYNC = False  # as in production: the job waits for the worker
    token = "a" * 32
    form = {"mode": "replace_range", "submit_token": token}
    first = planner_client.post(reverse("sales:macro_upload"), {**form, "file": _file()})
    second = planner_client.post(reverse("sales:macro_upload"), {**form, "file": _file()})
    job = Job.objects.get()
    assert first["Location"] == second["Location"] == reverse("job_detail", args=[job.pk])
    assert len(_stored_files(settings)) == 1
    # A new page (a new token) starts a new job.
    planner_client.post(reverse("sales:macro_upload"), {**form, "submit_token": "b" * 32, "file": _file()})
    assert Job.objects.count() == 2


def test_a_double_submitted_distribution_creates_one_run(planner_client, data):  # noqa: F811
    token = "c" * 32
    first = planner_client.post(reverse("distribution:generate"), distribution_form(submit_token=token))
    second = planner_client.post(reverse("distribution:generate"), distribution_form(submit_token=token))
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    assert DistributionRun.objects.count() == 1 and Job.objects.count() == 1


def test_the_token_is_per_user(planner_client, staff_client, settings):
    settings.FASTDSO_JOBS_SYNC = False
    form = {"mode": "replace_range", "submit_token": "d" * 32}
    mine = planner_client.post(reverse("sales:macro_upload"), {**form, "file": _file()})
    theirs = staff_client.post(reverse("sales:macro_upload"), {**form, "file": _file()})
    assert mine["Location"] != theirs["Location"] and Job.objects.count() == 2


def test_a_malformed_token_is_ignored(planner_client, settings):
    settings.FASTDSO_JOBS_SYNC = False
    form = {"mode": "replace_range", "submit_token": "x' OR 1=1"}
    for _ in range(2):
        assert planner_client.post(reverse("sales:macro_upload"), {**form, "file": _file()}).status_code == 302
    assert Job.objects.count() == 2
