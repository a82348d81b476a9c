"""Scale-out on Redis, with real processes as on several hosts (issue 19).

Two gunicorn web processes and two `qcluster` workers, each with a var dir
of its own (so no local file cache is shared), one database, one Redis
(REDIS_URL: broker and cache) and one uploads directory (the "uploads"
storage; a shared mount or a bucket in production). A planner uploads a
macro sales file through web A; a worker runs the job, reading the file
through the storage API and deleting it when done; web B, another process,
shows the job's live progress (kept only in Redis while the job runs) and
its result.

Runs in the Redis leg of scripts/test.sh (REDIS_URL set); the database is a
fresh one of its own on the leg's server (PostgreSQL) or a SQLite file.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import uuid

import pytest
from django.conf import settings

from tests.processes import ROOT, Browser, free_port, printed_password, wait_http

pytestmark = pytest.mark.skipif(
    not os.environ.get("REDIS_URL"), reason="needs REDIS_URL: the Redis leg of scripts/test.sh runs it"
)

STORES, DAYS, SKUS = 8, 28, 1200  # 268,800 daily rows: some seconds of work for the worker


def _sales_file() -> bytes:
    lines = ["sku,store,date,quantity"]
    for store in range(STORES):
        for day in range(DAYS):
            date = f"2026-02-{day + 1:02d}"
            lines.extend(f"{sku:08d},Tienda {store},{date},{1 + (sku + day) % 3}" for sku in range(SKUS))
    return ("\n".join(lines) + "\n").encode()


def _expected_units() -> int:
    return sum(1 + (sku + day) % 3 for _store in range(STORES) for day in range(DAYS) for sku in range(SKUS))


@pytest.fixture
def database_url(tmp_path):
    """A database for the processes: a fresh PostgreSQL database on the test server, or a SQLite file."""
    if not settings.IS_POSTGRES:
        yield f"sqlite:///{tmp_path / 'scaleout.sqlite3'}"
        return
    import psycopg

    conf = settings.DATABASES["default"]
    name = f"fastdso_scaleout_{uuid.uuid4().hex[:8]}"
    admin = {"host": conf["HOST"], "port": conf["PORT"] or 5432, "user": conf["USER"], "dbname": "postgres"}
    if conf.get("PASSWORD"):
        admin["password"] = conf["PASSWORD"]
    with psycopg.connect(**admin, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    password = f":{conf['PASSWORD']}" if conf.get("PASSWORD") else ""
    yield f"postgres://{conf['USER']}{password}@{conf['HOST']}:{admin['port']}/{name}"
    with psycopg.connect(**admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _env(tmp_path, database_url: str, role: str, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"DJANGO_SETTINGS_MODULE", "FASTDSO_JOBS_SYNC"}}
    env.update(
        DATABASE_URL=database_url,
        REDIS_URL=os.environ["REDIS_URL"],
        FASTDSO_CACHE_PREFIX=f"scaleout-{tmp_path.name}",
        FASTDSO_VAR_DIR=str(tmp_path / role),  # a "host" of its own
        FASTDSO_UPLOADS_DIR=str(tmp_path / "shared-uploads"),
        SECRET_KEY="scale-out-test-key-" + "x" * 40,
        SECURE_HTTPS="0",
        DEBUG="0",
        Q_WORKERS="1",
        **extra,
    )
    return env


def _manage(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


class Cluster:
    """Two qcluster workers and two gunicorn web processes, each a "host" of its own."""

    def __init__(self, tmp_path, database_url: str) -> None:
        self.tmp_path, self.database_url = tmp_path, database_url
        self.processes: list[subprocess.Popen] = []
        self.logs: dict = {}
        self.ports = {"web-a": free_port(), "web-b": free_port()}
        self.password = ""  # the planner's, once seeded

    def start(self, role: str, *command: str) -> None:
        self.logs[role] = self.tmp_path / f"{role}.log"
        self.processes.append(
            subprocess.Popen(
                command,
                cwd=ROOT,
                env=_env(self.tmp_path, self.database_url, role),
                stdout=self.logs[role].open("w"),
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        )

    def start_all(self) -> None:
        for worker in ("worker-1", "worker-2"):
            self.start(worker, sys.executable, "manage.py", "qcluster")
        gunicorn = os.path.join(os.path.dirname(sys.executable), "gunicorn")
        for web, port in self.ports.items():
            self.start(
                web,
                gunicorn,
                "fastdso.wsgi:application",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                "1",
                "--no-control-socket",
            )
        for port in self.ports.values():
            wait_http(
                f"http://127.0.0.1:{port}/login/", 120, alive=lambda: all(p.poll() is None for p in self.processes)
            )

    def stop(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=5)


@pytest.fixture
def cluster(tmp_path, database_url):
    import redis

    redis.Redis.from_url(os.environ["REDIS_URL"]).flushdb()  # our own DB number: stale queue or cache
    setup = _env(tmp_path, database_url, "setup")
    _manage(setup, "migrate", "--noinput")
    running = Cluster(tmp_path, database_url)
    running.password = printed_password(_manage(setup, "seed_demo", "--users-only"), "planner")
    try:
        running.start_all()
        yield running
    finally:
        running.stop()


def _poll_until_finished(web: Browser, job_path: str) -> tuple[dict, list[dict], list[tuple]]:
    """The job's last state, the states seen while it ran with progress, and every state seen."""
    seen_running: list[dict] = []
    seen: list[tuple] = []
    deadline = time.monotonic() + 240
    while True:
        state = json.loads(web.get(f"{job_path}status.json")[2])
        seen.append((round(time.monotonic(), 1), state["status"], state["progress"], state["stage"]))
        if state["status"] == "running" and state["progress"] > 0:
            seen_running.append(state)
        if state["finished"] or time.monotonic() > deadline:
            return state, seen_running, seen
        time.sleep(0.05)


