"""Two macro uploads at the same time give the same weekly totals as one
after the other (issue 9, SPEC §10).

Each upload runs as the worker runs it: `job_execute` in its own thread, so
on its own database connection and its own transaction. PostgreSQL
serialises the writes with an advisory lock (fastdso.db.imports_lock):
both load and the totals match. On SQLite the app opens write transactions
IMMEDIATE with a busy timeout (a file database queues writers), but the
test database is pytest-django's in-memory shared-cache one, where the
second writer gets "database table is locked" at once: there the test
asserts the loser wrote nothing. Both files create the same new product
and the same new store, the classic race on unique keys.
"""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from django.db import connection, connections
from django.db.models import Sum

from fastdso.jobs import job_execute, job_start
from fastdso.messages import render as message_text
from fastdso.models import Job
from inventory.models import Product, Store
from sales.jobs import MACRO_SALES_IMPORT
from sales.models import SalesLoad, SalesWeeklyAgg

HEADER = "sku,store,date,quantity,category,product_name"
FILE_A = [
    "00012345,Tienda Centro,2026-01-05,3,Consolas,Consola Alfa",
    "00012345,Tienda Centro,2026-01-07,2,Consolas,Consola Alfa",
    "00099999,Tienda Nueva,2026-01-12,5,Audio,Parlante",
    "00012345,Tienda Nueva,2026-01-18,1,Consolas,Consola Alfa",
]
FILE_B = [
    "00012345,Tienda Centro,2026-01-05,4,Consolas,Consola Alfa",
    "00099999,Tienda Nueva,2026-01-12,6,Audio,Parlante",
    "00099999,Tienda Centro,2026-01-13,7,Audio,Parlante",
    "00012345,Tienda Nueva,2026-01-18,2,Consolas,Consola Alfa",
]
# append_range sums both files whatever their order: (sku, store, week) -> units
EXPECTED = {
    ("00012345", "Tienda Centro", "2026-01-05"): 3 + 2 + 4,
    ("00012345", "Tienda Nueva", "2026-01-12"): 1 + 2,
    ("00099999", "Tienda Nueva", "2026-01-12"): 5 + 6,
    ("00099999", "Tienda Centro", "2026-01-12"): 7,
}


def _write(tmp_path: Path, name: str, lines: list[str]) -> Path:
    path = tmp_path / name
    path.write_text("\n".join([HEADER, *lines]) + "\n", encoding="utf-8")
    return path


def _jobs(tmp_path: Path, planner) -> list[Job]:
    return [
        job_start(
            kind=MACRO_SALES_IMPORT,
            user=planner,
            params={"mode": "append_range"},
            path=_write(tmp_path, name, lines),
            sync=False,  # queued only: the test runs them
        )
        for name, lines in (("a.csv", FILE_A), ("b.csv", FILE_B))
    ]


def _totals() -> dict[tuple[str, str, str], int]:
    rows = SalesWeeklyAgg.objects.values_list("product__sku", "store__name", "week_start").annotate(total=Sum("units"))
    return {(sku, store, week.isoformat()): total for sku, store, week, total in rows}


def _state() -> dict[str, object]:
    return {
        "totals": _totals(),
        "products": sorted(Product.objects.values_list("sku", "category")),
        "stores": sorted(Store.objects.values_list("name", flat=True)),
        "loads": SalesLoad.objects.count(),
    }


def _reset() -> None:
    SalesWeeklyAgg.objects.all().delete()
    SalesLoad.objects.all().delete()
    Product.objects.all().delete()
    Store.objects.all().delete()


