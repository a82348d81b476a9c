"""The upload platform (fastdso.uploads, issue 30): every upload type is one
declaration, and the job runner, the web page and the API endpoint are read
from it; one tail (audit + last progress stage) ends every import service."""

from __future__ import annotations

import pandas as pd
from django.urls import reverse

from fastdso.jobs import registered_kinds
from fastdso.models import AuditEvent
from fastdso.uploads import text_length_errors, upload_finish, upload_kind, upload_kinds

KINDS = {
    "product_import",
    "cd_stock_import",
    "store_stock_import",
    "store_import",
    "shipments_import",
    "receipts_import",
    "macro_sales_import",
    "legacy_sales_import",
    "promotion_import",
}
PAGES = {
    "product_import": "inventory:product_upload",
    "cd_stock_import": "inventory:cd_stock_upload",
    "store_stock_import": "inventory:store_stock_upload",
    "store_import": "inventory:store_upload",
    "shipments_import": "inventory:shipments_upload",
    "receipts_import": "inventory:receipts_upload",
    "macro_sales_import": "sales:macro_upload",
    "legacy_sales_import": "sales:legacy_upload",
    "promotion_import": "sales:promotion_upload",
}


def test_every_upload_type_is_declared_once_and_runs_as_a_job():
    kinds = [upload.kind for upload in upload_kinds()]
    assert sorted(kinds) == sorted(KINDS)  # once each
    assert set(registered_kinds()) >= KINDS


def test_each_declaration_gives_its_page_form_title_and_template(planner_client):
    for kind, url_name in PAGES.items():
        upload = upload_kind(kind)
        page = planner_client.get(reverse(url_name))
        assert page.status_code == 200, kind
        assert isinstance(page.context["form"], upload.form), kind
        assert page.context["title"] == upload.title, kind
        assert upload.template in [t.name for t in page.templates], kind


def test_each_api_name_is_an_endpoint_and_the_legacy_upload_has_none():
    names = {upload.api_name for upload in upload_kinds() if upload.api_name}
    assert names == {
        "products",
        "cd_stock",
        "store_stock",
        "stores",
        "shipments",
        "receipts",
        "macro_sales",
        "promotions",
    }
    for name in names:
        assert reverse(f"api:upload_{name}") == f"/api/v1/uploads/{name}/"
    assert upload_kind("legacy_sales_import").api_name == ""


def test_the_upload_tail_audits_with_the_job_page_and_ends_the_progress(planner):
    stages = []

    class _Job:
        pk = 41

    upload_finish(
        user=planner,
        job=_Job(),
        progress=lambda percent, stage, **counts: stages.append((percent, stage, counts)),
        object_repr="Productos: p.csv",
        details={"kind": "products", "rows": 3},
        rows_read=3,
        rows_written=2,
    )
    event = AuditEvent.objects.get()
    assert (event.action, event.object_repr, event.object_url) == ("upload", "Productos: p.csv", "/jobs/41/")
    assert event.details == {"kind": "products", "rows": 3}
    assert stages == [(100, "stage.done", {"rows_read": 3, "rows_written": 2})]


def test_text_lengths_are_checked_against_the_limits_the_caller_gives():
    frame = pd.DataFrame({"sku": ["ab", "abcd", "abcde"], "store": ["x", "y", "z"]})
    errors, total = text_length_errors(frame, {"sku": 3, "category": 1}, limit=1)
    assert total == 2
    assert [(e.row, e.column, e.value) for e in errors] == [(1, "sku", "abcd")]
