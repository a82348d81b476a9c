"""Promotions upload (SPEC v3 §4.6): rows added once, --replace-range, bad rows refuse the file."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from fastdso.jobs import job_start
from fastdso.messages import render as message_text
from fastdso.messages import render as stored_text
from fastdso.models import AuditEvent, Job
from sales.jobs import PROMOTION_IMPORT
from sales.models import Promotion
from tests import factories
from tests.sales.uploads import csv_file

pytestmark = pytest.mark.django_db
HEADER = "sku,store,start_date,end_date,name"


@pytest.fixture
def catalogue():
    factories.product("00012345")
    factories.product("00012346")
    factories.store("Tienda Centro 001", code="C001")
    factories.store("Tienda Norte 002")


def stored() -> set[tuple[str, str | None, str, str, str]]:
    return {
        (p.product.sku, p.store.name if p.store else None, f"{p.start_date}", f"{p.end_date}", p.name)
        for p in Promotion.objects.select_related("product", "store")
    }


def run(path, **params) -> Job:
    return job_start(kind=PROMOTION_IMPORT, path=path, params=params, sync=True)


def test_rows_are_added_once_and_a_new_name_replaces_the_old(tmp_path, catalogue):
    first = csv_file(
        tmp_path,
        "a.csv",
        [
            "00012345,,2026-11-23,2026-11-29,Black Friday",  # every store
            "00012345,C001,01/12/2026,07/12/2026,Navidad",  # store by code, day-first dates
            "00012345,C001,2026-12-01,2026-12-07,Navidad",  # the same row again: stored once
        ],
        header=HEADER,
    )
    job = run(first)
    assert job.status == Job.Status.DONE, job.errors
    assert stored() == {
        ("00012345", None, "2026-11-23", "2026-11-29", "Black Friday"),
        ("00012345", "Tienda Centro 001", "2026-12-01", "2026-12-07", "Navidad"),
    }
    summary = dict(job.summary_items)
    assert (summary["promotions_created"], summary["repeated_rows"]) == (2, 1)
    assert summary["promotions_every_store"] == 1 and summary["stores"] == 1
    assert message_text(summary["date_range"]) == "2026-11-23 → 2026-12-07"

    second = csv_file(
        tmp_path,
        "b.csv",
        ["00012345,,2026-11-23,2026-11-29,Black Friday", "00012345,tienda centro 001,2026-12-01,2026-12-07,Fiestas"],
        header=HEADER,
    )
    job = run(second)
    assert Promotion.objects.count() == 2  # nothing stored twice
    assert ("00012345", "Tienda Centro 001", "2026-12-01", "2026-12-07", "Fiestas") in stored()
    summary = dict(job.summary_items)
    assert (summary["promotions_created"], summary["names_updated"]) == (0, 1)
    assert summary["promotions_unchanged"] == 1


def test_replace_range_removes_what_overlaps_the_files_range_first(tmp_path, catalogue):
    run(
        csv_file(
            tmp_path,
            "old.csv",
            [
                "00012345,,2026-10-01,2026-10-05,Antes",  # ends before the new range: kept
                "00012346,,2026-10-28,2026-11-02,Cruza",  # overlaps the new range: removed
                "00012346,Tienda Norte 002,2026-11-10,2026-11-12,Dentro",  # inside: removed
            ],
            header=HEADER,
        )
    )
    new = csv_file(tmp_path, "new.csv", ["00012345,,2026-11-01,2026-11-15,Nueva"], header=HEADER)
    call_command("import_promotions", str(new), "--replace-range", stdout=_Null())
    assert stored() == {
        ("00012345", None, "2026-10-01", "2026-10-05", "Antes"),
        ("00012345", None, "2026-11-01", "2026-11-15", "Nueva"),
    }
    job = Job.objects.latest("pk")
    assert dict(job.summary_items)["promotions_removed"] == 2
    event = AuditEvent.objects.filter(action="upload").latest("pk")
    assert event.details["kind"] == "promotions" and event.details["removed"] == 2
    assert event.details["mode"] == "replace_range"


def test_bad_rows_refuse_the_whole_file(tmp_path, catalogue):
    run(csv_file(tmp_path, "ok.csv", ["00012345,,2026-11-01,2026-11-02,Ya"], header=HEADER))
    bad = csv_file(
        tmp_path,
        "bad.csv",
        [
            "00012345,,2026-11-05,2026-11-06,Buena",
            "99999999,,2026-11-05,2026-11-06,X",  # unknown SKU
            "00012345,Tienda Fantasma,2026-11-05,2026-11-06,X",  # unknown store
            "00012345,,2026-11-10,2026-11-01,X",  # ends before it starts
            "00012345,,3026-11-10,3026-11-11,X",  # an absurd year
            "00012345,,2026-01-01,2027-06-01,X",  # over a year long
            "00012346,,2026-11-05,2026-11-06,Uno",
            "00012346,,2026-11-05,2026-11-06,Otro",  # same promotion, another name
        ],
        header=HEADER,
    )
    with pytest.raises(CommandError):
        call_command("import_promotions", str(bad), "--replace-range", stdout=_Null(), stderr=_Null())
    job = Job.objects.latest("pk")
    assert job.status == Job.Status.FAILED
    assert {(e["row"], e["column"]) for e in job.errors} == {
        (3, "sku"),
        (4, "store"),
        (5, "end_date"),
        (6, "start_date"),
        (6, "end_date"),
        (7, "end_date"),
        (9, "name"),
    }
    assert stored() == {("00012345", None, "2026-11-01", "2026-11-02", "Ya")}  # nothing changed, nothing removed
    with translation.override("en"):
        messages = {stored_text(e["message"]) for e in job.errors}
    assert "unknown store" in messages and "the end date is before the start date" in messages
    assert any(m.startswith("date out of range") for m in messages)


def test_spanish_headers_and_a_missing_column(tmp_path, catalogue):
    path = csv_file(
        tmp_path,
        "es.csv",
        ["00012345,Tienda Norte 002,2026-11-01,2026-11-03,Día"],
        header="SKU,Tienda,Desde,Hasta,Nombre",
    )
    assert run(path).status == Job.Status.DONE
    assert stored() == {("00012345", "Tienda Norte 002", "2026-11-01", "2026-11-03", "Día")}
    missing = csv_file(tmp_path, "m.csv", ["00012345,2026-11-01"], header="sku,start_date")
    job = run(missing)
    assert job.status == Job.Status.FAILED and "end_date" in message_text(job.message)


def test_dates_are_bounded_by_today(tmp_path, catalogue):
    year = dt.date.today().year + 3
    path = csv_file(tmp_path, "far.csv", [f"00012345,,{year}-01-01,{year}-01-02,"], header=HEADER)
    assert run(path).status == Job.Status.FAILED


class _Null:
    def write(self, *_args: object) -> None:
        pass

    def flush(self) -> None:
        pass


def test_the_page_has_form_guide_and_example_and_starts_the_job(planner_client, catalogue):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    page = planner_client.get(reverse("sales:promotion_upload")).content.decode()
    assert 'enctype="multipart/form-data"' in page and 'name="replace_range"' in page
    assert "Guía" in page and "Ejemplo" in page and "Black Friday" in page
    body = f"{HEADER}\n00012345,,2026-11-23,2026-11-29,Black Friday\n".encode()
    response = planner_client.post(
        reverse("sales:promotion_upload"),
        {"file": SimpleUploadedFile("promos.csv", body, content_type="text/csv"), "replace_range": "on"},
    )
    job = Job.objects.get()
    assert response.status_code == 302 and job.params == {"replace_range": True}
    assert job.status == Job.Status.DONE and Promotion.objects.count() == 1
    planner_client.post(reverse("set_language"), {"language": "en", "next": "/"})
    shown = planner_client.get(response["Location"]).content.decode()
    assert "New promotions" in shown and "Replace range" in shown


def test_viewers_cannot_upload(viewer_client):
    from django.urls import reverse

    assert viewer_client.get(reverse("sales:promotion_upload")).status_code == 403


def test_store_and_name_columns_are_optional(tmp_path, catalogue):
    path = csv_file(tmp_path, "min.csv", ["00012345,2026-11-01,2026-11-07"], header="sku,start_date,end_date")
    assert run(path).status == Job.Status.DONE
    assert stored() == {("00012345", None, "2026-11-01", "2026-11-07", "")}
