"""No process a test starts outlives the suite: `tests.processes.server_group`
puts the server in its own process group and, in `finally`, ends the group and
the sessions its children opened with `setsid` — even when the test fails
half-way and the suite runs in the background (SIGINT ignored, the case that
left gunicorn and qcluster running after tests/test_start_script.py).

Proved on a tiny server: a bash script that ignores SIGINT and starts one
child in its own session (like start.sh's gunicorn and qcluster) and one in
its group; an inner pytest run, itself started with SIGINT ignored, fails
while the server runs; when it returns, every one of those pids is gone."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

from tests.processes import ROOT, alive

SERVER = r"""
trap '' INT
setsid sleep 300 &
echo $! > "$PIDS"
sleep 300 &
echo $! >> "$PIDS"
echo $$ >> "$PIDS"
wait
"""

INNER = """
import os, time
from pathlib import Path
from tests.processes import server_group


def test_fails_while_its_server_runs(tmp_path):
    pids = Path(os.environ["PIDS"])
    with server_group(["bash", "-c", {server!r}]) as group:
        deadline = time.monotonic() + 10
        while len(pids.read_text().split()) < 3 if pids.exists() else True:
            assert time.monotonic() < deadline
            time.sleep(0.05)
        group.note()
        assert False, "a test failing half-way"
"""


def _ignore_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # as in a suite started with `&`


def test_a_failing_test_leaves_no_server_process_behind(tmp_path):
    pids_file = tmp_path / "pids"
    (tmp_path / "test_inner.py").write_text(INNER.format(server=SERVER))
    env = {**os.environ, "PIDS": str(pids_file), "PYTHONPATH": str(ROOT)}
    inner = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:django", "-c", os.devnull,
         "--rootdir", str(tmp_path), str(tmp_path / "test_inner.py")],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120, preexec_fn=_ignore_sigint,
    )  # fmt: skip
    assert inner.returncode == 1 and "a test failing half-way" in inner.stdout, inner.stdout + inner.stderr
    pids = [int(p) for p in pids_file.read_text().split()]
    assert len(pids) == 3
    deadline = time.monotonic() + 5
    while any(alive(p) for p in pids) and time.monotonic() < deadline:
        time.sleep(0.1)
    left = [p for p in pids if alive(p)]
    for pid in left:  # never leave them to the next test, even when this one fails
        os.kill(pid, signal.SIGKILL)
    assert not left, f"processes outlived the failing test: {left}"
