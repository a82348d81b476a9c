"""`bash scripts/start.sh` serves through gunicorn with the django-q2 worker,
and SIGTERM (or Ctrl-C) stops both within 10 s leaving no process behind.

The script runs for real, on a SQLite file in a temporary var dir and a free
port, with FASTDSO_DEMO=0 (no demo load) and the virtualenv of this test
run (FASTDSO_VENV: nothing to install). It does not use the test database,
so each database leg of the suite sends one of the two signals: SIGTERM on
SQLite, SIGINT (Ctrl-C) on PostgreSQL — about a minute each."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from django.conf import settings

from tests.processes import ROOT, alive, free_port, server_group, session_members, session_of, wait_http


def test_start_sh_serves_with_gunicorn_and_stops_clean(tmp_path):
    sig = signal.SIGINT if settings.IS_POSTGRES else signal.SIGTERM
    port = free_port()
    env = {
        **os.environ,
        "FASTDSO_VENV": sys.prefix,
        "FASTDSO_VAR_DIR": str(tmp_path / "var"),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "FASTDSO_BIND": f"127.0.0.1:{port}",
        "FASTDSO_DEMO": "0",
        "WEB_CONCURRENCY": "2",
        "Q_WORKERS": "2",
        "DEBUG": "0",
    }
    for name in ("REDIS_URL", "SECRET_KEY", "DJANGO_SETTINGS_MODULE"):
        env.pop(name, None)
    log = (tmp_path / "start.log").open("w")
    # Its own process group; whatever happens below, `server_group` ends the
    # group and the web and worker sessions start.sh opened (tests/processes.py).
    with (
        log,
        server_group(["bash", "scripts/start.sh"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT) as group,
    ):
        script = group.process
        response = wait_http(f"http://127.0.0.1:{port}/login/", 180, alive=lambda: script.poll() is None)
        assert response.headers["Server"].startswith("gunicorn")
        # The page's CSS comes from WhiteNoise under gunicorn too.
        assert wait_http(f"http://127.0.0.1:{port}/static/css/app.css", 10).status == 200
        time.sleep(2)  # let qcluster start its sentinel, monitor, pusher and workers
        tree = group.note()
        commands = " ".join(Path(f"/proc/{p}/cmdline").read_text() for p in tree if alive(p))
        assert "gunicorn" in commands and "qcluster" in commands
        sessions = {s for s in (session_of(p) for p in tree) if s is not None and s != session_of(script.pid)}
        assert len(sessions) == 2  # web and worker, each in its own session

        started = time.monotonic()
        script.send_signal(sig)
        script.wait(timeout=12)
        left = session_members(sessions) | {p for p in tree if alive(p)}
        deadline = started + 10
        while left and time.monotonic() < deadline:
            time.sleep(0.2)
            left = session_members(sessions) | {p for p in tree if alive(p)}
        assert not left, f"processes left after {sig!r}: {left}\n" + (tmp_path / "start.log").read_text()[-3000:]
        assert time.monotonic() - started <= 10
