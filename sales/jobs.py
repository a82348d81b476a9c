"""Background jobs of the sales uploads: each calls one service (SPEC §4)."""

from __future__ import annotations

from fastdso.jobs import JobProgress, file_import_run, job_max_bytes, job_runner
from fastdso.models import Job
from sales.models import SalesLoad
from sales.services import legacy_sales_import, macro_sales_import, promotions_import

MACRO_SALES_IMPORT = "macro_sales_import"
LEGACY_SALES_IMPORT = "legacy_sales_import"
PROMOTION_IMPORT = "promotion_import"


@job_runner(MACRO_SALES_IMPORT)
def run_macro_sales_import(job: Job, progress: JobProgress) -> None:
    file_import_run(
        job,
        progress,
        macro_sales_import,
        rows_written=lambda r: r.rows_written,
        mode=job.params.get("mode") or SalesLoad.Mode.REPLACE_RANGE,
        max_bytes=job_max_bytes(job),
    )


@job_runner(LEGACY_SALES_IMPORT)
def run_legacy_sales_import(job: Job, progress: JobProgress) -> None:
    file_import_run(
        job, progress, legacy_sales_import, rows_written=lambda r: r.rows_written, max_bytes=job_max_bytes(job)
    )


@job_runner(PROMOTION_IMPORT)
def run_promotion_import(job: Job, progress: JobProgress) -> None:
    file_import_run(
        job,
        progress,
        promotions_import,
        rows_written=lambda r: r.created + r.renamed,
        replace_range=bool(job.params.get("replace_range")),
        max_bytes=job_max_bytes(job),
    )
