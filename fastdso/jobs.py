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

import datetime as dt
import logging
import os
import shutil
import socket
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.files.base import File
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, OperationalError, transaction
from django.urls import reverse
from django.utils import timezone, translation

from fastdso.files import FileRejected, RowError
from fastdso.messages import Message, label_of, message_from, msg, render, stored, stored_list, summary_json
from fastdso.models import Job

logger = logging.getLogger(__name__)

Runner = Callable[[Job, "JobProgress"], None]
_RUNNERS: dict[str, Runner] = {}


class JobInputError(Exception):
    """Bad input found by a service: the job fails with these row errors and writes nothing."""

    def __init__(
        self, message: Message | str, errors: list[RowError] | None = None, total_errors: int | None = None
    ) -> None:
        self.message = message_from(message)
        super().__init__(self.message)
        self.errors = errors or []
        self.total_errors = total_errors if total_errors is not None else len(self.errors)


def job_runner(kind: str) -> Callable[[Runner], Runner]:
    def register(func: Runner) -> Runner:
        _RUNNERS[kind] = func
        return func

    return register


def registered_kinds() -> list[str]:
    return sorted(_RUNNERS)


def no_progress(*_args: Any, **_kwargs: Any) -> None:
    """The progress callback of a service called outside a job (commands, tests)."""
    return None


class JobProgress:
    """Reports progress of a running job (percent, stage and counters)."""

    def __init__(self, job_id: int) -> None:
        self.job_id = job_id
        self.state: dict[str, Any] = {"progress": 0, "stage": "", "counts": {}}

    def __call__(self, percent: float, stage: str | Message = "", **counts: Any) -> None:
        """`stage`: a stage's message code ("stage.saving") or a message with
        parameters, rendered when shown."""
        self.state["progress"] = max(0, min(100, int(percent)))
        if stage:
            self.state["stage"] = stage.as_json() if isinstance(stage, Message) else stage
        self.state["counts"].update(counts)
        _cache_quietly(cache.set, progress_key(self.job_id), self.state, timeout=24 * 3600)