def test_upload_on_web_a_runs_on_a_worker_and_web_b_sees_its_progress(tmp_path, database_url, cluster):
    ports, logs = cluster.ports, cluster.logs
    web_a = Browser(f"http://127.0.0.1:{ports['web-a']}")
    web_a.login("planner", cluster.password)
    web_b = Browser(f"http://127.0.0.1:{ports['web-b']}")
    web_b.login("planner", cluster.password)  # before the upload: polling starts at once
    job_url = web_a.upload("/sales_macro_upload", {"mode": "replace_range"}, "file", "ventas.csv", _sales_file())
    job_path = job_url.split(str(ports["web-a"]), 1)[1]
    assert job_path.startswith("/jobs/"), job_url
    job_id = int(job_path.strip("/").split("/")[1])

    state, seen_running, seen = _poll_until_finished(web_b, job_path)

    assert state["status"] == "done", state
    assert state["counts"]["rows_read"] == STORES * DAYS * SKUS
    # Web B saw the live progress that only the worker wrote, only to Redis.
    assert seen_running, f"web B never saw the job running with progress: {seen}"
    assert any(s["counts"].get("rows_read") for s in seen_running) or any(s["stage"] for s in seen_running)
    page = web_b.get(job_path)[2]
    assert "Terminada" in page and "ventas.csv" in page
    # One of the two workers ran it; the upload left the shared storage.
    ran = [role for role in ("worker-1", "worker-2") if f"processing job-{job_id} " in logs[role].read_text()]
    assert len(ran) == 1, {role: logs[role].read_text()[-1500:] for role in ("worker-1", "worker-2")}
    assert not [p for p in (tmp_path / "shared-uploads").rglob("*") if p.is_file()]
    total = _manage(
        _env(tmp_path, database_url, "check"),
        "shell",
        "-c",
        "from django.db.models import Sum; from sales.models import SalesWeeklyAgg; "
        "print(SalesWeeklyAgg.objects.aggregate(t=Sum('units'))['t'])",
    )
    assert int(total.strip().splitlines()[-1]) == _expected_units()
