"""The redistribution job: plan transfers in the background (django-q2), with progress."""

from __future__ import annotations

from fastdso.jobs import JobProgress, job_input_path, job_max_bytes, job_runner
from fastdso.messages import summary_json
from fastdso.models import Job
from redistribution.services import PlanRequest, transfer_plan_create

KIND = "redistribution_plan"


@job_runner(KIND)
def run_redistribution_plan(job: Job, progress: JobProgress) -> None:
    request = PlanRequest.from_json(job.params["request"])
    sku_file = job_input_path(job) if (job.file or job.params.get("path")) else None
    plan = transfer_plan_create(
        user=job.user,
        request=request,
        sku_file=sku_file,
        file_name=job.file_name,
        job=job,
        progress=progress,
        max_bytes=job_max_bytes(job),
    )
    summary = plan.summary
    job.result = summary_json(
        {
            "plan_id": plan.plan_id,
            "moves": summary["moves"],
            "small_moves": summary.get("small_moves", 0),
            "units": summary["units"],
            "skus_moved": summary["skus_moved"],
            "stores_affected": summary["stores_affected"],
            "destinations_short": summary["destinations_short"],
        }
    )
    job.warnings = list(plan.warnings)
    job.result_url = plan.get_absolute_url()
    job.counts = {"lines": summary["moves"], "units": summary["units"]}