def _cache_quietly(operation: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """A cache call that may fail (Redis down) without failing the job or the
    page: live progress and heartbeats are a convenience; the Job row is the
    record. Returns None when the cache did not answer."""
    try:
        return operation(*args, **kwargs)
    except Exception as exc:  # noqa: BLE001 - whatever the cache backend raises
        logger.warning("cache unavailable (%s): %s", getattr(operation, "__name__", operation), exc)
        return None


def progress_key(job_id: int) -> str:
    return f"fastdso:job-progress:{job_id}"


# The files management commands read, by job id: set only while the command
# runs its job inline in its own process. A path in a Job row's params is a
# record of what the command read, never something a worker opens.
_COMMAND_INPUTS: ContextVar[dict[int, Path] | None] = ContextVar("fastdso_command_inputs", default=None)


class JobFileRefused(JobInputError):
    """The job names a file it did not store itself: nothing is read."""


def job_input_path(job: Job) -> Path:
    """The file a job reads, as a local path: its own upload, read through the
    uploads storage (a storage without local paths, S3, is copied once to a
    temporary file, removed when the job ends), or the file a management
    command named, while that command runs the job inline.

    Nothing else is ever opened (issue 33 §5): not a path written in the
    job's params (a worker never reads one), not a stored name outside the
    uploads folder, and not another job's upload."""
    if not job.file:
        command_path = (_COMMAND_INPUTS.get() or {}).get(job.pk)
        if command_path is None:
            raise JobFileRefused(msg("jobs.no_own_file"))
        return command_path
    name = _own_upload_name(job)
    try:
        return Path(job.file.storage.path(name))
    except NotImplementedError:
        pass
    local = _local_copy_path(job)
    if not local.exists():
        partial = local.with_suffix(".part")
        with job.file.storage.open(name, "rb") as source, partial.open("wb") as target:
            shutil.copyfileobj(source, target, 1 << 20)
        partial.replace(local)
    return local


def _own_upload_name(job: Job) -> str:
    """The job's stored name, if it is one `job_start` could have written: a
    relative name under the uploads folder (FileField.upload_to), no parent
    steps, and no other job's file."""
    name = str(job.file.name)
    folder = str(Job._meta.get_field("file").upload_to).split("%", 1)[0]  # "uploads/"
    parts = name.replace("\\", "/").split("/")
    if (
        not name.startswith(folder)
        or name.startswith("/")
        or "\\" in name
        or any(part in {"", ".", ".."} for part in parts)
        or "\x00" in name
        or Job.objects.filter(file=name).exclude(pk=job.pk).exists()
    ):
        raise JobFileRefused(msg("jobs.foreign_file"))
    return name


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


# --- Uploads apply in the order they were submitted --------------------------
# A job's id is its sequence number, taken when it is submitted (the row is
# saved before the file is parsed or the task enqueued). Two uploads of the
# same stores and dates may finish parsing in any order; the first to take
# the imports lock writes first. So each upload, under the lock and before
# writing, looks for a newer upload already applied over an overlapping
# scope: if there is one, this older file would overwrite it, and it is
# refused instead (the planner re-sends it if it is still wanted). Its scope
# is then recorded on its job, committed with its data.


def upload_order_check(
    job: Job | None,
    *,
    dataset: str,
    stores: list[int] | None,
    first: dt.date,
    last: dt.date,
    commutative: bool = False,
) -> None:
    """Refuse this upload if a newer one (a higher job id) of `dataset` over
    the same stores (`None`: the whole dataset, e.g. the CD) and overlapping
    dates is already applied; else record its scope on its job. Call it under
    `imports_lock()`, inside the upload's transaction. `commutative`: the
    upload adds to what is there (append_range), so two such uploads may
    apply in either order. A service called without a job (tests, the demo
    load) is not ordered."""
    if job is None or not job.pk:
        return
    scope = {
        "dataset": dataset,
        "stores": sorted({int(s) for s in stores}) if stores is not None else None,
        "first": first.isoformat(),
        "last": last.isoformat(),
        "commutative": commutative,
    }
    newer = Job.objects.filter(pk__gt=job.pk, status=Job.Status.DONE, scope__dataset=dataset).order_by("pk")
    for newer_id, other in newer.values_list("pk", "scope"):
        if _scopes_overlap(scope, other):
            raise JobInputError(msg("jobs.newer_upload_applied", job=newer_id))
    Job.objects.filter(pk=job.pk).update(scope=scope)
    job.scope = scope


def _scopes_overlap(mine: dict[str, Any], other: dict[str, Any]) -> bool:
    if mine["commutative"] and other.get("commutative"):
        return False
    if other.get("last", "") < mine["first"] or other.get("first", "") > mine["last"]:
        return False  # ISO dates compare as text
    if mine["stores"] is None or other.get("stores") is None:
        return True
    return not set(mine["stores"]).isdisjoint(other["stores"])


def job_start(
    *,
    kind: str,
    user: Any = None,
    params: dict[str, Any] | None = None,
    upload: UploadedFile | None = None,
    path: str | Path | None = None,
    sync: bool | None = None,
    submit_token: str | None = None,
) -> Job:
    """Create a job and run it: inline when `sync` (commands, tests), else on the worker.

    `submit_token` (the form's, see fastdso.forms): when this user already
    started a job with it (a double submit), that job is returned and
    nothing new is started or stored."""
    if kind not in _RUNNERS:
        raise ValueError(f"Unknown job kind {kind!r}; registered: {registered_kinds()}")
    user = user if getattr(user, "is_authenticated", False) else None
    token = submit_token if user is not None and submit_token else None
    if token and (first := Job.objects.filter(user=user, submit_token=token).first()):
        return first
    run_inline = settings.FASTDSO_JOBS_SYNC if sync is None else sync
    if not run_inline:
        job_service_check()  # before anything is stored: no orphan file or queued row
    params = dict(params or {})
    if path is not None:
        params["path"] = str(Path(path).resolve())
    job = Job(
        kind=kind,
        user=user,
        params=params,
        file_name=(upload.name if upload else Path(path).name if path else "")[:255],
        submit_token=token,
    )
    if upload is not None:
        job.file.save(Path(upload.name).name, upload, save=False)
    elif path is not None and not run_inline:
        # A worker reads only what the job stored: a command's file queued for
        # a worker is copied into the uploads storage like an upload.
        with Path(path).open("rb") as handle:
            job.file.save(Path(path).name, File(handle), save=False)
    try:
        with transaction.atomic():
            job.save()
    except IntegrityError:
        if not token:
            raise
        # The twin request won the race: keep its job, drop this one's file.
        if job.file:
            job.file.delete(save=False)
        return Job.objects.get(user=user, submit_token=token)
    if run_inline:
        inputs = dict(_COMMAND_INPUTS.get() or {})
        if path is not None:
            inputs[job.pk] = Path(params["path"])
        token_inputs = _COMMAND_INPUTS.set(inputs)
        try:
            job_execute(job.pk)
        finally:
            _COMMAND_INPUTS.reset(token_inputs)
        job.refresh_from_db()
    else:
        transaction.on_commit(lambda: _enqueue_or_fail(job.pk))
    return job


class JobServiceUnavailable(Exception):
    """The job service (django-q2's broker: Redis) cannot take a job. Nothing
    was started; a job that was already saved is failed (never left queued).
    The web answers a 503 that says so (fastdso.middleware)."""


def job_service_down(exc: BaseException) -> bool:
    """Redis (the broker, and the cache with REDIS_URL) does not answer, or the
    broker refused a job: the web answers a 503 that says the job service is
    down (fastdso.middleware), pages that can read the database do so."""
    if isinstance(exc, JobServiceUnavailable):
        return True
    try:
        from redis.exceptions import ConnectionError as RedisConnectionError
        from redis.exceptions import TimeoutError as RedisTimeoutError
    except ImportError:  # pragma: no cover - redis is installed with django-q2's broker
        return False
    return isinstance(exc, RedisConnectionError | RedisTimeoutError)


def job_service_check() -> None:
    """Raise JobServiceUnavailable when the broker does not answer. With the
    database as broker (no REDIS_URL) there is nothing else to check: a
    request that got this far reaches the database."""
    if not settings.REDIS_URL:
        return
    from django_q.brokers import get_broker

    try:
        get_broker().ping()
    except Exception as exc:  # noqa: BLE001 - any broker error: the service is down
        logger.error("the job service (broker) does not answer: %s", exc)
        raise JobServiceUnavailable(str(exc)) from exc


def _enqueue(job_id: int) -> None:
    from django_q.tasks import async_task

    async_task("fastdso.jobs.job_execute", job_id, task_name=f"job-{job_id}", group="fastdso")


def _enqueue_or_fail(job_id: int) -> None:
    """Enqueue a saved job (after its row is committed). If the broker refuses
    it, the job is failed at once with the message "jobs.not_enqueued" (and audited,
    its upload discarded) and JobServiceUnavailable is raised: a job left
    queued without a task would be run by the next cluster's
    `jobs_requeue_waiting`, after uploads submitted later (issue 33)."""
    try:
        _enqueue(job_id)
    except Exception as exc:  # noqa: BLE001 - whatever the broker raised, the job is not in it
        logger.error("job %s could not be enqueued (%s): failed at once, nothing saved", job_id, exc)
        if _fail_queued(job_id, msg("jobs.not_enqueued")):
            raise JobServiceUnavailable(str(exc)) from exc


@transaction.atomic
def _fail_queued(job_id: int, message: Message) -> bool:
    """queued → failed (only if still queued), audited, its upload discarded."""
    failed = Job.objects.filter(pk=job_id, status=Job.Status.QUEUED).update(
        status=Job.Status.FAILED, finished_at=timezone.now(), stage="stage.failed", message=message.as_json()
    )
    if not failed:
        return False
    job = Job.objects.get(pk=job_id)
    _audit_failure(job)
    if job.file:
        transaction.on_commit(lambda: _input_discard_saved(job))
    return True


def job_execute(job_id: int) -> None:
    """Run one job (the django-q2 task). Never raises: failures land on the Job.

    At most once: the job is claimed with one conditional UPDATE (queued →
    running, with this attempt's id). A redelivered task, a second worker or
    a job already failed by the watchdog finds nothing to claim and returns.
    """
    if not _claim(job_id, uuid.uuid4().hex):
        logger.info("job %s: not queued any more (a redelivery or another worker); nothing to do", job_id)
        return
    job = Job.objects.get(pk=job_id)
    runner = _RUNNERS[job.kind]
    progress = JobProgress(job.pk)
    progress(0, "stage.starting")
    # What a job stores (stages, summaries, warnings, messages) is codes and
    # parameters (fastdso.messages); pages render them in the viewer's
    # language. The base language is active while it runs, for any text a
    # library writes.
    with translation.override(settings.LANGUAGE_CODE), Heartbeat(job.pk):
        _run_claimed(job, runner, progress)


def _claim(job_id: int, attempt: str) -> bool:
    """queued → running for this attempt; False if someone else has it."""
    give_up = time.monotonic() + settings.Q_TIMEOUT * 0.9
    retry = 0
    while True:
        try:
            claimed = Job.objects.filter(pk=job_id, status=Job.Status.QUEUED).update(
                status=Job.Status.RUNNING, attempt=attempt, worker=worker_id(), started_at=timezone.now()
            )
            return bool(claimed)
        except OperationalError as exc:
            _wait_for_writer(job_id, exc, give_up, retry)
            retry += 1


@contextmanager
def _job_transaction(job_id: int) -> Iterator[None]:
    """The job's transaction, started once the database lets it write."""
    give_up = time.monotonic() + settings.Q_TIMEOUT * 0.9
    retry = 0
    while True:
        block = ExitStack()
        try:
            block.enter_context(transaction.atomic())
            break
        except OperationalError as exc:
            _wait_for_writer(job_id, exc, give_up, retry)
            retry += 1
    with block:
        yield


WRITER_RETRY_PAUSE = 0.05  # s between tries when SQLite answers at once


def _wait_for_writer(job_id: int, exc: OperationalError, give_up: float, retry: int = 0) -> None:
    """On SQLite a running job holds the write lock for its whole transaction
    (BEGIN IMMEDIATE), so a second job may wait longer than the busy timeout.
    It keeps waiting: were it to raise, the claim would lose its task (the job
    stays queued, nothing runs it) and the transaction would fail the job.
    Any other error, or a wait past the task's time limit, is raised.

    A shared-cache database ("database table is locked", the test suite's
    in-memory SQLite) answers at once, without the busy timeout: the pause
    keeps the retries from spinning (a spin logged millions of lines and
    starved the job it waited for), and the wait is logged once."""
    if "locked" not in str(exc) or time.monotonic() >= give_up:
        raise exc
    if retry == 0:
        logger.info("job %s: the database is busy with another job; waiting", job_id)
    time.sleep(WRITER_RETRY_PAUSE)


def _run_claimed(job: Job, runner: Runner, progress: JobProgress) -> None:
    try:
        with _job_transaction(job.pk):
            runner(job, progress)
            # Marked done in the same transaction as its data: if saving the
            # job fails, or the job is no longer this attempt's (the watchdog
            # failed it), the data goes too.
            if not _finish(job, str(Job.Status.DONE), progress_state=progress.state):
                raise JobAbandoned(job.pk)
    except JobAbandoned:
        logger.warning("job %s: failed by the watchdog while running; its data was rolled back", job.pk)
    except (FileRejected, JobInputError) as exc:
        errors = [e.as_dict() for e in exc.errors[: settings.FASTDSO_MAX_STORED_ERRORS]]
        refusal = message_from(exc.message)
        message = refusal.as_json()
        if _finish(job, str(Job.Status.FAILED), message=message, errors=errors, error_count=exc.total_errors):
            _audit_failure(job)
        logger.info("job %s (%s) refused its input: %s", job.pk, job.kind, refusal.code)
    except Exception:  # noqa: BLE001 - any failure is reported on the job page
        reference = error_reference()
        # The detail (SQL, row values, traceback) goes to the log only.
        logger.exception("job %s (%s) failed [ref %s]", job.pk, job.kind, reference)
        failure = msg("jobs.internal_error", ref=reference).as_json()
        if _finish(job, str(Job.Status.FAILED), message=failure, errors=[], error_count=0):
            _audit_failure(job)


def error_reference() -> str:
    """A short id a planner can quote; the log line of the error carries it."""
    return uuid.uuid4().hex[:8].upper()


class JobAbandoned(Exception):
    """The job is no longer this attempt's: roll back what the runner wrote."""


# --- Heartbeat and the watchdog --------------------------------------------
# A running job's worker writes a heartbeat to the cache every
# HEARTBEAT_SECONDS (the cache, like progress: a SQLite job holds the write
# lock for its whole transaction, so no other connection could update the
# Job row meanwhile). The cluster's watchdog (fastdso.worker) fails a running
# job whose worker process is gone, or whose heartbeat is older than
# STALLED_AFTER_SECONDS.
HEARTBEAT_SECONDS = 5
STALLED_AFTER_SECONDS = 45


def worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def heartbeat_key(job_id: int) -> str:
    return f"fastdso:job-heartbeat:{job_id}"


class Heartbeat:
    """A thread that keeps `heartbeat_key(job_id)` fresh while the job runs."""

    def __init__(self, job_id: int, every: float = HEARTBEAT_SECONDS) -> None:
        self.job_id = job_id
        self.every = every
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._beat, name=f"heartbeat-{job_id}", daemon=True)

    def _write(self) -> None:
        try:
            cache.set(heartbeat_key(self.job_id), time.time(), timeout=24 * 3600)
        except Exception:  # noqa: BLE001 - a missed beat is retried; the job goes on
            logger.warning("job %s: heartbeat not written", self.job_id, exc_info=True)

    def _beat(self) -> None:
        while not self._stop.wait(self.every):
            self._write()

    def __enter__(self) -> Heartbeat:
        self._write()
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=self.every + 1)
        _cache_quietly(cache.delete, heartbeat_key(self.job_id))


