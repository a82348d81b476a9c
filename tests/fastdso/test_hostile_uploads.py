"""Hostile files through upload pages: never a 5xx, never a row written,
always a failed job with a message (issue 9).

UPLOADS lists the upload pages; each feature adds its own:
    UploadCase("sales:macro_upload", {"mode": "add"}),
The example page (tests/hostile_urls.py) shows the pattern works end to end.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings

from fastdso.models import Job
from inventory.models import Product
from tests.fastdso.test_hostile_files import FILES
from tests.hostile import BOOKKEEPING, HOSTILE_FILES, assert_upload_rejects_cleanly, row_counts


@dataclass(frozen=True)
class UploadCase:
    url_name: str
    form_data: dict[str, Any] = field(default_factory=dict)
    file_field: str = "file"


UPLOADS = [
    UploadCase("test_example_upload"),
]

pytestmark = pytest.mark.urls("tests.hostile_urls")


@pytest.mark.parametrize("case", UPLOADS, ids=lambda case: case.url_name)
@pytest.mark.parametrize("name", sorted(HOSTILE_FILES))
def test_upload_pages_refuse_hostile_files(planner_client, case, name):
    response = assert_upload_rejects_cleanly(
        planner_client, reverse(case.url_name), HOSTILE_FILES[name], dict(case.form_data), file_field=case.file_field
    )
    assert response.status_code in (200, 302, 400)


def test_the_example_upload_accepts_a_good_file(planner_client):
    """The control: the same page does write a good file."""
    response = planner_client.post(reverse("test_example_upload"), {"file": _file(b"sku,producto\n0001,Polera\n")})
    job = Job.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("job_detail", args=[job.pk])
    assert job.status == Job.Status.DONE
    assert list(Product.objects.values_list("sku", "name")) == [("0001", "Polera")]


def test_too_long_sku_is_a_row_error_not_a_database_error(planner_client):
    assert_upload_rejects_cleanly(planner_client, reverse("test_example_upload"), b"sku\n" + b"9" * 65 + b"\n")
    job = Job.objects.get()
    assert job.errors[0]["row"] == 2 and "demasiado largo" in job.errors[0]["message"]


@settings(
    max_examples=max(10, settings.default.max_examples // 10),
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(data=FILES)
def test_example_upload_never_fails_uncleanly(planner_client, data):
    """Any bytes: no 5xx; the job either loads the file or fails with a
    message having written nothing."""
    before = row_counts(exclude=BOOKKEEPING)
    response = planner_client.post(reverse("test_example_upload"), {"file": _file(data)})
    assert response.status_code < 500
    job = Job.objects.order_by("-pk").first()
    assert job.status in (Job.Status.DONE, Job.Status.FAILED)
    if job.status == Job.Status.FAILED:
        assert job.message.strip()
        assert row_counts(exclude=BOOKKEEPING) == before


def _file(data: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("archivo.csv", data)
