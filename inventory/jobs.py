"""Background jobs of the product and stock uploads: each calls one service."""

from __future__ import annotations

import datetime as dt

from fastdso.jobs import JobProgress, job_input_path, job_runner
from fastdso.models import Job
from inventory.services import cd_stock_import, products_import, store_stock_import, upload_max_bytes

PRODUCT_IMPORT = "product_import"
CD_STOCK_IMPORT = "cd_stock_import"
STORE_STOCK_IMPORT = "store_stock_import"


def _snapshot_date(job: Job) -> dt.date | None:
    value = job.params.get("date")
    return dt.date.fromisoformat(value) if value else None


@job_runner(PRODUCT_IMPORT)
def run_product_import(job: Job, progress: JobProgress) -> None:
    result = products_import(
        path=job_input_path(job),
        user=job.user,
        progress=progress,
        file_name=job.file_name,
        job=job,
        max_bytes=upload_max_bytes(),
    )
    job.result = [[label, value] for label, value in result.summary().items()]  # ordered
    job.warnings = result.category_warnings
    job.counts = {"rows_read": result.rows_read, "rows_written": result.created + result.renamed}


@job_runner(CD_STOCK_IMPORT)
def run_cd_stock_import(job: Job, progress: JobProgress) -> None:
    result = cd_stock_import(
        path=job_input_path(job),
        snapshot_date=_snapshot_date(job),
        user=job.user,
        progress=progress,
        file_name=job.file_name,
        job=job,
        max_bytes=upload_max_bytes(),
    )
    job.result = [[label, value] for label, value in result.summary().items()]  # ordered
    job.warnings = result.category_warnings
    job.counts = {"rows_read": result.rows_read, "rows_written": result.sku_count}


@job_runner(STORE_STOCK_IMPORT)
def run_store_stock_import(job: Job, progress: JobProgress) -> None:
    result = store_stock_import(
        path=job_input_path(job),
        snapshot_date=_snapshot_date(job),
        user=job.user,
        progress=progress,
        file_name=job.file_name,
        job=job,
        max_bytes=upload_max_bytes(),
    )
    job.result = [[label, value] for label, value in result.summary().items()]  # ordered
    job.warnings = result.category_warnings
    job.counts = {"rows_read": result.rows_read, "rows_written": result.rows_read}