def _worker_is_gone(worker: str, host: str) -> bool:
    """True when `worker` ("host:pid") ran on this host and its process no longer exists."""
    worker_host, _sep, pid = worker.rpartition(":")
    if worker_host != host or not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


def jobs_fail_stalled(*, dead_workers: set[str] | frozenset[str] = frozenset()) -> list[int]:
    """Mark failed every running job whose worker died; return their ids.

    Dead: its worker is in `dead_workers`, or ran on this host and its
    process is gone (so a cluster starting fails at once what the previous
    one left running), or its heartbeat is older than STALLED_AFTER_SECONDS
    (any host: a hung or unreachable worker). The job is
    failed with "jobs.worker_died" and audited; it is never re-run: a
    planner re-submits it on purpose. Its data was never committed (the
    runner's transaction died with the worker).
    """
    host = socket.gethostname()
    now = time.time()
    running = list(Job.objects.filter(status=Job.Status.RUNNING).values_list("pk", "attempt", "worker", "started_at"))
    if not running:
        return []
    # The cache down (Redis): no heartbeat can be read, so only the workers
    # known dead count; a job is never failed for a beat the cache lost.
    beats = _cache_quietly(cache.get_many, [heartbeat_key(pk) for pk, *_rest in running])
    dead: list[tuple[int, str]] = []
    for pk, attempt, worker, started_at in running:
        last_beat = (beats or {}).get(heartbeat_key(pk)) or (started_at.timestamp() if started_at else now)
        stalled = beats is not None and now - float(last_beat) > STALLED_AFTER_SECONDS
        if worker in dead_workers or _worker_is_gone(worker, host) or stalled:
            dead.append((pk, attempt))
    return [pk for pk, attempt in dead if _fail_dead(pk, attempt)]


