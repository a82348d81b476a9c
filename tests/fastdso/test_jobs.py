"""Jobs: success, failure with rollback, progress, and their pages."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import time

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from fastdso.files import RowError
from fastdso.jobs import (
    STALLED_AFTER_SECONDS,
    Heartbeat,
    JobInputError,
    heartbeat_key,
    job_execute,
    job_runner,
    job_start,
    job_status,
    jobs_fail_stalled,
)
from fastdso.messages import msg, render
from fastdso.messages import render as message_text
from fastdso.models import Job
from inventory.models import Product

SEEN_PROGRESS: list[dict] = []


@job_runner("test_ok")
def _ok(job, progress):
    Product.objects.create(sku="0001", name="uno")
    progress(50, "a mitad", rows_read=10)
    SEEN_PROGRESS.append(job_status(Job.objects.get(pk=job.pk)))
    job.result = {"rows": 1}


@job_runner("test_crash")
def _crash(job, progress):
    Product.objects.create(sku="0002", name="dos")
    progress(40, "primer bloque escrito")
    raise RuntimeError("falla simulada tras el primer bloque")


@job_runner("test_bad_input")
def _bad(job, progress):
    Product.objects.create(sku="0003")
    raise JobInputError(msg("files.refused", n=1), [RowError(5, "date", "2026-02-30", msg("files.bad_date"))])


def test_job_success_records_result(planner):
    job = job_start(kind="test_ok", user=planner, sync=True)
    assert job.status == Job.Status.DONE
    assert job.progress == 100
    assert job.result == {"rows": 1}
    assert job.counts == {"rows_read": 10}
    assert Product.objects.filter(sku="0001").exists()


def test_progress_is_visible_while_running(planner):
    SEEN_PROGRESS.clear()
    job_start(kind="test_ok", user=planner, sync=True)
    assert SEEN_PROGRESS[0]["progress"] == 50
    assert SEEN_PROGRESS[0]["stage"] == "a mitad"
    assert SEEN_PROGRESS[0]["status"] == "running"


def test_failed_job_rolls_back_everything(planner, caplog):
    job = job_start(kind="test_crash", user=planner, sync=True)
    assert job.status == Job.Status.FAILED
    assert not Product.objects.filter(sku="0002").exists()
    # The planner sees a reference number; the detail is only in the log, under that reference.
    found = re.search(r"referencia ([0-9A-F]{8})", message_text(job.message))
    assert found is not None
    reference = found.group(1)
    assert "falla simulada" not in message_text(job.message) and job.errors == []
    logged = [r for r in caplog.records if reference in r.getMessage()]
    assert logged and "falla simulada" in logged[0].exc_text


def test_bad_input_job_lists_row_errors_and_writes_nothing(planner, planner_client):
    job = job_start(kind="test_bad_input", user=planner, sync=True)
    assert job.status == Job.Status.FAILED
    bad_date = {"code": "files.bad_date", "params": {}}
    assert job.errors == [{"row": 5, "column": "date", "value": "2026-02-30", "message": bad_date}]
    assert not Product.objects.filter(sku="0003").exists()
    page = planner_client.get(reverse("job_detail", args=[job.pk])).content.decode()
    assert "2026-02-30" in page and "fecha inválida (use AAAA-MM-DD o DD/MM/AAAA)" in page
    csv_text = planner_client.get(reverse("job_errors_csv", args=[job.pk])).content.decode()
    assert csv_text.splitlines() == [
        "row,column,value,message",
        "5,date,2026-02-30,fecha inválida (use AAAA-MM-DD o DD/MM/AAAA)",
    ]


def test_job_list_and_status_json(planner, planner_client, django_assert_max_num_queries):
    job = job_start(kind="test_ok", user=planner, sync=True)
    with django_assert_max_num_queries(12):
        assert planner_client.get(reverse("job_list")).status_code == 200
    data = planner_client.get(reverse("job_status", args=[job.pk])).json()
    assert data["status"] == "done" and data["finished"] is True


def test_unknown_job_kind_is_refused(planner):
    with pytest.raises(ValueError, match="Unknown job kind"):
        job_start(kind="nope", user=planner)


def test_async_mode_enqueues_after_commit(planner, settings, django_capture_on_commit_callbacks):
    settings.FASTDSO_JOBS_SYNC = False
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        job = job_start(kind="test_ok", user=planner)
    assert job.status == Job.Status.QUEUED
    assert len(callbacks) == 1


@job_runner("test_unsaveable_result")
def _unsaveable(job, progress):
    Product.objects.create(sku="0004")
    job.result = {"when": object()}  # not JSON: saving the finished job fails


def test_a_job_that_cannot_be_saved_as_done_rolls_back_and_fails(planner):
    job = job_start(kind="test_unsaveable_result", user=planner, sync=True)
    assert job.status == Job.Status.FAILED
    assert not Product.objects.filter(sku="0004").exists()


def test_refused_jobs_are_audited(planner):
    from fastdso.models import AuditEvent

    job = job_start(kind="test_bad_input", user=planner, sync=True)
    event = AuditEvent.objects.get(action="job_failed")
    assert event.user == planner and event.object_id == str(job.pk)
    assert event.details["errors"] == 1


def test_a_job_is_claimed_once_and_a_redelivery_does_nothing(planner):
    job = Job.objects.create(kind="test_ok", user=planner)
    job_execute(job.pk)
    job.refresh_from_db()
    assert job.status == Job.Status.DONE and job.attempt and job.worker.endswith(f":{os.getpid()}")
    Product.objects.filter(sku="0001").update(name="cambiado después")
    job_execute(job.pk)  # the same task delivered again
    assert Product.objects.get(sku="0001").name == "cambiado después"
    assert Job.objects.get(pk=job.pk).finished_at == job.finished_at


def test_a_running_job_of_another_attempt_is_never_run_again(planner):
    job = Job.objects.create(kind="test_ok", user=planner, status=Job.Status.RUNNING, attempt="x" * 32)
    job_execute(job.pk)
    assert not Product.objects.filter(sku="0001").exists()
    assert Job.objects.get(pk=job.pk).status == Job.Status.RUNNING


def _running(planner, worker: str, attempt: str = "a" * 32) -> Job:
    return Job.objects.create(
        kind="test_ok",
        user=planner,
        status=Job.Status.RUNNING,
        attempt=attempt,
        worker=worker,
        started_at=timezone.now(),
    )


def test_watchdog_fails_a_job_whose_worker_process_is_gone(planner):
    from fastdso.models import AuditEvent

    gone = subprocess.Popen(["true"])
    gone.wait()
    dead = _running(planner, f"{socket.gethostname()}:{gone.pid}")
    alive = _running(planner, f"{socket.gethostname()}:{os.getpid()}", attempt="b" * 32)
    elsewhere = _running(planner, "otra-maquina:1", attempt="c" * 32)
    cache.set(heartbeat_key(elsewhere.pk), time.time())
    assert jobs_fail_stalled() == [dead.pk]
    dead.refresh_from_db()
    assert dead.status == Job.Status.FAILED and dead.message == {"code": "jobs.worker_died", "params": {}}
    assert "no se guardó nada" in render(dead.message, "es")
    assert AuditEvent.objects.get(action="job_failed").object_id == str(dead.pk)
    assert Job.objects.get(pk=alive.pk).status == Job.Status.RUNNING
    assert Job.objects.get(pk=elsewhere.pk).status == Job.Status.RUNNING
    job_execute(dead.pk)  # a late redelivery of its task
    assert Job.objects.get(pk=dead.pk).status == Job.Status.FAILED


def test_watchdog_fails_a_job_whose_heartbeat_stopped(planner):
    job = _running(planner, "otra-maquina:1")
    cache.set(heartbeat_key(job.pk), time.time() - STALLED_AFTER_SECONDS - 1)
    assert jobs_fail_stalled() == [job.pk]
    cache.set(heartbeat_key(job.pk), time.time())
    fresh = _running(planner, "otra-maquina:2", attempt="d" * 32)
    cache.set(heartbeat_key(fresh.pk), time.time())
    assert jobs_fail_stalled() == []


@job_runner("test_failed_meanwhile")
def _failed_meanwhile(job, progress):
    Product.objects.create(sku="0005")
    # Meanwhile the watchdog failed this attempt (another connection, in
    # production); here: the row no longer carries this attempt's id.
    job.attempt = "otro intento"
    job.result = {"rows": 1}


def test_a_job_failed_by_the_watchdog_keeps_nothing_even_if_it_finishes(planner):
    job = job_start(kind="test_failed_meanwhile", user=planner, sync=True)
    assert job.status == Job.Status.RUNNING and job.result == {}  # not marked done by the stale attempt
    assert not Product.objects.filter(sku="0005").exists()


def test_heartbeat_thread_beats_while_the_job_runs():
    with Heartbeat(987, every=0.05):
        first = cache.get(heartbeat_key(987))
        time.sleep(0.3)
        assert cache.get(heartbeat_key(987)) > first
    assert cache.get(heartbeat_key(987)) is None


def test_a_finished_import_shows_rows_read_once(planner_client, tmp_path):
    """The live counters are progress; once the summary is there they would repeat it."""
    from inventory.jobs import CD_STOCK_IMPORT

    path = tmp_path / "cd.csv"
    path.write_text("sku,quantity\n0001,4\n")
    job = job_start(kind=CD_STOCK_IMPORT, path=path, params={"date": "2026-03-08"}, sync=True)
    assert job.status == Job.Status.DONE
    page = planner_client.get(reverse("job_detail", args=[job.pk])).content.decode()
    assert page.count("Filas leídas") == 1


def test_automatic_jobs_are_hidden_from_the_list_unless_asked_for(planner, planner_client):
    from fastdso.views import AUTOMATIC_JOB_KINDS
    from health.queries import HEALTH_REFRESH_JOB

    assert HEALTH_REFRESH_JOB in AUTOMATIC_JOB_KINDS
    mine = Job.objects.create(kind="product_import", user=planner, status=Job.Status.DONE)
    auto = Job.objects.create(kind=HEALTH_REFRESH_JOB, status=Job.Status.DONE)

    def listed(**query: str) -> set[int]:
        table = planner_client.get(reverse("job_list"), query).context["table"]
        return {row.record.pk for row in table.page.object_list}

    assert listed() == {mine.pk}
    assert listed(auto="1") == {mine.pk, auto.pk}
    assert listed(kind=HEALTH_REFRESH_JOB) == {auto.pk}
