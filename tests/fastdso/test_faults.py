"""Faults (issue 9): a job that fails midway leaves the database exactly as
before; a queued job survives a worker restart.

Jobs in these tests are started with sync=False where the queue matters;
elsewhere they run inline as in every test (FASTDSO_JOBS_SYNC).
"""

from __future__ import annotations

import datetime as dt
import queue
from multiprocessing import Value

import pandas as pd
import pytest
from django.apps import apps
from django.utils import timezone

from fastdso.audit import audit_record
from fastdso.files import Column, Kind, read_table
from fastdso.jobs import job_execute, job_runner, job_start
from fastdso.messages import render as message_text
from fastdso.models import Job
from inventory.models import Product
from inventory.services import products_upsert, stores_resolve
from sales.models import SalesLoad, SalesWeeklyAgg
from tests import factories

CHUNK = 2000  # inventory.services writes in batches of this size


def _snapshot() -> dict[str, object]:
    """Row count of every model of every app, plus the products' contents."""
    counts: dict[str, object] = {m._meta.label: m.objects.count() for m in apps.get_models() if m._meta.managed}
    counts["products"] = list(Product.objects.order_by("sku").values_list("sku", "name", "category"))
    return counts


@job_runner("test_fault_midway")
def _fails_after_the_first_chunk(job, progress):
    frame = pd.DataFrame(
        {"sku": [f"N{i:05d}" for i in range(3 * CHUNK)], "product_name": "nuevo", "category": "Poleras"}
    )
    products = products_upsert(frame.iloc[:CHUNK])  # the first chunk is written...
    progress(33, "primer bloque escrito", rows_read=CHUNK)
    store_ids = stores_resolve(["Tienda Nueva", "Otra Tienda"], create=True).id_by_label
    SalesWeeklyAgg.objects.bulk_create(
        SalesWeeklyAgg(
            product_id=pk, store_id=store_ids["Tienda Nueva"], week_start=dt.date(2026, 1, 5), units=1, mon=1
        )
        for pk in products.id_by_sku.values()
    )
    SalesLoad.objects.create(file_name="x.csv", first_date=dt.date(2026, 1, 5), last_date=dt.date(2026, 1, 11))
    Product.objects.filter(sku="0001").update(name="renombrado a medias")
    audit_record(user=None, action="upload", details={"filas": CHUNK})
    raise RuntimeError("el disco se llenó")  # ...and the second never comes


@job_runner("test_fault_bad_file_midway")
def _rejects_its_second_file(job, progress):
    products_upsert(pd.DataFrame({"sku": ["N1", "N2"], "product_name": ["a", "b"]}))
    progress(50, "segundo archivo")
    read_table(b"sku,quantity\nN1,muchos\n", [Column("sku"), Column("quantity", Kind.INT)])


@pytest.mark.parametrize("kind", ["test_fault_midway", "test_fault_bad_file_midway"])
def test_a_job_failing_midway_leaves_the_database_as_it_was(
    planner, settings, kind, django_capture_on_commit_callbacks
):
    shop = factories.store("Tienda A")
    polera = factories.product("0001", "Polera", "Poleras")
    factories.weekly([(polera, shop, dt.date(2026, 1, 5), 4)])
    settings.FASTDSO_JOBS_SYNC = False
    with django_capture_on_commit_callbacks(execute=False):
        job = job_start(kind=kind, user=planner)
    before = _snapshot()

    job_execute(job.pk)

    job.refresh_from_db()
    assert job.status == Job.Status.FAILED and message_text(job.message)
    after = _snapshot()
    # The only trace of the failed job is its own audit event.
    assert after.pop("fastdso.AuditEvent") == int(str(before.pop("fastdso.AuditEvent"))) + 1
    assert after == before
    assert job.result == {} and job.result_url == ""


@job_runner("test_fault_queued")
def _queued(job, progress):
    factories.product("Q0001", "de la cola")
    job.result = {"productos": 1}


