"""The replay as a background job: progress "semana k de N" on the job page."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastdso.files import sku_file_read
from fastdso.jobs import JobProgress, job_input_path, job_max_bytes, job_runner
from fastdso.messages import msg, stored_list, summary_json
from fastdso.models import Job
from replay.models import ReplayRun
from replay.services import ReplayRequest, replay_run_create

KIND = "replay"


def request_from_params(job: Job) -> ReplayRequest:
    """Job params (JSON) → ReplayRequest; a SKU file is read (and validated) here."""
    params: dict[str, Any] = job.params
    skus: list[str] = list(params.get("skus") or [])
    file_categories: dict[str, str] = {}
    if params.get("scope") == ReplayRun.Scope.SKUS and (job.file or params.get("path")):
        sku_file = sku_file_read(job_input_path(job), max_bytes=job_max_bytes(job))
        skus, file_categories = list(sku_file.skus), sku_file.categories
    as_of = params.get("as_of")
    return ReplayRequest(
        scope=params.get("scope", ""),
        skus=tuple(skus),
        file_categories=file_categories,
        category=params.get("category") or "",
        top_n=int(params.get("top_n") or 0),
        weeks=int(params.get("weeks", 8)),
        cd_supply=float(params.get("cd_supply", 1.0)),
        as_of=dt.date.fromisoformat(as_of) if as_of else None,
        policies=tuple(params.get("policies") or ()),
        input_name=params.get("input_name") or job.file_name or "",
        # A job queued before v3 ran the v2 replay.
        rules=str(params.get("rules", "v2")),
        cd_mode=str(params.get("cd_mode", "history")),
        supplier_lead_weeks=int(params.get("supplier_lead_weeks", 2)),
    )


def summary_for_display(run: ReplayRun) -> list[dict[str, object]]:
    """The job page's summary, in order, by code: one line per policy."""
    rows: list[tuple[str, object]] = [
        ("replay_id", run.replay_id),
        ("scope", msg("replay.scope_value", label=run.scope_label, n=run.sku_count)),
        ("replay.weeks", msg("replay.weeks_value", first=run.first_week, last=run.as_of_week, n=run.weeks)),
        ("cd_supply", run.cd_supply),
    ]
    for result in run.results:
        fill = result["totals"].get("fill_rate")
        units = result["totals"]["units_shipped"]
        if fill is None:
            rows.append(("replay.policy", msg("replay.policy_result_no_fill", policy=result["name"], units=units)))
        else:
            value = msg("replay.policy_result", policy=result["name"], fill=fill * 100, units=units)
            rows.append(("replay.policy", value))
    return summary_json(rows)


@job_runner(KIND)
def run_replay(job: Job, progress: JobProgress) -> None:
    progress(1, "stage.reading_input")
    run, warnings = replay_run_create(request=request_from_params(job), user=job.user, job=job, progress=progress)
    job.result = summary_for_display(run)
    job.warnings = stored_list(warnings)
    job.counts = {"skus": run.sku_count, "weeks_done": run.weeks * len(run.policies)}
    job.result_url = run.get_absolute_url()
