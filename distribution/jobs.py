"""The distribution run as a background job (thin: it calls the service)."""

from __future__ import annotations

import datetime as dt

from distribution.engine import DistributionParams
from distribution.services import distribution_run_create
from fastdso.jobs import JobProgress, job_input_path, job_max_bytes, job_runner
from fastdso.models import Job

KIND = "distribution_run"


def summary_for_display(run_id: str, summary: dict) -> dict[str, object]:
    """The run summary with the planners' words, for the job page and commands."""
    skipped = summary.get("skipped_by_reason", {})
    return {
        "Run": run_id,
        "SKUs solicitados": summary.get("scope_skus", 0),
        "SKUs por venta (SMA)": summary.get("sales_based_skus", 0),
        "SKUs arranque en frío": summary.get("cold_start_skus", 0),
        "SKUs sin línea": summary.get("skipped_skus", 0),
        # Reason codes and counts: pages name each reason in the viewer's language.
        "Sin línea, por motivo": dict(skipped) or "—",
        "SKUs sin stock CD": summary.get("no_cd_stock_skus", 0),
        "Líneas": summary.get("line_count", 0),
        # v3: lines by model and by reason (codes; pages name them in the viewer's language).
        "Líneas por modelo": dict(summary.get("lines_by_model", {})) or "—",
        "Líneas por motivo": dict(summary.get("lines_by_reason", {})) or "—",
        "Tiendas sin stock sin línea (caja sobre la cobertura)": summary.get("pack_exceeds_pairs", 0),
        "Unidades sugeridas": summary.get("total_suggested", 0),
        "Unidades asignadas": summary.get("total_allocated", 0),
        "Unidades CD a arranque en frío": summary.get("cold_start_allocated", 0),
        "Unidades CD retenidas por runs abiertos": _held_text(summary),
    }


def _held_text(summary: dict) -> str:
    """SPEC §5.7: the CD units other open runs held for these SKUs when the run was planned."""
    held = summary.get("cd_reserved_by") or {}
    total = summary.get("cd_reserved_units", 0)
    if not held:
        return str(total)
    shown = ", ".join(f"{source}: {units}" for source, units in list(held.items())[:10])
    more = f" … (+{len(held) - 10})" if len(held) > 10 else ""
    return f"{total} ({shown}{more})"


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
    job.result = summary_for_display(run.run_id, run.summary)
    job.warnings = result.warnings[:1000]
    job.result_url = run.get_absolute_url()
    job.counts = {"lines": run.line_count, "scope_skus": run.scope_sku_count}
