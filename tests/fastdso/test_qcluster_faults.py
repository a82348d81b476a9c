"""Faults with a real `python manage.py qcluster` (issue 13), on the database
the suite runs on: a scratch SQLite file, or a scratch PostgreSQL database
next to the test one. The cluster uses the ORM broker and two workers.

- kill -9 of a busy worker mid-upload: the job is failed within 60 s with
  "no se guardó nada", its rows are not in the database, and a redelivery of
  the very same task changes nothing;
- kill -9 of the idle workers: the next job completes;
- SIGTERM: the cluster stops within 10 s and leaves no process behind.

Each test bounds every wait; the module takes about a minute per database.
"""

from __future__ import annotations

import functools
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import dj_database_url
import pytest

from fastdso.messages import render as message_text

ROOT = Path(__file__).resolve().parents[2]


def _upload(tag: str) -> str:
    """60 sales rows on three stores of its own: uploads apply in submission
    order per store and date (issue 33), so each held upload here has stores
    no other upload touches, and none is refused for a newer one applied first."""
    return "sku,store,date,quantity\n" + "".join(
        f"S{n:03d},Tienda {tag}-{n % 3},2026-01-{5 + n % 5:02d},{n + 1}\n" for n in range(60)
    )


def _wait(what: str, check: Callable[[], Any], timeout: float) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")


