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

from fastdso.messages import render as message_text
from fastdso.models import Job
from inventory.models import Product
from tests import factories
from tests.fastdso.test_hostile_files import FILES
from tests.hostile import BOOKKEEPING, HOSTILE_FILES, assert_upload_rejects_cleanly, row_counts


@dataclass(frozen=True)
class UploadCase:
    url_name: str
    form_data: dict[str, Any] = field(default_factory=dict)
    file_field: str = "file"


DISTRIBUTION_FORM = {
    "model": "SMA2",
    "lookback_weeks": 12,
    "min_weeks": 1,
    "target_woc": 2.0,
    "cold_start_min_fill": 2,
    "cold_start_target_woc": 1.0,
    "cold_start_top_n": 10,
    "category_window_weeks": 12,
    "limit_by_cd": "on",
}
FORECAST_FORM = {"input": "file", "weeks": 4, "coverage_weeks": 4, "backtest_weeks": 2}
REDISTRIBUTION_FORM = {
    "mode": "manual",
    "scope": "skus",
    "top_n": 20,
    "destination_kind": "all",
    "auto_pick_donors": "on",
    "system_decides": "on",
    "history_weeks": 8,
    "min_woc": 1,
    "target_woc": 2,
    "max_woc": 4,
    "max_retain_woc": 2,
    "min_store_stock": 1,
    "min_fill": 2,
    "sku_weight": 0.7,
    "max_rows": 2000,
    "max_units_per_sku_per_dest": 20,
}

UPLOADS = [
    UploadCase("test_example_upload"),
    UploadCase("sales:macro_upload", {"mode": "replace_range"}),
    UploadCase("sales:macro_upload", {"mode": "append_range"}),
    UploadCase("sales:legacy_upload"),
    UploadCase("inventory:product_upload"),
    UploadCase("inventory:cd_stock_upload", {"snapshot_date": "2026-03-02"}),
    UploadCase("inventory:store_stock_upload", {"snapshot_date": "2026-03-02"}),
    UploadCase("distribution:generate", DISTRIBUTION_FORM, file_field="request_file"),
    UploadCase("forecast:home", FORECAST_FORM),
    UploadCase("redistribution:plan_create", REDISTRIBUTION_FORM, file_field="sku_file"),
]


@pytest.fixture
def shop(db, week):
    """Some data already loaded, so pages that need sales or stores reach the file
    (and "nothing written" means nothing added to a non-empty database)."""
    centro, norte = factories.store("Tienda Centro", "001"), factories.store("Tienda Norte", "002")
    alfa = factories.product("00012345", "Consola Alfa", "Consolas")
    factories.weekly([(alfa, centro, week(i), 3) for i in range(4)] + [(alfa, norte, week(3), 1)])
    factories.cd_stock([(alfa, 10)])
    factories.store_stock([(centro, alfa, 40)])


pytestmark = pytest.mark.urls("tests.hostile_urls")


def _case_id(case: UploadCase) -> str:
    return "-".join([case.url_name, *(str(v) for k, v in case.form_data.items() if k == "mode")])


@pytest.mark.parametrize("case", UPLOADS, ids=_case_id)
@pytest.mark.parametrize("name", sorted(HOSTILE_FILES))
def test_upload_pages_refuse_hostile_files(planner_client, shop, case, name):
    last_job = Job.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    response = assert_upload_rejects_cleanly(
        planner_client, reverse(case.url_name), HOSTILE_FILES[name], dict(case.form_data), file_field=case.file_field
    )
    assert response.status_code in (200, 302, 400)
    # A message reaches the planner: the failed job's page, or the form with its error.
    job = Job.objects.filter(pk__gt=last_job).first()
    if response.status_code == 302:
        assert job is not None and response["Location"] == reverse("job_detail", args=[job.pk])
        page = planner_client.get(response["Location"]).content.decode()
        assert message_text(job.message).split(":")[0][:40] in page
    else:
        assert job is None or job.status == Job.Status.FAILED
        page = response.content.decode()
        assert "invalid-feedback" in page or "errorlist" in page or "alert-danger" in page, page[:2000]


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
    assert job.errors[0]["row"] == 2 and "demasiado largo" in message_text(job.errors[0]["message"])


@settings(
    max_examples=max(10, settings().max_examples // 10),
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
        assert message_text(job.message).strip()
        assert row_counts(exclude=BOOKKEEPING) == before


def _file(data: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("archivo.csv", data)
