"""Background job of the health app: the Store Health refresh."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse

from fastdso.jobs import JobProgress, job_runner
from fastdso.messages import summary_json
from fastdso.models import Job
from health.engine import HealthParams
from health.queries import HEALTH_REFRESH_JOB, store_health_refresh


@job_runner(HEALTH_REFRESH_JOB)
def run_store_health_refresh(job: Job, progress: JobProgress) -> None:
    """Recompute Store Health for new data (started by the dashboard on a new data version)."""
    progress(5, "stage.store_health")
    as_of = job.params.get("as_of")
    params = HealthParams(
        last_runs=int(job.params.get("last_runs", HealthParams().last_runs)),
        as_of=dt.date.fromisoformat(as_of) if as_of else None,
    )
    data = store_health_refresh(params)
    job.result = summary_json(
        {
            "stores": data.kpis["stores"],
            "scope_skus_health": data.kpis["scope_skus"],
            "stockouts": data.kpis["stockouts"],
            "below_min": data.kpis["below_min"],
            "above_max": data.kpis["above_max"],
        }
    )
    job.result_url = reverse("home") + f"?runs={params.last_runs}"
    progress(100, "stage.done")
