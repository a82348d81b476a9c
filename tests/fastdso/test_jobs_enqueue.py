"""No job comes back from the dead (issue 33, point 2).

The probe: with Redis down a web upload saved its Job row, the enqueue in
`on_commit` failed, the planner got a 500 and the row stayed `queued`; the
next cluster start ran it (`jobs_requeue_waiting`) after newer uploads and
its replace_range wiped them. Now:

- the broker is asked first: down, nothing is stored and the page is a 503
  that says the job service is down;
- if the enqueue itself fails, the job is failed at once (audited, its
  upload discarded), never left queued, and the page is the same 503;
- the waiting jobs are enqueued again oldest first, and an old upload run
  that way after a newer one of the same scope is refused.

The real-process versions: tests/fastdso/test_qcluster_order.py (a cluster
start runs an orphan) and tests/fastdso/test_redis_outage.py (Redis killed).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from redis.exceptions import ConnectionError as RedisConnectionError

from fastdso import jobs
from fastdso.jobs import job_execute, jobs_requeue_waiting
from fastdso.messages import render as message_text
from fastdso.models import AuditEvent, Job
from sales.jobs import MACRO_SALES_IMPORT
from sales.models import SalesWeeklyAgg

SALES = b"sku,store,date,quantity\n00000001,T1,2026-02-09,4\n"


def _uploaded_files(settings) -> list[Path]:
    root = Path(settings.STORAGES["uploads"]["OPTIONS"]["location"])
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def _post_upload(client, name: str = "ventas.csv"):
    return client.post(reverse("sales:macro_upload"), {"file": ContentFile(SALES, name=name), "mode": "replace_range"})


class _DownBroker:
    def ping(self) -> bool:
        raise RedisConnectionError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")


@pytest.mark.django_db(transaction=True)
def test_an_upload_the_broker_refuses_is_failed_at_once_and_the_page_is_a_503(planner_client, settings, monkeypatch):
    settings.FASTDSO_JOBS_SYNC = False  # the web path: enqueue after commit

    def refuse(*_args, **_kwargs):
        raise RedisConnectionError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr("django_q.tasks.async_task", refuse)
    response = _post_upload(planner_client)

    assert response.status_code == 503, response.content[:500]
    assert "servicio de tareas no está disponible" in response.content.decode()
    assert response["Retry-After"]
    job = Job.objects.get()
    assert job.status == Job.Status.FAILED and job.message == {"code": "jobs.not_enqueued", "params": {}}
    assert job.finished_at is not None
    assert not Job.objects.filter(status=Job.Status.QUEUED).exists()
    assert AuditEvent.objects.filter(action="job_failed", object_id=str(job.pk)).count() == 1
    assert _uploaded_files(settings) == []  # its upload was discarded with it
    # A cluster starting later finds nothing to run.
    enqueued: list[int] = []
    monkeypatch.setattr(jobs, "_enqueue", enqueued.append)
    assert jobs_requeue_waiting() == 0 and enqueued == []


@pytest.mark.django_db(transaction=True)
def test_with_the_broker_down_an_upload_stores_nothing(planner_client, settings, monkeypatch):
    settings.FASTDSO_JOBS_SYNC = False
    settings.REDIS_URL = "redis://127.0.0.1:9/0"  # the check asks the broker only with Redis
    monkeypatch.setattr("django_q.brokers.get_broker", lambda *a, **k: _DownBroker())
    response = _post_upload(planner_client)
    assert response.status_code == 503
    assert Job.objects.count() == 0 and _uploaded_files(settings) == []


@pytest.mark.django_db(transaction=True)
def test_the_api_answers_a_json_503_when_the_broker_is_down(planner, settings, monkeypatch):
    from tests.api.conftest import token_client

    settings.FASTDSO_JOBS_SYNC = False
    settings.REDIS_URL = "redis://127.0.0.1:9/0"
    monkeypatch.setattr("django_q.brokers.get_broker", lambda *a, **k: _DownBroker())
    api = token_client(planner)
    response = api.post(
        "/api/v1/uploads/macro_sales/",
        {"file": ContentFile(SALES, name="v.csv"), "mode": "replace_range"},
        format="multipart",
    )
    assert response.status_code == 503 and "servicio de tareas" in response.json()["detail"]
    assert Job.objects.count() == 0


def _queued(tmp_path: Path, name: str, content: str) -> Job:
    job = Job(kind=MACRO_SALES_IMPORT, file_name=name, params={"mode": "replace_range"})
    job.file.save(name, ContentFile(content.encode()), save=False)
    job.save()
    return job


@pytest.mark.django_db
def test_an_orphan_brought_back_by_a_cluster_start_never_overwrites_newer_data(tmp_path, monkeypatch):
    days = [dt.date(2026, 2, 9) + dt.timedelta(days=n) for n in range(7)]
    large = "sku,store,date,quantity\n" + "".join(f"00000001,T1,{d},50\n" for d in days)
    orphan = _queued(tmp_path, "grande.csv", large)  # its enqueue failed under the old code: still queued
    newer = _queued(tmp_path, "correccion.csv", "sku,store,date,quantity\n00000001,T1,2026-02-09,1\n")
    later = _queued(tmp_path, "otra.csv", "sku,store,date,quantity\n00000002,T7,2026-03-02,2\n")
    job_execute(newer.pk)

    enqueued: list[int] = []
    monkeypatch.setattr(jobs, "_enqueue", enqueued.append)
    assert jobs_requeue_waiting() == 2
    assert enqueued == [orphan.pk, later.pk]  # oldest first
    for job_id in enqueued:
        job_execute(job_id)

    orphan.refresh_from_db()
    assert orphan.status == Job.Status.FAILED and f"#{newer.pk}" in message_text(orphan.message)
    assert list(SalesWeeklyAgg.objects.filter(store__name="T1").values_list("units", flat=True)) == [1]
    assert Job.objects.get(pk=later.pk).status == Job.Status.DONE


@pytest.mark.django_db
def test_with_the_cache_down_the_watchdog_fails_no_job_for_a_lost_heartbeat(monkeypatch):
    from datetime import timedelta

    from django.core.cache import caches
    from django.utils import timezone

    from fastdso.jobs import job_status, jobs_fail_stalled

    job = Job.objects.create(
        kind=MACRO_SALES_IMPORT,
        status=Job.Status.RUNNING,
        attempt="a1",
        worker="another-host:1",
        started_at=timezone.now() - timedelta(minutes=10),
    )

    def down(*_args, **_kwargs):
        raise RedisConnectionError("Connection refused")

    backend = caches["default"]
    for name in ("get", "get_many", "set", "delete", "delete_many"):
        monkeypatch.setattr(backend, name, down)
    assert jobs_fail_stalled() == []  # no heartbeat can be read: not a reason to fail it
    assert Job.objects.get(pk=job.pk).status == Job.Status.RUNNING
    assert job_status(job)["status"] == "running"  # the page shows the row's own progress
    assert jobs.JobProgress(job.pk)(50, "a mitad") is None  # progress is lost, the job goes on
