"""The distribution run as a background job (thin: it calls the service)."""

from __future__ import annotations

import datetime as dt

from distribution.engine import DistributionParams
from distribution.services import distribution_run_create
from fastdso.jobs import JobProgress, job_input_path, job_max_bytes, job_runner
from fastdso.messages import msg, msg_json, stored_list, summary_json
from fastdso.models import Job

KIND = "distribution_run"


def summary_for_display(run_id: str, summary: dict) -> dict[str, object]:
    """The run summary by code (labels: fastdso.labels / the catalogues), for
    the job page, the run page and commands."""
    return {
        "run_id": run_id,
        "scope_skus": summary.get("scope_skus", 0),
        "sales_based_skus": summary.get("sales_based_skus", 0),
        "cold_start_skus": summary.get("cold_start_skus", 0),
        "skipped_skus": summary.get("skipped_skus", 0),
        # Reason codes and counts: pages name each reason in the viewer's language.
        "skipped_by_reason": dict(summary.get("skipped_by_reason", {})) or None,
        "no_cd_stock_skus": summary.get("no_cd_stock_skus", 0),
        "line_count": summary.get("line_count", 0),
        # v3: lines by model and by reason (codes).
        "lines_by_model": dict(summary.get("lines_by_model", {})) or None,
        "lines_by_reason": dict(summary.get("lines_by_reason", {})) or None,
        "pack_exceeds_pairs": summary.get("pack_exceeds_pairs", 0),
        "total_suggested": summary.get("total_suggested", 0),
        "total_allocated": summary.get("total_allocated", 0),
        "cold_start_allocated": summary.get("cold_start_allocated", 0),
        "cd_reserved_units": _held(summary),
    }


def _held(summary: dict) -> int | dict:
    """SPEC §5.7: the CD units other open runs held for these SKUs when the run was planned."""
    held = summary.get("cd_reserved_by") or {}
    total = summary.get("cd_reserved_units", 0)
    if not held:
        return total
    by = [msg("distribution.held_by", source=source, units=units) for source, units in list(held.items())[:10]]
    if len(held) > 10:
        return msg_json("distribution.cd_held_more", total=total, by=by, more=len(held) - 10)
    return msg_json("distribution.cd_held", total=total, by=by)


@job_runner(KIND)
def run_distribution(job: Job, progress: JobProgress) -> None:
    params = DistributionParams.from_dict(job.params.get("params", {}))
    as_of = job.params.get("as_of")
    result = distribution_run_create(
        request_path=job_input_path(job),
        file_name=job.params.get("file_name") or job.file_name,
        params=params,
        as_of=dt.date.fromisoformat(as_of) if as_of else None,
        user=job.user,
        progress=progress,
        job=job,
        max_bytes=job_max_bytes(job),
    )
    run = result.run
    job.result = summary_json(summary_for_display(run.run_id, run.summary))
    job.warnings = stored_list(result.warnings[:1000])
    job.result_url = run.get_absolute_url()
    job.counts = {"lines": run.line_count, "scope_skus": run.scope_sku_count}
