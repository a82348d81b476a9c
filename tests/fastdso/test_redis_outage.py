"""A Redis outage degrades, a database restart is not a 500 (issue 33,
points 2 and 7), with real processes: a gunicorn web (as start.sh serves
it) on a Redis of the test's own — started here, in its own process group,
and killed here — and a fresh database (a SQLite file, or a scratch
PostgreSQL database on the suite's server).

While Redis is down: the dashboard, the job pages and the API are served
from the database; an upload is refused with a 503 that says the job service
is down and leaves no job behind; once Redis is back nothing comes back from
the dead and a new upload is accepted. On PostgreSQL, every connection of
the web is terminated (what a database restart does to them): the next
requests are served, none is a 500 (connection health checks).

Runs in the Redis leg of scripts/test.sh (REDIS_URL set), like the other
tests that start servers.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import urllib.error
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings

from tests.processes import ROOT, Browser, RedisServer, free_port, printed_password, wait_http

pytestmark = pytest.mark.skipif(
    not os.environ.get("REDIS_URL"), reason="needs REDIS_URL: the Redis leg of scripts/test.sh runs it"
)

SALES = b"sku,store,date,quantity\n00000001,Tienda 1,2026-02-09,3\n"


@pytest.fixture
def database_url(tmp_path) -> Iterator[str]:
    if not settings.IS_POSTGRES:
        yield f"sqlite:///{tmp_path / 'outage.sqlite3'}"
        return
    import psycopg

    conf = settings.DATABASES["default"]
    name = f"fastdso_outage_{uuid.uuid4().hex[:8]}"
    admin = {"host": conf["HOST"], "port": conf["PORT"] or 5432, "user": conf["USER"], "dbname": "postgres"}
    if conf.get("PASSWORD"):
        admin["password"] = conf["PASSWORD"]
    with psycopg.connect(**admin, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    password = f":{conf['PASSWORD']}" if conf.get("PASSWORD") else ""
    yield f"postgres://{conf['USER']}{password}@{conf['HOST']}:{admin['port']}/{name}"
    with psycopg.connect(**admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


class Web:
    """migrate + users, then one gunicorn (1 worker × 4 threads) in its own session."""

    def __init__(self, tmp_path: Path, database_url: str, redis: RedisServer) -> None:
        self.database_url = database_url
        self.env = {k: v for k, v in os.environ.items() if k not in {"DJANGO_SETTINGS_MODULE", "FASTDSO_JOBS_SYNC"}}
        self.env.update(
            DATABASE_URL=database_url,
            REDIS_URL=redis.url,
            FASTDSO_VAR_DIR=str(tmp_path / "var"),
            SECRET_KEY="outage-test-key-" + "x" * 40,
            SECURE_HTTPS="0",
            DEBUG="0",
        )
        self.manage("migrate", "--noinput")
        self.password = printed_password(self.manage("seed_demo", "--users-only"), "planner")
        self.port = free_port()
        self.log = tmp_path / "web.log"
        gunicorn = os.path.join(os.path.dirname(sys.executable), "gunicorn")
        self.process = subprocess.Popen(
            [gunicorn, "fastdso.wsgi:application", "--bind", f"127.0.0.1:{self.port}", "--workers", "1"]
            + ["--threads", "4", "--no-control-socket"],
            cwd=ROOT,
            env=self.env,
            stdout=self.log.open("w"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.base = f"http://127.0.0.1:{self.port}"
        wait_http(f"{self.base}/login/", 120, alive=lambda: self.process.poll() is None)

    def manage(self, *args: str) -> str:
        done = subprocess.run(
            [sys.executable, "manage.py", *args], cwd=ROOT, env=self.env, capture_output=True, text=True, timeout=300
        )
        assert done.returncode == 0, done.stderr[-3000:]
        return done.stdout

    def shell(self, code: str) -> str:
        return self.manage("shell", "-c", code).strip().splitlines()[-1]

    def output(self) -> str:
        return self.log.read_text(errors="replace")[-4000:]

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=5)


@pytest.fixture
def redis(tmp_path) -> Iterator[RedisServer]:
    server = RedisServer(tmp_path).start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def web(tmp_path, database_url, redis) -> Iterator[Web]:
    running = Web(tmp_path, database_url, redis)
    try:
        yield running
    finally:
        running.stop()


def _get(browser: Browser, path: str) -> tuple[int, str]:
    try:
        status, _url, body = browser.get(path)
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode(errors="replace")
    return status, body


def _upload(browser: Browser) -> tuple[int, str]:
    try:
        return 200, browser.upload("/sales_macro_upload", {"mode": "replace_range"}, "file", "ventas.csv", SALES)
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode(errors="replace")


def _api(web: Web, token: str, path: str) -> tuple[int, str]:
    import urllib.request

    request = urllib.request.Request(web.base + path, headers={"Authorization": f"Token {token}"})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - our test server
            return response.status, response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode(errors="replace")


def test_a_redis_outage_degrades_and_leaves_no_job_behind(web, redis):
    planner = Browser(web.base)
    planner.login("planner", web.password)
    token = web.shell(
        "from django.contrib.auth import get_user_model; from api.services import api_token_create; "
        "print(api_token_create(user=get_user_model().objects.get(username='planner'), name='t')[1])"
    )
    status, job_url = _upload(planner)  # Redis up: accepted (no worker runs it here)
    job_path = job_url.split(str(web.port), 1)[1]
    assert job_path.startswith("/jobs/"), job_url
    first_job = int(job_path.strip("/").split("/")[1])

    redis.stop()
    served = {path: _get(planner, path) for path in ("/", "/jobs/", job_path, f"{job_path}status.json")}
    assert {path: code for path, (code, _body) in served.items()} == dict.fromkeys(served, 200), web.output()
    assert _api(web, token, "/api/v1/runs/")[0] == 200, web.output()
    assert _api(web, token, f"/api/v1/jobs/{first_job}/")[0] == 200, web.output()

    status, body = _upload(planner)
    assert status == 503, body[:2000]
    assert "servicio de tareas no está disponible" in body
    assert web.shell("from fastdso.models import Job; print(Job.objects.count())") == "1"  # no new row

    redis.start()  # back, empty (no persistence): what a restarted Redis holds
    # What a cluster does when it starts: nothing was left queued by the outage
    # but the first upload, whose task the restart lost.
    assert web.shell("from fastdso.jobs import jobs_requeue_waiting; print(jobs_requeue_waiting())") == "1"
    status, url = _upload(planner)
    assert status == 200 and "/jobs/" in url, web.output()


def test_after_a_database_restart_the_first_requests_are_served(web):
    if not settings.IS_POSTGRES:
        pytest.skip("SQLite has no server connection to lose (the PostgreSQL leg runs this)")
    import psycopg

    planner = Browser(web.base)
    planner.login("planner", web.password)
    for _ in range(8):  # every thread of the web holds a connection (CONN_MAX_AGE)
        assert _get(planner, "/jobs/")[0] == 200
    conf = settings.DATABASES["default"]
    name = web.database_url.rsplit("/", 1)[1]
    admin = {"host": conf["HOST"], "port": conf["PORT"] or 5432, "user": conf["USER"], "dbname": "postgres"}
    with psycopg.connect(**admin, autocommit=True) as connection:
        killed = connection.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
            [name],
        ).fetchall()
    assert killed, "the web held no connection to terminate"
    codes = [_get(planner, "/jobs/")[0] for _ in range(8)]
    assert codes == [200] * 8, web.output()
