"""Background jobs of the inventory app: product, stores file and stock uploads (each calls one
service)."""

from __future__ import annotations

import datetime as dt

from fastdso.bounds import NotADate, OutOfRange, bounded_date
from fastdso.jobs import JobInputError, JobProgress, file_import_run, job_max_bytes, job_runner
from fastdso.models import Job
from inventory.services import cd_stock_import, movements_import, products_import, store_stock_import, stores_import

PRODUCT_IMPORT = "product_import"
CD_STOCK_IMPORT = "cd_stock_import"
STORE_STOCK_IMPORT = "store_stock_import"
STORE_IMPORT = "store_import"
SHIPMENTS_IMPORT = "shipments_import"
RECEIPTS_IMPORT = "receipts_import"


def _snapshot_date(job: Job) -> dt.date | None:
    """The stock's date from the job's params, bounded (issue 33 §6): refused, naming the field."""
    try:
        return bounded_date(job.params.get("date"), "date")
    except (OutOfRange, NotADate) as exc:
        raise JobInputError(exc.as_message()) from None


@job_runner(PRODUCT_IMPORT)
def run_product_import(job: Job, progress: JobProgress) -> None:
    file_import_run(
        job, progress, products_import, rows_written=lambda r: r.created + r.renamed, max_bytes=job_max_bytes(job)
    )


@job_runner(CD_STOCK_IMPORT)
def run_cd_stock_import(job: Job, progress: JobProgress) -> None:
    file_import_run(
        job,
        progress,
        cd_stock_import,
        rows_written=lambda r: r.sku_count,
        snapshot_date=_snapshot_date(job),
        partial=bool(job.params.get("partial")),
        backfill=bool(job.params.get("backfill")),
        max_bytes=job_max_bytes(job),
    )


@job_runner(STORE_STOCK_IMPORT)
def run_store_stock_import(job: Job, progress: JobProgress) -> None:
    file_import_run(
        job,
        progress,
        store_stock_import,
        rows_written=lambda r: r.rows_read,
        snapshot_date=_snapshot_date(job),
        backfill=bool(job.params.get("backfill")),
        max_bytes=job_max_bytes(job),
    )


@job_runner(SHIPMENTS_IMPORT)
def run_shipments_import(job: Job, progress: JobProgress) -> None:
    file_import_run(
        job,
        progress,
        movements_import,
        rows_written=lambda r: r.rows_read,
        kind="shipments",
        backfill=bool(job.params.get("backfill")),
        max_bytes=job_max_bytes(job),
    )


@job_runner(RECEIPTS_IMPORT)
def run_receipts_import(job: Job, progress: JobProgress) -> None:
    file_import_run(
        job,
        progress,
        movements_import,
        rows_written=lambda r: r.rows_read,
        kind="receipts",
        backfill=bool(job.params.get("backfill")),
        max_bytes=job_max_bytes(job),
    )


@job_runner(STORE_IMPORT)
def run_store_import(job: Job, progress: JobProgress) -> None:
    file_import_run(
        job, progress, stores_import, rows_written=lambda r: r.created + r.updated, max_bytes=job_max_bytes(job)
    )
