"""Legacy subset sales (SPEC §4.5): raw rows in DistributionRecord, never planned from."""

from __future__ import annotations

import datetime as dt

from fastdso.jobs import job_start
from fastdso.models import Job
from sales.jobs import LEGACY_SALES_IMPORT
from sales.models import DistributionRecord, SalesWeeklyAgg
from tests.sales.uploads import csv_file, nothing_written


def records() -> dict[tuple[str, str, dt.date], int]:
    rows = DistributionRecord.objects.select_related("product", "store")
    return {(r.product.sku, r.store.name, r.sale_date): r.units for r in rows}


def test_legacy_rows_upsert_per_sku_store_and_date(db, tmp_path, planner):
    first = csv_file(
        tmp_path,
        "a.csv",
        ["00012345,Centro,2026-01-05,3", "00012345,Centro,2026-01-05,1", "00012345,Norte,06/01/2026,2"],
    )
    job = job_start(kind=LEGACY_SALES_IMPORT, user=planner, path=first, sync=True)
    assert job.status == Job.Status.DONE
    assert records() == {
        ("00012345", "Centro", dt.date(2026, 1, 5)): 4,
        ("00012345", "Norte", dt.date(2026, 1, 6)): 2,
    }
    assert dict(job.summary_items)["records_written"] == 2
    assert set(DistributionRecord.objects.values_list("job", flat=True)) == {job.pk}
    again = job_start(kind=LEGACY_SALES_IMPORT, user=planner, path=first, sync=True)
    assert dict(again.summary_items)["records_written"] == 0
    second = csv_file(tmp_path, "b.csv", ["00012345,Centro,2026-01-05,7"])
    job_start(kind=LEGACY_SALES_IMPORT, user=planner, path=second, sync=True)
    assert records()[("00012345", "Centro", dt.date(2026, 1, 5))] == 7
    assert not SalesWeeklyAgg.objects.exists()  # it does not feed the macro layer


def test_bad_legacy_file_writes_nothing(db, tmp_path, planner):
    path = csv_file(tmp_path, "a.csv", ["1,Centro,2026-01-05,1", "2,Centro,2026-13-01,1"])
    job = job_start(kind=LEGACY_SALES_IMPORT, user=planner, path=path, sync=True)
    assert job.status == Job.Status.FAILED
    assert job.errors[0]["row"] == 3 and job.errors[0]["column"] == "date"
    assert nothing_written() and not DistributionRecord.objects.exists()
