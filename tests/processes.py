"""Helpers for the tests that start real processes (start.sh, gunicorn,
qcluster): free ports, waiting for HTTP, a logged-in HTTP session, the
process tree below a pid (read from /proc), and `server_group`: a server in
its own session and process group, every process of which is gone when the
`with` block ends, whatever happened in it (an assertion, a timeout, Ctrl-C,
a suite run in the background where SIGINT is ignored)."""

from __future__ import annotations

import http.cookiejar
import os
import re
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_http(url: str, timeout: float, alive=lambda: True) -> urllib.response.addinfourl:
    """The first 200 answer of `url`; fails after `timeout` s or when `alive()` turns false."""
    deadline = time.monotonic() + timeout
    last: Exception | None = None
    while time.monotonic() < deadline:
        if not alive():
            raise AssertionError(f"the server died before answering {url}")
        try:
            response = urllib.request.urlopen(url, timeout=5)  # noqa: S310 - a local test server
            if response.status == 200:
                return response
        except (urllib.error.URLError, ConnectionError, OSError) as exc:
            last = exc
        time.sleep(0.3)
    raise AssertionError(f"no answer from {url} in {timeout} s: {last}")


class Browser:
    """A cookie-keeping HTTP client that logs in through the login form."""

    def __init__(self, base: str) -> None:
        self.base = base.rstrip("/")
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def _csrf(self) -> str:
        return next(c.value or "" for c in self.jar if c.name == "csrftoken")

    def get(self, path: str) -> tuple[int, str, str]:
        with self.opener.open(self.base + path, timeout=30) as response:
            return response.status, response.geturl(), response.read().decode()

    def login(self, username: str, password: str) -> None:
        self.get("/login/")
        data = urllib.parse.urlencode(
            {"username": username, "password": password, "csrfmiddlewaretoken": self._csrf()}
        ).encode()
        request = urllib.request.Request(self.base + "/login/", data=data, headers={"Referer": self.base + "/login/"})
        with self.opener.open(request, timeout=30) as response:
            assert "/login/" not in response.geturl(), "login refused"

    def upload(self, path: str, fields: dict[str, str], file_field: str, name: str, content: bytes) -> str:
        """POST a multipart form; returns the final URL after redirects."""
        self.get(path)
        boundary = "----fastdso" + os.urandom(8).hex()
        parts = []
        for key, value in {**fields, "csrfmiddlewaretoken": self._csrf()}.items():
            parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n{value}\r\n'.encode())
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{file_field}"; filename="{name}"\r\n'
            "Content-Type: text/csv\r\n\r\n".encode()
            + content
            + b"\r\n"
        )
        parts.append(f"--{boundary}--\r\n".encode())
        request = urllib.request.Request(
            self.base + path,
            data=b"".join(parts),
            headers={"Content-Type": f"multipart/form-data; boundary={boundary}", "Referer": self.base + path},
        )
        with self.opener.open(request, timeout=120) as response:
            return response.geturl()


def descendants(pid: int) -> set[int]:
    """Every process below `pid` (children, grandchildren…), from /proc."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(ppid, []).append(int(entry.name))
    found: set[int] = set()
    todo = [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            if child not in found:
                found.add(child)
                todo.append(child)
    return found


def alive(pid: int) -> bool:
    """Running (a zombie waiting for its parent's wait() counts as gone)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def session_members(session_ids: set[int]) -> set[int]:
    """Live processes whose session is one of these (setsid'ed servers and their children)."""
    members = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if fields[0] != "Z" and int(fields[3]) in session_ids:
                members.add(int(entry.name))
    return members


def session_of(pid: int) -> int | None:
    try:
        return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[3])
    except OSError:
        return None


def printed_password(output: str, username: str) -> str:
    """The password seed_demo printed for `username`."""
    match = re.search(rf"^\s+{username}\s+/\s+(\S+)", output, re.MULTILINE)
    assert match, output
    return match.group(1)


class ServerGroup:
    """A process started in a session of its own (so its process group is its
    pid), and the sessions its children opened (start.sh runs gunicorn and
    qcluster under `setsid`): `note()` records them while the tree is whole,
    `stop()` ends every member of every recorded session and tree."""

    def __init__(self, process: subprocess.Popen) -> None:
        self.process = process
        self.sessions: set[int] = {process.pid}
        self.pids: set[int] = {process.pid}

    def note(self) -> set[int]:
        """Record the tree below the process and the sessions in it; returns the tree."""
        tree = descendants(self.process.pid)
        self.pids |= tree
        self.sessions |= {s for s in (session_of(p) for p in tree) if s is not None}
        return tree

    def members(self) -> set[int]:
        """Every live process of the recorded sessions, trees and their children."""
        found = {p for p in self.pids if alive(p)} | session_members(self.sessions)
        for pid in list(found):
            found |= {p for p in descendants(pid) if alive(p)}
        return found

    def _signal(self, sig: int) -> None:
        for group in self.sessions:
            with suppress(ProcessLookupError, PermissionError):
                os.killpg(group, sig)
        for pid in self.members():
            with suppress(ProcessLookupError, PermissionError):
                os.kill(pid, sig)

    def stop(self, grace: float = 10.0) -> None:
        """SIGTERM every member, then SIGKILL whatever is left after `grace` s; reap the process."""
        if self.process.poll() is None:
            self.note()
        self._signal(signal.SIGTERM)
        deadline = time.monotonic() + grace
        while self.members() and time.monotonic() < deadline:
            time.sleep(0.1)
        if self.members():
            self._signal(signal.SIGKILL)
            deadline = time.monotonic() + 5
            while self.members() and time.monotonic() < deadline:
                time.sleep(0.1)
        with suppress(subprocess.TimeoutExpired):
            self.process.wait(timeout=5)


def _default_signals() -> None:
    """In the child: Ctrl-C and SIGTERM act again. A suite started in the
    background (`pytest &`) runs with SIGINT ignored, and an ignored signal
    stays ignored across exec: the server's own trap could never fire."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


@contextmanager
def server_group(args: list[str], **popen_kwargs: Any) -> Iterator[ServerGroup]:
    """Start `args` in its own session and process group; in `finally`, stop
    the whole group (and the sessions its children opened)."""
    popen_kwargs.setdefault("preexec_fn", _default_signals)
    group = ServerGroup(subprocess.Popen(args, start_new_session=True, **popen_kwargs))
    try:
        yield group
    finally:
        group.stop()


class RedisServer:
    """A redis-server of the test's own, on a free port, in its own process
    group (a test that kills Redis kills this one, never a shared server).
    `stop()` kills it; `start()` starts it again on the same port."""

    def __init__(self, folder: Path) -> None:
        import shutil

        self.binary = shutil.which("redis-server")
        self.folder = folder
        self.port = free_port()
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> RedisServer:
        assert self.binary, "redis-server is not installed (scripts/ensure_redis.sh installs it)"
        self.process = subprocess.Popen(
            [
                self.binary,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.folder),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as sock:
                    sock.sendall(b"PING\r\n")
                    if sock.recv(16).startswith(b"+PONG"):
                        return self
            except OSError:
                time.sleep(0.05)
        self.stop()
        raise AssertionError(f"redis-server did not start on port {self.port}")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)
        self.process = None
