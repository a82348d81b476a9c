"""The stores file (SPEC v3 §4.7): opening date, like store, size, lead time, active."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from fastdso.jobs import job_start
from fastdso.messages import render as stored_text
from fastdso.models import AuditEvent, Job
from inventory.jobs import STORE_IMPORT
from inventory.models import Store
from tests import factories
from tests.sales.uploads import csv_file

pytestmark = pytest.mark.django_db
HEADER = "store,code,opened_on,like_store,size_factor,lead_time_days,active"


def run(path) -> Job:
    return job_start(kind=STORE_IMPORT, path=path, sync=True)


def stores() -> dict[str, tuple]:
    return {
        s.name: (
            s.code,
            s.opened_on,
            s.like_store.name if s.like_store else None,
            s.size_factor,
            s.lead_time_days,
            s.active,
        )
        for s in Store.objects.select_related("like_store")
    }


def test_stores_are_matched_created_and_filled(tmp_path):
    factories.store("Tienda Centro 001", code="C001")
    factories.store("Tienda Norte 002")
    path = csv_file(
        tmp_path,
        "t.csv",
        [
            "  tienda centro 001 ,,2015-03-01,,1.2,1,sí",  # by name, any case and spacing; its code kept
            "N002,N002,,,,,",  # no store has this code or name: a new store
            "Tienda Sur 003,S003,02/11/2026,Tienda Centro 001,0.8,3,yes",  # new, like a stored store
            "Tienda Este 004,,,S003,,,NO",  # new, like a store of the same file (by its code)
        ],
        header=HEADER,
    )
    job = run(path)
    assert job.status == Job.Status.DONE, job.errors
    assert stores() == {
        "Tienda Centro 001": ("C001", dt.date(2015, 3, 1), None, 1.2, 1, True),
        "Tienda Norte 002": (None, None, None, 1.0, 2, True),
        "N002": ("N002", None, None, 1.0, 2, True),
        "Tienda Sur 003": ("S003", dt.date(2026, 11, 2), "Tienda Centro 001", 0.8, 3, True),
        "Tienda Este 004": (None, None, "Tienda Sur 003", 1.0, 2, False),
    }
    summary = dict(job.summary_items)
    assert (summary["new_stores"], summary["stores_updated"], summary["stores_unchanged"]) == (3, 1, 0)
    assert summary["stores_with_like"] == 2 and summary["stores_inactive"] == 1
    assert AuditEvent.objects.get(action="upload").details["kind"] == "stores_file"
    # The same file again changes nothing.
    again = run(path)
    assert dict(again.summary_items)["stores_unchanged"] == 4 and dict(again.summary_items)["new_stores"] == 0


def test_a_code_renames_its_store_and_absent_columns_keep_their_values(tmp_path):
    centro = factories.store("Tienda Centro", code="C001")
    Store.objects.filter(pk=centro.pk).update(lead_time_days=5, size_factor=2.0, active=False)
    job = run(csv_file(tmp_path, "t.csv", ["Centro Renovado,C001,1"], header="tienda,código,activa"))
    assert job.status == Job.Status.DONE, job.errors
    centro.refresh_from_db()
    assert (centro.name, centro.code, centro.lead_time_days, centro.size_factor, centro.active) == (
        "Centro Renovado",
        "C001",
        5,
        2.0,
        True,
    )


def test_bad_rows_refuse_the_whole_file(tmp_path):
    factories.store("Tienda Centro 001", code="C001")
    factories.store("Tienda Norte 002", code="N002")
    before = stores()
    path = csv_file(
        tmp_path,
        "bad.csv",
        [
            "Tienda Nueva,,,Tienda Fantasma,,,",  # like store nobody knows
            "Tienda Otra,,,Tienda Otra,,,",  # its own like store
            "Tienda Centro 001,N002,,,,,",  # the code of another store
            "Tienda Cero,,,,0,,",  # size factor must be > 0
            "Tienda Lejos,,,,,61,",  # lead time over 60
            "Tienda Rara,,,,,,quizás",  # active not a yes/no
            "Tienda Vieja,,1850-01-01,,,,",  # an absurd opening year
            "tienda nueva,,,,,,",  # the same new store twice
        ],
        header=HEADER,
    )
    job = run(path)
    assert job.status == Job.Status.FAILED
    assert [(e["row"], e["column"]) for e in job.errors] == [
        (2, "like_store"),
        (3, "like_store"),
        (4, "code"),
        (5, "size_factor"),
        (6, "lead_time_days"),
        (7, "active"),
        (8, "opened_on"),
        (9, "store"),
    ]
    assert stores() == before  # nothing written
    with translation.override("en"):
        shown = [stored_text(e["message"]) for e in job.errors]
    assert shown[0] == "unknown like store (neither in the database nor in the file)"
    assert shown[-1] == "store repeated (also on row 2)"


def test_the_page_and_the_api(planner_client, viewer_client):
    assert viewer_client.get(reverse("inventory:store_upload")).status_code == 403
    page = planner_client.get(reverse("inventory:store_upload")).content.decode()
    assert "Guía" in page and "Ejemplo" in page and "like_store" in page
    body = f"{HEADER}\nTienda Centro 001,C001,,,1.5,4,si\n".encode()
    response = planner_client.post(
        reverse("inventory:store_upload"), {"file": SimpleUploadedFile("t.csv", body, content_type="text/csv")}
    )
    job = Job.objects.get()
    assert response.status_code == 302 and job.kind == STORE_IMPORT and job.status == Job.Status.DONE
    assert stores()["Tienda Centro 001"] == ("C001", None, None, 1.5, 4, True)


def test_two_stores_cannot_be_renamed_to_one_name(tmp_path):
    factories.store("Centro", code="C001")
    factories.store("Norte", code="N002")
    job = run(csv_file(tmp_path, "t.csv", ["Centro Nuevo,C001", "centro nuevo,N002"], header="store,code"))
    assert job.status == Job.Status.FAILED
    assert [(e["row"], e["column"]) for e in job.errors] == [(3, "store")]
    assert set(Store.objects.values_list("name", flat=True)) == {"Centro", "Norte"}
    named = run(csv_file(tmp_path, "n.csv", ["Centro,C001,1.5"], header="nombre,código,factor_tamaño"))
    assert named.status == Job.Status.DONE and Store.objects.get(code="C001").size_factor == 1.5