class ScratchDB:
    """A migrated database of its own for the cluster, and SQL to look into it."""

    def __init__(self, tmp: Path) -> None:
        suite = dj_database_url.parse(os.environ.get("DATABASE_URL") or "sqlite:///x")
        self.postgres = "postgresql" in suite["ENGINE"]
        if self.postgres:
            self.name = f"{suite['NAME']}_qcluster"
            self.server = {k: suite[k] for k in ("HOST", "PORT", "USER")}
            self._admin(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)', f'CREATE DATABASE "{self.name}"')
            server = f"{self.server['USER']}@{self.server['HOST']}:{self.server['PORT'] or 5432}"
            self.url = f"postgres://{server}/{self.name}"
        else:
            self.path = tmp / "cluster.sqlite3"
            self.url = f"sqlite:///{self.path}"
        self.var = tmp / "var"
        self.uploads = 0  # uploads written so far (each gets stores of its own)
        self.var.mkdir()
        self.env = {
            **{k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "FASTDSO_JOBS_SYNC"}},
            "DATABASE_URL": self.url,
            "FASTDSO_VAR_DIR": str(self.var),
            "DJANGO_SETTINGS_MODULE": "tests.qcluster_settings",
            "PYTHONPATH": str(ROOT),
            "Q_WORKERS": "2",
        }
        self.manage("migrate", "--no-input", "-v", "0")

    def _admin(self, *statements: str) -> None:
        import psycopg

        with psycopg.connect(dbname="postgres", autocommit=True, **self._conninfo()) as conn:
            for statement in statements:
                conn.execute(statement)

    def _conninfo(self) -> dict[str, Any]:
        return {"host": self.server["HOST"], "port": self.server["PORT"] or 5432, "user": self.server["USER"]}

    def drop(self) -> None:
        if self.postgres:
            self._admin(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')

    def manage(self, *args: str, timeout: float = 120) -> str:
        done = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        assert done.returncode == 0, done.stderr[-3000:]
        return done.stdout

    def django(self, code: str) -> Any:
        """Run `code` in a Django shell on the scratch database; it prints JSON."""
        return json.loads(self.manage("shell", "-c", code).strip().splitlines()[-1])

    def query(self, sql: str, *params: Any) -> list[tuple]:
        if self.postgres:
            import psycopg

            with psycopg.connect(dbname=self.name, autocommit=True, **self._conninfo()) as conn:
                cursor = conn.execute(sql, params)
                return cursor.fetchall() if cursor.description else []
        with sqlite3.connect(self.path, timeout=30) as conn:
            return conn.execute(sql.replace("%s", "?"), params).fetchall()

    def job(self, job_id: int) -> dict[str, Any]:
        status, worker, message = self.query("SELECT status, worker, message FROM fastdso_job WHERE id = %s", job_id)[0]
        return {
            "status": status,
            "worker": worker,
            "message": message_text(message if isinstance(message, dict) else json.loads(message or "{}")),
        }

    def start_job(self, hold: float = 0) -> int:
        return self.start_jobs([hold])[0]

    def start_jobs(self, holds: list[float]) -> list[int]:
        """Queue one held upload per entry of `holds` (seconds it waits before
        committing), all in one transaction: on SQLite a running upload holds
        the write lock, so nothing could be queued once the first one runs."""
        paths = []
        for _hold in holds:
            self.uploads += 1
            paths.append(self.var / f"ventas-{self.uploads}.csv")
            paths[-1].write_text(_upload(str(self.uploads)))
        # Each job stores its file like an upload: a worker reads only the job's own file.
        batch = [(hold, path.read_text()) for hold, path in zip(holds, paths, strict=True)]
        return self.django(
            "import json; from django.db import transaction; from django.core.files.base import ContentFile; "
            "from fastdso.jobs import _enqueue; from fastdso.models import Job\n"
            "with transaction.atomic():\n"
            "    jobs = []\n"
            f"    for hold, content in {batch!r}:\n"
            "        job = Job(kind='test_held_macro_upload', file_name='ventas.csv', params={'hold': hold})\n"
            "        job.file.save('ventas.csv', ContentFile(content.encode()), save=False)\n"
            "        job.save()\n"
            "        jobs.append(job)\n"
            "    for job in jobs: _enqueue(job.pk)\n"
            "print(json.dumps([job.pk for job in jobs]))"
        )

    def sales_rows(self) -> int:
        return self.query("SELECT COUNT(*) FROM sales_salesweeklyagg")[0][0]


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid and fields[0] != "Z":
                found.append(int(entry.name))
    return found


def _descendants(pid: int) -> list[int]:
    result = []
    for child in _children(pid):
        result += [child, *_descendants(child)]
    return result


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


class Cluster:
    def __init__(self, db: ScratchDB) -> None:
        self.db = db
        self.log = open(db.var / "qcluster.log", "ab")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(
            [sys.executable, "manage.py", "qcluster"],
            cwd=ROOT,
            env=db.env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        _wait("two idle workers", lambda: len(self.workers()) == 2, 60)

    def workers(self) -> list[int]:
        folder = self.db.var / "workers"
        pids = [int(p.name) for p in folder.iterdir()] if folder.exists() else []
        mine = set(_descendants(self.process.pid))
        return [pid for pid in pids if pid in mine and _alive(pid)]

    def output(self) -> str:
        return (self.db.var / "qcluster.log").read_text(errors="replace")[-4000:]

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(10)
        self.log.close()


@pytest.fixture(scope="module")
def scratch(tmp_path_factory) -> Iterator[ScratchDB]:
    db = ScratchDB(tmp_path_factory.mktemp("qcluster"))
    yield db
    db.drop()


@pytest.fixture
def cluster(scratch) -> Iterator[Cluster]:
    running = Cluster(scratch)
    yield running
    running.stop()


def test_killing_a_busy_worker_fails_its_job_and_saves_nothing(scratch, cluster):
    before = scratch.sales_rows()
    job_id = scratch.start_job(hold=120)
    _wait("the upload to write its rows", lambda: (scratch.var / f"holding-{job_id}").exists(), 60)
    worker = int(scratch.job(job_id)["worker"].rsplit(":", 1)[1])
    assert worker in cluster.workers()
    os.kill(worker, signal.SIGKILL)
    killed_at = time.monotonic()

    job = _wait("the job to fail", lambda: scratch.job(job_id)["status"] == "failed" and scratch.job(job_id), 60)
    assert time.monotonic() - killed_at < 60
    assert "no se guardó nada" in job["message"], cluster.output()
    assert scratch.sales_rows() == before
    assert (
        scratch.query(
            "SELECT COUNT(*) FROM fastdso_auditevent WHERE action = 'job_failed' AND object_id = %s", str(job_id)
        )[0][0]
        == 1
    )

    # The broker still holds the killed task (locked for `retry`): deliver the
    # very same task again now, as django-q2 would an hour later.
    assert scratch.query("SELECT COUNT(*) FROM django_q_ormq")[0][0] == 1
    scratch.query("UPDATE django_q_ormq SET lock = %s", "2000-01-01 00:00:00")
    _wait("the redelivered task to be processed", lambda: not scratch.query("SELECT id FROM django_q_ormq"), 60)
    assert scratch.job(job_id) == job
    assert scratch.sales_rows() == before

    # And the cluster still runs new jobs.
    next_id = scratch.start_job()
    _wait("the next job", lambda: scratch.job(next_id)["status"] == "done", 60)
    assert scratch.sales_rows() > before


def _replaced(cluster: Any, worker: int) -> bool:
    return worker not in cluster.workers() and len(cluster.workers()) == 2


def test_killing_the_idle_workers_leaves_the_queue_working(scratch, cluster):
    # One idle worker waits on the queue's pipe holding its reader lock; the
    # others wait for that lock. Kill them all, one after the other.
    for worker in cluster.workers():
        if not _alive(worker):  # already replaced after the first kill
            continue
        os.kill(worker, signal.SIGKILL)
        _wait("a replacement worker", functools.partial(_replaced, cluster, worker), 30)
    job_id = scratch.start_job()
    _wait("the job after the kill", lambda: scratch.job(job_id)["status"] in {"done", "failed"}, 60)
    assert scratch.job(job_id)["status"] == "done", cluster.output()


def test_a_job_behind_a_long_one_waits_its_turn_and_runs(scratch, cluster):
    # The first upload keeps its transaction open 12 s: on SQLite it holds the
    # write lock longer than the cluster's busy timeout (5 s here, 60 s in
    # production), on PostgreSQL the imports' advisory lock. The jobs behind
    # it wait their turn; none fails with "database is locked" or loses its task.
    jobs = scratch.start_jobs([12, 0, 0])
    _wait("the jobs", lambda: all(scratch.job(j)["status"] in {"done", "failed"} for j in jobs), 120)
    assert [scratch.job(j)["status"] for j in jobs] == ["done"] * 3, [scratch.job(j) for j in jobs]
    assert scratch.sales_rows() > 0


def test_sigterm_stops_the_cluster_quickly_and_leaves_no_process(scratch, cluster):
    before = scratch.sales_rows()
    # A worker busy with an upload, the other blocked behind it (imports take
    # turns), and more jobs waiting in the broker and in the cluster's queue.
    # On SQLite the second worker may still be waiting for the write lock to
    # claim its job at the stop; the new cluster then runs that held job while
    # the others wait for the lock longer than the busy timeout (they must
    # not lose their task). The hold outlasts the stop's grace of 5 s.
    jobs = scratch.start_jobs([30, 30, 0, 0, 0, 0])
    busy = _wait("a busy worker", lambda: [j for j in jobs[:2] if (scratch.var / f"holding-{j}").exists()], 120)
    time.sleep(2)  # the other worker claims the next job and waits for the import lock
    processes = _descendants(cluster.process.pid)
    assert len(processes) >= 5  # sentinel, two workers, monitor, pusher
    started = time.monotonic()
    cluster.process.send_signal(signal.SIGTERM)
    cluster.process.wait(timeout=10)
    assert time.monotonic() - started < 10
    time.sleep(0.5)
    assert [pid for pid in processes if _alive(pid)] == []
    assert scratch.job(busy[0])["status"] == "failed" and "no se guardó nada" in scratch.job(busy[0])["message"]
    assert scratch.sales_rows() == before
    # The jobs the stop interrupted are failed; the others were not started and stay queued.
    statuses = {j: scratch.job(j)["status"] for j in jobs}
    assert set(statuses.values()) == {"queued", "failed"}, statuses
    assert list(statuses.values()).count("failed") <= 2, statuses
    queued = [j for j, status in statuses.items() if status == "queued"]

    # A new cluster runs the waiting jobs at once (not after the broker's retry, an hour).
    again = Cluster(scratch)
    try:
        _wait("the waiting jobs", lambda: all(scratch.job(j)["status"] in {"done", "failed"} for j in queued), 180)
    finally:
        again.stop()
    assert [scratch.job(j) for j in queued if scratch.job(j)["status"] != "done"] == [], again.output()
    assert scratch.job(busy[0])["status"] == "failed"