@transaction.atomic
def _fail_dead(pk: int, attempt: str) -> bool:
    """Fail one running attempt (conditional: only if it is still that attempt) and audit it."""
    failed = Job.objects.filter(pk=pk, status=Job.Status.RUNNING, attempt=attempt).update(
        status=Job.Status.FAILED,
        finished_at=timezone.now(),
        stage="stage.failed",
        message=msg("jobs.worker_died").as_json(),
        result={},
        result_url="",
        warnings=[],
    )
    if not failed:
        return False
    job = Job.objects.get(pk=pk)
    logger.error("job %s (%s): its worker %s stopped; marked failed, nothing saved", pk, job.kind, job.worker)
    _audit_failure(job)
    transaction.on_commit(lambda: _cache_quietly(cache.delete_many, [progress_key(pk), heartbeat_key(pk)]))
    if job.file:  # a failed job is never re-run: its upload goes, as when any job ends
        transaction.on_commit(lambda: _input_discard_saved(job))
    return True


def _input_discard_saved(job: Job) -> None:
    job_input_discard(job)
    Job.objects.filter(pk=job.pk).update(file=job.file.name or "")


def jobs_requeue_waiting() -> int:
    """Enqueue again every job still queued (after the worker queue was rebuilt,
    the tasks in the old one are lost or late), oldest first. Harmless: a job
    runs only once, whichever task claims it first; the others find nothing
    to claim. An old upload brought back this way never overwrites a newer
    one: `upload_order_check` refuses it under the imports lock."""
    ids = list(Job.objects.filter(status=Job.Status.QUEUED).order_by("pk").values_list("pk", flat=True))
    for job_id in ids:
        _enqueue(job_id)
    return len(ids)