def _run_at_once(jobs: list[Job]) -> list[BaseException]:
    start = threading.Barrier(len(jobs))
    crashes: list[BaseException] = []

    def work(job_id: int) -> None:
        try:
            start.wait(timeout=30)
            job_execute(job_id)  # never raises: a failure lands on the job
        except BaseException as exc:  # noqa: BLE001 - reported to the test thread
            crashes.append(exc)
        finally:
            connections.close_all()  # this thread's own connection

    threads = [threading.Thread(target=work, args=(job.pk,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "an import never finished (deadlock?)"
    return crashes


def _run_one_after_the_other(jobs: list[Job]) -> dict[str, object]:
    _reset()
    for job in jobs:
        job_execute(job.pk)
        job.refresh_from_db()
        assert job.status == Job.Status.DONE, message_text(job.message)
    return _state()


@pytest.mark.django_db(transaction=True)
def test_two_macro_uploads_at_once_equal_one_after_the_other(settings, tmp_path, planner):
    settings.FASTDSO_JOBS_SYNC = False
    a, b = _jobs(tmp_path, planner)
    sequential = _run_one_after_the_other([a, b])
    assert sequential["totals"] == EXPECTED
    assert sequential["products"] == [("00012345", "Consolas"), ("00099999", "Audio")]
    assert sequential["stores"] == ["Tienda Centro", "Tienda Nueva"]
    assert sequential["loads"] == 2

    _reset()
    jobs = _jobs(tmp_path, planner)
    crashes = _run_at_once(jobs)
    outcome = dict(Job.objects.filter(pk__in=[j.pk for j in jobs]).values_list("pk", "status"))
    if connection.vendor == "postgresql":
        assert not crashes, crashes
        assert set(outcome.values()) == {Job.Status.DONE}
        assert _state() == sequential
        return

    # SQLite. The suite's database is pytest-django's in-memory shared-cache
    # one, where a second writer gets SQLITE_LOCKED at once (the busy timeout
    # that makes a file database queue writers does not apply). Either both
    # loaded, or the one that lost the race failed on "locked" having written
    # nothing: the database holds exactly the winner's file.
    if not crashes and set(outcome.values()) == {Job.Status.DONE}:
        assert _state() == sequential
        return
    assert all("locked" in str(exc) for exc in crashes), crashes
    done = [job for job in jobs if outcome[job.pk] == Job.Status.DONE]
    assert len(done) == 1, outcome
    state = _state()
    alone = _run_one_after_the_other([_jobs(tmp_path, planner)[jobs.index(done[0])]])
    assert state == alone


@pytest.mark.django_db(transaction=True)
def test_two_approvals_at_once_never_reserve_more_than_the_cd_holds(planner, week, tmp_path):
    """SPEC §5.7: two drafts each allocated the CD's 30 units; approved at the
    same moment on two connections, one wins and the other is refused (on
    PostgreSQL an advisory lock queues the second approval, which then sees
    the first's reservation). Never 60 reserved."""
    from distribution.models import DistributionRun
    from fastdso.lifecycle import TransitionRefused, run_transition
    from inventory.models import StockCommitment
    from tests import factories
    from tests.distribution.helpers import generate, request_file

    a, b = factories.store("Tienda A"), factories.store("Tienda B")
    sku = factories.product("0001", category="Audio")
    factories.weekly([(sku, a, week(11), 10), (sku, b, week(11), 10)])
    factories.cd_stock([(sku, 30)])
    factories.store_stock([(a, sku, 0), (b, sku, 0)])
    runs = [generate(request_file(tmp_path, [("0001",)]), model="SMA1").run for _ in range(2)]
    assert [r.total_allocated for r in runs] == [30, 30]

    start = threading.Barrier(2)
    outcomes: dict[str, BaseException | None] = {}

    def approve(run_id: str) -> None:
        try:
            start.wait(timeout=30)
            run_transition(run_id=run_id, action="approve", user=planner)
            outcomes[run_id] = None
        except BaseException as exc:  # noqa: BLE001 - reported to the test thread
            outcomes[run_id] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=approve, args=(r.run_id,)) for r in runs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "an approval never finished (deadlock?)"

    states = dict(DistributionRun.objects.values_list("run_id", "state"))
    assert sorted(states.values()) == ["approved", "draft"], (states, outcomes)
    loser = next(run_id for run_id, state in states.items() if state == "draft")
    reserved = -sum(StockCommitment.objects.filter(store=None, is_open=True).values_list("units", flat=True))
    assert reserved == 30
    assert not StockCommitment.objects.filter(source=loser).exists()
    error = outcomes[loser]
    if connection.vendor == "postgresql":
        assert isinstance(error, TransitionRefused) and "0001 (pide 30, libres 0)" in str(error), error
    else:  # the in-memory test database answers the second writer "locked" at once (see above)
        assert isinstance(error, TransitionRefused) or "locked" in str(error), error
