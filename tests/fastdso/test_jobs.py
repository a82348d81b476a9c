"""Jobs: success, failure with rollback, progress, and their pages."""

from __future__ import annotations

import pytest
from django.urls import reverse

from fastdso.files import RowError
from fastdso.jobs import JobInputError, job_runner, job_start, job_status
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
    raise JobInputError("archivo inválido", [RowError(5, "date", "2026-02-30", "fecha inválida")])


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


def test_failed_job_rolls_back_everything(planner):
    job = job_start(kind="test_crash", user=planner, sync=True)
    assert job.status == Job.Status.FAILED
    assert "falla simulada" in job.message
    assert not Product.objects.filter(sku="0002").exists()


def test_bad_input_job_lists_row_errors_and_writes_nothing(planner, planner_client):
    job = job_start(kind="test_bad_input", user=planner, sync=True)
    assert job.status == Job.Status.FAILED
    assert job.errors == [{"row": 5, "column": "date", "value": "2026-02-30", "message": "fecha inválida"}]
    assert not Product.objects.filter(sku="0003").exists()
    page = planner_client.get(reverse("job_detail", args=[job.pk])).content.decode()
    assert "2026-02-30" in page and "fecha inválida" in page
    csv_text = planner_client.get(reverse("job_errors_csv", args=[job.pk])).content.decode()
    assert csv_text.splitlines() == ["row,column,value,message", "5,date,2026-02-30,fecha inválida"]


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
    assert event.details["errores"] == 1
