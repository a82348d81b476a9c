"""Background jobs of the sales uploads: each calls one service (SPEC §4)."""

from __future__ import annotations

from fastdso.jobs import JobProgress, job_input_path, job_runner
from fastdso.models import Job
from inventory.services import upload_max_bytes
from sales.models import SalesLoad
from sales.services import legacy_sales_import, macro_sales_import

MACRO_SALES_IMPORT = "macro_sales_import"
LEGACY_SALES_IMPORT = "legacy_sales_import"


@job_runner(MACRO_SALES_IMPORT)
def run_macro_sales_import(job: Job, progress: JobProgress) -> None:
    result = macro_sales_import(
        path=job_input_path(job),
        mode=job.params.get("mode") or SalesLoad.Mode.REPLACE_RANGE,
        user=job.user,
        progress=progress,
        file_name=job.file_name,
        job=job,
        max_bytes=upload_max_bytes(),
    )
    job.result = [[label, value] for label, value in result.summary().items()]  # ordered
    job.warnings = result.category_warnings
    job.counts = {"rows_read": result.rows_read, "rows_written": result.rows_written}


@job_runner(LEGACY_SALES_IMPORT)
def run_legacy_sales_import(job: Job, progress: JobProgress) -> None:
    result = legacy_sales_import(
        path=job_input_path(job),
        user=job.user,
        progress=progress,
        file_name=job.file_name,
        job=job,
        max_bytes=upload_max_bytes(),
    )
    job.result = [[label, value] for label, value in result.summary().items()]  # ordered
    job.warnings = result.category_warnings
    job.counts = {"rows_read": result.rows_read, "rows_written": result.rows_written}
