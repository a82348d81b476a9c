"""Uploads apply in the order they were submitted (issue 33, point 1).

A job's id is its sequence number, taken at submission. The probe's case: a
large replace_range file sent first and a small correction of the same
stores and dates sent second; the correction finishes parsing first and is
applied first. The older, large file must then not overwrite it: it fails
with a clear message and writes nothing. Uploads whose scopes do not
overlap, or that only add (append_range), apply in any order.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.db.models import Sum
from django.utils import translation

from fastdso.jobs import job_execute
from fastdso.messages import render as message_text
from fastdso.messages import render as stored_text
from fastdso.models import AuditEvent, Job
from sales.jobs import MACRO_SALES_IMPORT
from sales.models import SalesLoad, SalesWeeklyAgg

pytestmark = pytest.mark.django_db

MONDAY = dt.date(2026, 2, 9)


def _file(tmp_path: Path, name: str, rows: list[tuple[str, str, str, int]]) -> Path:
    path = tmp_path / name
    path.write_text("sku,store,date,quantity\n" + "".join(f"{s},{t},{d},{q}\n" for s, t, d, q in rows))
    return path


def _large(tmp_path: Path) -> Path:
    """Two stores, two weeks (2026-02-02 … 2026-02-15), two SKUs, 5 units a day."""
    days = [dt.date(2026, 2, 2) + dt.timedelta(days=n) for n in range(14)]
    rows = [(sku, store, f"{day}", 5) for sku in ("00000001", "00000002") for store in ("T1", "T2") for day in days]
    return _file(tmp_path, "grande.csv", rows)


def _correction(tmp_path: Path, store: str = "T1") -> Path:
    """One day of one SKU at one store, inside the large file's range: 99 units."""
    return _file(tmp_path, "correccion.csv", [("00000001", store, f"{MONDAY}", 99)])


def _submit(path: Path, mode: str = "replace_range", *, kind: str = MACRO_SALES_IMPORT, **params: str) -> Job:
    """A submitted web upload, as job_start saves it: its file in the uploads
    storage, the row queued (its id is its place in the order)."""
    job = Job(kind=kind, file_name=path.name, params={"mode": mode, **params})
    job.file.save(path.name, ContentFile(path.read_bytes()), save=False)
    job.save()
    return job


def _units(sku: str, store: str, week: dt.date) -> int | None:
    rows = SalesWeeklyAgg.objects.filter(product__sku=sku, store__name=store, week_start=week)
    return rows.aggregate(total=Sum("units"))["total"]


def _status(job: Job) -> Job:
    job.refresh_from_db()
    return job


def test_an_older_upload_never_overwrites_a_newer_one_applied_first(tmp_path):
    large = _submit(_large(tmp_path))  # sent first
    correction = _submit(_correction(tmp_path))  # sent 0.5 s later
    job_execute(correction.pk)  # finished parsing first: applied first
    job_execute(large.pk)

    assert _status(correction).status == Job.Status.DONE
    refused = _status(large)
    assert refused.status == Job.Status.FAILED
    assert f"#{correction.pk}" in message_text(refused.message) and "no se aplicó" in message_text(refused.message)
    # The correction is what is stored; the large file wrote nothing.
    assert _units("00000001", "T1", MONDAY) == 99
    assert _units("00000001", "T2", MONDAY) is None
    assert SalesWeeklyAgg.objects.count() == 1
    assert list(SalesLoad.objects.values_list("job_id", flat=True)) == [correction.pk]
    assert AuditEvent.objects.filter(action="job_failed", object_id=str(large.pk)).count() == 1
    # The message is stored in the base language and shown in the viewer's.
    with translation.override("en"):
        shown = stored_text(refused.message)
    assert f"#{correction.pk}" in shown and "was not applied" in shown


def test_uploads_applied_in_submission_order_both_apply(tmp_path):
    large = _submit(_large(tmp_path))
    correction = _submit(_correction(tmp_path))
    job_execute(large.pk)
    job_execute(correction.pk)
    assert [_status(large).status, _status(correction).status] == [Job.Status.DONE, Job.Status.DONE]
    assert _units("00000001", "T1", MONDAY) == 99 + 6 * 5  # the correction replaced Monday, the rest is the file's
    assert _units("00000001", "T2", MONDAY) == 7 * 5
    assert _status(correction).scope["stores"] and _status(correction).scope["first"] == f"{MONDAY}"


def test_an_older_upload_of_other_stores_or_dates_still_applies(tmp_path):
    other_store = _submit(_correction(tmp_path, store="T9"))  # older, another store
    other_dates = _submit(_file(tmp_path, "marzo.csv", [("00000001", "T1", "2026-03-02", 4)]))  # older, other dates
    correction = _submit(_file(tmp_path, "feb.csv", [("00000001", "T1", f"{MONDAY}", 99)]))
    job_execute(correction.pk)
    job_execute(other_store.pk)
    job_execute(other_dates.pk)
    assert {_status(j).status for j in (correction, other_store, other_dates)} == {Job.Status.DONE}
    assert _units("00000001", "T9", MONDAY) == 99
    assert _units("00000001", "T1", dt.date(2026, 3, 2)) == 4


def test_two_append_uploads_add_up_in_either_order(tmp_path):
    first = _submit(_correction(tmp_path), mode="append_range")
    second = _submit(_file(tmp_path, "mas.csv", [("00000001", "T1", f"{MONDAY}", 1)]), mode="append_range")
    job_execute(second.pk)
    job_execute(first.pk)
    assert {_status(first).status, _status(second).status} == {Job.Status.DONE}
    assert _units("00000001", "T1", MONDAY) == 100


def test_an_older_append_after_a_newer_replace_is_refused(tmp_path):
    # Sent in this order, the replace would have wiped the append's units.
    older_append = _submit(_correction(tmp_path), mode="append_range")
    newer_replace = _submit(_file(tmp_path, "reemplazo.csv", [("00000001", "T1", f"{MONDAY}", 3)]))
    job_execute(newer_replace.pk)
    job_execute(older_append.pk)
    assert _status(older_append).status == Job.Status.FAILED
    assert _units("00000001", "T1", MONDAY) == 3


def test_store_stock_snapshots_of_one_date_apply_in_submission_order(tmp_path):
    older = tmp_path / "stock-viejo.csv"
    older.write_text("sku,store,quantity\n00000001,T1,10\n")
    newer = tmp_path / "stock-nuevo.csv"
    newer.write_text("sku,store,quantity\n00000001,T1,7\n")
    old_job = _submit(older, kind="store_stock_import", date="2026-02-10")
    new_job = _submit(newer, kind="store_stock_import", date="2026-02-10")
    job_execute(new_job.pk)
    job_execute(old_job.pk)
    assert [_status(old_job).status, _status(new_job).status] == [Job.Status.FAILED, Job.Status.DONE]
    from inventory.models import StoreStockSnapshot

    assert list(StoreStockSnapshot.objects.values_list("units", flat=True)) == [7]
