"""Background jobs of the inventory app: product and stock uploads (each calls one
service) and the Store Health refresh."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse

from fastdso.jobs import JobProgress, file_import_run, job_runner
from fastdso.models import Job
from inventory.health import HealthParams
from inventory.queries import HEALTH_REFRESH_JOB, store_health_refresh
from inventory.services import cd_stock_import, products_import, store_stock_import, upload_max_bytes

PRODUCT_IMPORT = "product_import"
CD_STOCK_IMPORT = "cd_stock_import"
STORE_STOCK_IMPORT = "store_stock_import"


def _snapshot_date(job: Job) -> dt.date | None:
    value = job.params.get("date")
    return dt.date.fromisoformat(value) if value else None


@job_runner(PRODUCT_IMPORT)
def run_product_import(job: Job, progress: JobProgress) -> None:
    file_import_run(
        job, progress, products_import, rows_written=lambda r: r.created + r.renamed, max_bytes=upload_max_bytes()
    )


@job_runner(CD_STOCK_IMPORT)
def run_cd_stock_import(job: Job, progress: JobProgress) -> None:
    file_import_run(
        job,
        progress,
        cd_stock_import,
        rows_written=lambda r: r.sku_count,
        snapshot_date=_snapshot_date(job),
        max_bytes=upload_max_bytes(),
    )


@job_runner(STORE_STOCK_IMPORT)
def run_store_stock_import(job: Job, progress: JobProgress) -> None:
    file_import_run(
        job,
        progress,
        store_stock_import,
        rows_written=lambda r: r.rows_read,
        snapshot_date=_snapshot_date(job),
        max_bytes=upload_max_bytes(),
    )


@job_runner(HEALTH_REFRESH_JOB)
def run_store_health_refresh(job: Job, progress: JobProgress) -> None:
    """Recompute Store Health for new data (started by the dashboard on a new data version)."""
    progress(5, "Calculando la salud de tiendas")
    as_of = job.params.get("as_of")
    params = HealthParams(
        last_runs=int(job.params.get("last_runs", HealthParams().last_runs)),
        as_of=dt.date.fromisoformat(as_of) if as_of else None,
    )
    data = store_health_refresh(params)
    job.result = {
        "tiendas": data.kpis["stores"],
        "SKUs en el alcance": data.kpis["scope_skus"],
        "quiebres con demanda": data.kpis["stockouts"],
        "bajo cobertura mínima": data.kpis["below_min"],
        "sobre cobertura máxima": data.kpis["above_max"],
    }
    job.result_url = reverse("home") + f"?runs={params.last_runs}"
    progress(100, "Terminada")