@pytest.mark.django_db(transaction=True)
def test_a_queued_job_survives_a_worker_restart(settings):
    """The ORM broker keeps the task in the database (django_q OrmQ) until a
    worker acknowledges it. A worker that takes it and dies leaves it there;
    once its lease (Q_CLUSTER retry) expires, the next worker runs it."""
    from django_q.brokers import get_broker
    from django_q.models import OrmQ, Success
    from django_q.monitor import save_task
    from django_q.signing import SignedPackage
    from django_q.worker import worker

    settings.FASTDSO_JOBS_SYNC = False
    job = job_start(kind="test_fault_queued")  # autocommit: enqueued on commit, at once
    assert job.status == Job.Status.QUEUED
    queued = OrmQ.objects.get()
    assert queued.func() == "fastdso.jobs.job_execute" and queued.args() == (job.pk,)

    broker = get_broker()
    taken = broker.dequeue()  # the first worker takes the task (leased until now + retry)...
    assert [ack for ack, _ in taken] == [queued.pk]
    # ...and is killed before running it: nothing ran, the task is still stored.
    assert Job.objects.get(pk=job.pk).status == Job.Status.QUEUED
    assert broker.queue_size() == 0 and broker.lock_size() == 1

    # Time passes beyond the lease; a restarted cluster pulls the task again.
    OrmQ.objects.update(lock=timezone.now() - dt.timedelta(seconds=1))
    (ack_id, payload), *_ = broker.dequeue()
    task = SignedPackage.loads(payload)
    task["ack_id"] = ack_id
    tasks: queue.Queue = queue.Queue()
    results: queue.Queue = queue.Queue()
    tasks.put(task)
    tasks.put("STOP")
    worker(tasks, results, Value("f", -1))  # django-q2's worker loop, in this process
    done = results.get_nowait()
    assert done["success"], done["result"]
    save_task(done, broker)  # what the cluster's monitor does with a result
    broker.acknowledge(done["ack_id"])

    job.refresh_from_db()
    assert job.status == Job.Status.DONE and job.result == {"productos": 1}
    assert Product.objects.filter(sku="Q0001").exists()
    assert not OrmQ.objects.exists()
    assert Success.objects.filter(func="fastdso.jobs.job_execute").count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_job_is_run_once_even_if_its_task_is_delivered_twice(settings):
    """At-least-once delivery (a lease that expired while the first worker was
    still alive) must not load a file twice: job_execute skips finished jobs."""
    settings.FASTDSO_JOBS_SYNC = False
    job = job_start(kind="test_fault_queued")
    job_execute(job.pk)
    job_execute(job.pk)
    assert Product.objects.filter(sku="Q0001").count() == 1
    assert Job.objects.get(pk=job.pk).status == Job.Status.DONE


def _claim_refused(monkeypatch, times: int, message: str) -> list[int]:
    """The next `times` claims (queued → running) fail with `message`, as
    SQLite says it when another job holds the write lock; returns the list of
    refusals made so far."""
    from django.db import OperationalError
    from django.db.models.query import QuerySet

    real_update = QuerySet.update
    refusals: list[int] = []

    def refused(self, **kwargs):
        if self.model is Job and kwargs.get("status") == Job.Status.RUNNING and len(refusals) < times:
            refusals.append(1)
            raise OperationalError(message)
        return real_update(self, **kwargs)

    monkeypatch.setattr(QuerySet, "update", refused)
    return refusals


@pytest.mark.django_db(transaction=True)
def test_a_job_waits_for_the_database_lock_instead_of_losing_its_task(settings, monkeypatch):
    """On SQLite the claim can outwait the busy timeout behind another job's
    transaction; it tries again instead of raising (django-q2 would record the
    task as failed and the job would stay queued with no task)."""
    settings.FASTDSO_JOBS_SYNC = False
    job = job_start(kind="test_fault_queued")
    refusals = _claim_refused(monkeypatch, 2, "database is locked")
    job_execute(job.pk)
    assert len(refusals) == 2
    assert Job.objects.get(pk=job.pk).status == Job.Status.DONE
    assert Product.objects.filter(sku="Q0001").count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_locked_table_is_tried_again_after_a_pause_not_in_a_spin(settings, monkeypatch, caplog):
    """A shared-cache SQLite answers "database table is locked" at once, with no
    busy timeout: the claim pauses between tries (a spin once logged millions
    of lines and starved the job it waited for) and says it waits once."""
    from fastdso import jobs

    settings.FASTDSO_JOBS_SYNC = False
    job = job_start(kind="test_fault_queued")
    _claim_refused(monkeypatch, 3, "database table is locked")
    pauses: list[float] = []
    monkeypatch.setattr(jobs.time, "sleep", pauses.append)
    with caplog.at_level("INFO", logger="fastdso.jobs"):
        job_execute(job.pk)
    assert pauses == [jobs.WRITER_RETRY_PAUSE] * 3
    assert sum("busy with another job" in r.getMessage() for r in caplog.records) == 1
    assert Job.objects.get(pk=job.pk).status == Job.Status.DONE


@pytest.mark.django_db(transaction=True)
def test_a_claim_that_fails_for_another_reason_still_raises(settings, monkeypatch):
    from django.db import OperationalError
    from django.db.models.query import QuerySet

    settings.FASTDSO_JOBS_SYNC = False
    job = job_start(kind="test_fault_queued")

    def broken(self, **kwargs):
        raise OperationalError("disk I/O error")

    monkeypatch.setattr(QuerySet, "update", broken)
    with pytest.raises(OperationalError):
        job_execute(job.pk)
    monkeypatch.undo()
    assert Job.objects.get(pk=job.pk).status == Job.Status.QUEUED
