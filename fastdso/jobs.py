"""Background jobs: a `Job` row per task, run by django-q2 or inline.

An app declares a runner in its own `jobs.py`:

    @job_runner("macro_sales_import")
    def run_macro_import(job: Job, progress: JobProgress) -> None:
        ...  # call one service; set job.result / job.warnings / job.result_url

and a view or command starts it:

    job = job_start(kind="macro_sales_import", user=request.user, upload=file, params={...})

The runner executes inside one transaction: if it raises, everything it wrote
is rolled back and the job is marked failed with the reason. Progress is kept
in the cache, not in the Job row, so that other connections see it while the
job's transaction is still open.
"""

from __future__ import annotations

import logging
import shutil
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation

from fastdso.files import FileRejected, RowError
from fastdso.labels import label, stored_text
from fastdso.models import Job

logger = logging.getLogger(__name__)

Runner = Callable[[Job, "JobProgress"], None]
_RUNNERS: dict[str, Runner] = {}


class JobInputError(Exception):
    """Bad input found by a service: the job fails with these row errors and writes nothing."""

    def __init__(self, message: str, errors: list[RowError] | None = None, total_errors: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.errors = errors or []
        self.total_errors = total_errors if total_errors is not None else len(self.errors)


def job_runner(kind: str) -> Callable[[Runner], Runner]:
    def register(func: Runner) -> Runner:
        _RUNNERS[kind] = func
        return func

    return register


def registered_kinds() -> list[str]:
    return sorted(_RUNNERS)


class JobProgress:
    """Reports progress of a running job (percent, stage and counters)."""

    def __init__(self, job_id: int) -> None:
        self.job_id = job_id
        self.state: dict[str, Any] = {"progress": 0, "stage": "", "counts": {}}

    def __call__(self, percent: float, stage: str = "", **counts: Any) -> None:
        self.state["progress"] = max(0, min(100, int(percent)))
        if stage:
            self.state["stage"] = stage
        self.state["counts"].update(counts)
        cache.set(progress_key(self.job_id), self.state, timeout=24 * 3600)


def progress_key(job_id: int) -> str:
    return f"fastdso:job-progress:{job_id}"


def job_input_path(job: Job) -> Path:
    """The file a job reads, as a local path: the path a command passed, or its
    upload read through the uploads storage. A storage without local paths
    (S3) is copied once to a temporary file, removed when the job ends."""
    if not job.file:
        return Path(job.params["path"])
    try:
        return Path(job.file.storage.path(job.file.name))
    except NotImplementedError:
        pass
    local = _local_copy_path(job)
    if not local.exists():
        partial = local.with_suffix(".part")
        with job.file.storage.open(job.file.name, "rb") as source, partial.open("wb") as target:
            shutil.copyfileobj(source, target, 1 << 20)
        partial.replace(local)
    return local


def _local_copy_path(job: Job) -> Path:
    folder = Path(settings.VAR_DIR) / "job-inputs"
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"job-{job.pk}{Path(job.file.name).suffix[:10]}"


def job_max_bytes(job: Job) -> int | None:
    """The size limit of a job's input file: `--max-mb` when a command gave it,
    FASTDSO_MAX_UPLOAD_MB for web uploads, none for a command's file."""
    if job.params.get("max_mb") is not None:
        return int(job.params["max_mb"]) * 1024 * 1024
    if job.file:
        return int(settings.FASTDSO_MAX_UPLOAD_MB) * 1024 * 1024
    return None


def job_input_discard(job: Job) -> None:
    """A finished job's input leaves the storage (unless FASTDSO_KEEP_UPLOADS):
    the Job row keeps the file name, the summary and the errors. Called by
    `_finish`, which saves the row."""
    if not job.file:
        return
    _local_copy_path(job).unlink(missing_ok=True)
    if settings.FASTDSO_KEEP_UPLOADS:
        return
    try:
        job.file.delete(save=False)  # the caller saves the row
    except Exception:  # noqa: BLE001 - a storage hiccup must not fail a finished job
        logger.warning("job %s: could not delete its upload %s", job.pk, job.file.name, exc_info=True)


def job_start(
    *,
    kind: str,
    user: Any = None,
    params: dict[str, Any] | None = None,
    upload: UploadedFile | None = None,
    path: str | Path | None = None,
    sync: bool | None = None,
) -> Job:
    """Create a job and run it: inline when `sync` (commands, tests), else on the worker."""
    if kind not in _RUNNERS:
        raise ValueError(f"Unknown job kind {kind!r}; registered: {registered_kinds()}")
    params = dict(params or {})
    if path is not None:
        params["path"] = str(Path(path).resolve())
    job = Job(
        kind=kind,
        user=user if getattr(user, "is_authenticated", False) else None,
        params=params,
        file_name=(upload.name if upload else Path(path).name if path else "")[:255],
    )
    if upload is not None:
        job.file.save(Path(upload.name).name, upload, save=False)
    job.save()
    run_inline = settings.FASTDSO_JOBS_SYNC if sync is None else sync
    if run_inline:
        job_execute(job.pk)
        job.refresh_from_db()
    else:
        transaction.on_commit(lambda: _enqueue(job.pk))
    return job


def _enqueue(job_id: int) -> None:
    from django_q.tasks import async_task

    async_task("fastdso.jobs.job_execute", job_id, task_name=f"job-{job_id}", group="fastdso")


def job_execute(job_id: int) -> None:
    """Run one job (the django-q2 task). Never raises: failures land on the Job."""
    job = Job.objects.get(pk=job_id)
    if job.is_finished:
        return
    runner = _RUNNERS[job.kind]
    job.status = Job.Status.RUNNING
    job.started_at = timezone.now()
    job.save(update_fields=["status", "started_at"])
    progress = JobProgress(job.pk)
    progress(0, "Iniciando")
    # What a job stores (stages, summaries, warnings, messages) is written in
    # the base language whoever started it; pages translate it when shown
    # (fastdso.labels.stored_text).
    with translation.override(settings.LANGUAGE_CODE):
        _execute(job, runner, progress)


def _execute(job: Job, runner: Runner, progress: JobProgress) -> None:
    try:
        with transaction.atomic():
            runner(job, progress)
            # Marked done in the same transaction as its data: if saving the
            # job fails, the data goes too and the job is reported failed.
            _finish(job, Job.Status.DONE, progress_state=progress.state)
    except (FileRejected, JobInputError) as exc:
        errors = [e.as_dict() for e in exc.errors[: settings.FASTDSO_MAX_STORED_ERRORS]]
        _finish(job, Job.Status.FAILED, message=exc.message, errors=errors, error_count=exc.total_errors)
        _audit_failure(job)
        logger.info("job %s (%s) refused its input: %s", job.pk, job.kind, exc.message)
        return
    except Exception as exc:  # noqa: BLE001 - any failure is reported on the job page
        logger.exception("job %s (%s) failed", job.pk, job.kind)
        _finish(
            job,
            Job.Status.FAILED,
            message=f"Error interno: {exc.__class__.__name__}: {exc}",
            errors=[{"row": None, "column": "", "value": "", "message": traceback.format_exc(limit=3)[-2000:]}],
            error_count=1,
        )
        _audit_failure(job)
        return


def _audit_failure(job: Job) -> None:
    """A refused or failed upload/run is part of who-did-what too."""
    from fastdso.audit import audit_record

    audit_record(
        user=job.user,
        action="job_failed",
        obj=job,
        object_repr=f"{job.kind} {job.file_name}".strip(),
        object_url=reverse("job_detail", args=[job.pk]),
        details={"errores": job.error_count, "mensaje": job.message[:200]},
    )


def _finish(job: Job, status: str, *, progress_state: dict[str, Any] | None = None, **fields: Any) -> None:
    job.status = status
    job.finished_at = timezone.now()
    if status == Job.Status.DONE:
        job.progress = 100
        job.stage = "Terminada"
        if progress_state:
            job.counts = {**progress_state.get("counts", {}), **job.counts}
    else:
        job.stage = "Fallida"
        # Whatever the runner set before failing was rolled back with it.
        job.result = {}
        job.result_url = ""
        job.warnings = []
    for name, value in fields.items():
        setattr(job, name, value)
    job_input_discard(job)
    job.save()
    cache.delete(progress_key(job.pk))


def job_status(job: Job) -> dict[str, Any]:
    """What the job page polls: live progress while running, the row once finished.
    `count_labels` names each counter for the page (the raw key if unknown)."""
    state: dict[str, Any] = {
        "id": job.pk,
        "status": job.status,
        "status_label": str(job.get_status_display()),
        "progress": job.progress,
        "stage": job.stage,
        "counts": job.counts,
        "finished": job.is_finished,
    }
    if job.status == Job.Status.RUNNING:
        live = cache.get(progress_key(job.pk))
        if live:
            state.update(progress=live["progress"], stage=live["stage"], counts=live["counts"])
    # Stored in the base language; shown in the viewer's. A finished job's
    # status badge says it all: no second "Terminada" beside it.
    state["stage"] = "" if job.is_finished else stored_text(state["stage"])
    state["count_labels"] = {key: label("param", key) for key in state["counts"] or {}}
    return state


def file_import_run(
    job: Job,
    progress: JobProgress,
    service: Callable[..., Any],
    *,
    rows_written: Callable[[Any], int],
    **service_kwargs: Any,
) -> None:
    """Run an import service on the job's file and record its outcome: the
    ordered summary, the category warnings and the rows read/written counts.
    Every upload job (products, stock, macro and legacy sales) is one call."""
    result = service(
        path=job_input_path(job),
        user=job.user,
        progress=progress,
        file_name=job.file_name,
        job=job,
        **service_kwargs,
    )
    job.result = [[label, value] for label, value in result.summary().items()]  # ordered
    job.warnings = result.category_warnings
    job.counts = {"rows_read": result.rows_read, "rows_written": rows_written(result)}
