"""The purchase forecast as a background job (progress on the job page)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastdso.files import sku_file_read
from fastdso.jobs import JobProgress, job_input_path, job_max_bytes, job_runner
from fastdso.messages import stored_list, summary_json
from fastdso.models import Job
from forecast import engine
from forecast.models import ForecastRun
from forecast.services import ForecastRequest, forecast_run_create, run_summary

KIND = "purchase_forecast"


def request_from_params(job: Job) -> ForecastRequest:
    """Job params (JSON) → ForecastRequest; a SKU file is read (and validated) by the service."""
    params: dict[str, Any] = job.params
    skus: list[str] = list(params.get("skus") or [])
    file_categories: dict[str, str] = {}
    file_names: dict[str, str] = {}
    duplicates = 0
    if params.get("scope") == ForecastRun.Scope.SKUS and (job.file or params.get("path")):
        sku_file = sku_file_read(job_input_path(job), max_bytes=job_max_bytes(job))
        skus, file_categories, file_names = list(sku_file.skus), sku_file.categories, sku_file.names
        duplicates = sku_file.duplicates
    as_of = params.get("as_of")
    return ForecastRequest(
        scope=params["scope"],
        skus=tuple(skus),
        file_categories=file_categories,
        file_names=file_names,
        category=params.get("category") or "",
        store_ids=tuple(int(s) for s in params.get("store_ids") or []),
        weeks=int(params["weeks"]) if params.get("weeks") else None,
        coverage_weeks=int(params.get("coverage_weeks", 4)),
        as_of=dt.date.fromisoformat(as_of) if as_of else None,
        backtest_weeks=int(params.get("backtest_weeks", 8)),
        input_name=params.get("input_name") or job.file_name or "",
        duplicates=duplicates + int(params.get("duplicates", 0)),
        # Jobs queued before v3 carry no method: they were V2.
        method=params.get("method") or engine.SMA,
        eol_weeks=int(params.get("eol_weeks", engine.EOL_WEEKS)),
        eol_override=tuple(str(s) for s in params.get("eol_override") or ()),
        evaluation_origins=int(params.get("evaluation_origins", engine.EVAL_ORIGINS)),
    )


@job_runner(KIND)
def run_purchase_forecast(job: Job, progress: JobProgress) -> None:
    progress(1, "stage.reading_input")
    request = request_from_params(job)
    run, warnings = forecast_run_create(request=request, user=job.user, job=job, progress=progress)
    summary = run_summary(run)
    job.result = summary_json(
        {
            "forecast_id": f"#{run.pk}",
            "as_of_week": run.as_of_week,
            "skus": summary["skus"],
            "macro": summary["macro"],
            "category_proxy": summary["category_proxy"],
            "no_history": summary["no_history"],
            "purchase_units_total": summary["purchase_units"],
            "method": run.method,
            "end_of_life_skus": run.eol_count,
        }
    )
    job.counts = {"skus": run.sku_count}
    job.warnings = stored_list(warnings)
    job.result_url = run.get_absolute_url()