def _audit_failure(job: Job) -> None:
    """A refused or failed upload/run is part of who-did-what too."""
    from fastdso.audit import audit_record

    audit_record(
        user=job.user,
        action="job_failed",
        obj=job,
        object_repr=f"{job.kind} {job.file_name}".strip(),
        object_url=reverse("job_detail", args=[job.pk]),
        details={"errors": job.error_count, "message": stored(job.message)},
    )


_FINISH_FIELDS = ("status", "finished_at", "progress", "stage", "counts", "result", "result_url", "warnings")


def _finish(job: Job, status: str, *, progress_state: dict[str, Any] | None = None, **fields: Any) -> bool:
    """Record the outcome, only if the job is still this attempt's; False if not."""
    job.status = status
    job.finished_at = timezone.now()
    if status == Job.Status.DONE:
        job.progress = 100
        job.stage = "stage.done"
        if progress_state:
            job.counts = {**progress_state.get("counts", {}), **job.counts}
    else:
        job.stage = "stage.failed"
        # Whatever the runner set before failing was rolled back with it.
        job.result = {}
        job.result_url = ""
        job.warnings = []
    for name, value in fields.items():
        setattr(job, name, value)
    names = dict.fromkeys((*_FINISH_FIELDS, *fields))
    updated = Job.objects.filter(pk=job.pk, status=Job.Status.RUNNING, attempt=job.attempt).update(
        **{name: getattr(job, name) for name in names}
    )
    if updated and job.file:
        _input_discard_saved(job)
    _cache_quietly(cache.delete, progress_key(job.pk))
    return bool(updated)


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
        live = _cache_quietly(cache.get, progress_key(job.pk))  # Redis down: the row's own progress
        if live:
            state.update(progress=live["progress"], stage=live["stage"], counts=live["counts"])
    # Stored in the base language; shown in the viewer's. A finished job's
    # status badge says it all: no second "Terminada" beside it.
    state["stage"] = "" if job.is_finished else render(state["stage"])
    state["count_labels"] = {key: label_of(key) for key in state["counts"] or {}}
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
    job.result = summary_json(result.summary())  # ordered
    job.warnings = stored_list(result.category_warnings)
    job.counts = {"rows_read": result.rows_read, "rows_written": rows_written(result)}
