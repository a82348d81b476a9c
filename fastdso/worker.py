"""The django-q2 cluster, made to survive a worker killed at any moment.

Why a killed worker froze every job (django-q2 1.11, any broker): the
workers of a cluster share one `multiprocessing.Queue`. An idle worker waits
in `task_queue.get()`, which holds the queue's reader lock while it blocks on
the pipe. `kill -9` of that worker leaves the lock taken forever: every other
worker, and the one the sentinel spawns to replace it, waits for that lock,
so nothing runs again. SIGTERM then hangs too: the sentinel's stop puts
"STOP" pills in the same queue and waits for workers that can never read
them. The tasks the pusher had already taken were locked in the ORM broker
for `retry` seconds, so even a restart left them waiting an hour.

`FastDSOSentinel` replaces django-q2's sentinel (`install()`, called when the
app loads) and, when a worker dies other than by django-q2's own timeout or
recycling:

1. fails the job that worker was running (`jobs_fail_stalled`): never re-run;
2. throws the shared queue away: stops the pusher, stops the idle workers,
   retires busy ones as soon as they finish, and starts a fresh queue, pusher
   and pool;
3. enqueues again every job still queued (the tasks in the old queue are
   lost); a job runs at most once whoever claims it, so extra tasks do nothing.

Its `stop` (SIGTERM) is bounded: idle workers stop at once, busy ones get
STOP_GRACE_SECONDS, then their jobs are failed.

It also fails, when the cluster starts, the jobs left running on this host
by a previous cluster, and runs a watchdog thread that fails running jobs
whose heartbeat stopped (`fastdso.jobs`). docs/operations.md tells the story
for operators.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import TYPE_CHECKING, Any

from django import db

logger = logging.getLogger(__name__)

WATCHDOG_SECONDS = 5.0
STOP_GRACE_SECONDS = 5.0
_IDLE, _TIMED_OUT, _RECYCLED = -1, 0, -2  # django-q2's worker timer values


def install() -> None:
    """Use FastDSOSentinel in every cluster this process starts."""
    import django_q.cluster

    django_q.cluster.Sentinel = _sentinel_class()


if TYPE_CHECKING:  # the mixin is typed against the class it is mixed into
    from django_q.cluster import Sentinel as _SentinelBase
else:
    _SentinelBase = object


class _SentinelMixin(_SentinelBase):
    """What FastDSO changes in django-q2's Sentinel (mixed in before it)."""

    fastdso = True
    pusher: Any  # django-q2 sets it to None, then to the pusher's Process

    def start(self) -> None:
        _fail_stalled()
        # Tasks a previous cluster had taken from the broker but not run
        # would wait for the broker's retry (an hour): enqueue them again.
        _requeue_waiting()
        self._watchdog_stop = threading.Event()
        threading.Thread(target=self._watchdog, name="fastdso-watchdog", daemon=True).start()
        try:
            super().start()
        finally:
            self._watchdog_stop.set()

    def _watchdog(self) -> None:
        while not self._watchdog_stop.wait(WATCHDOG_SECONDS):
            _fail_stalled()
            self._retire_idle_stale_workers()

    def _retire_idle_stale_workers(self) -> None:
        # A worker of a discarded queue that finished its task: the guard
        # hands it to reincarnate(), which retires it (timer 0 = "stop it").
        for process in list(self.pool):
            if getattr(process, "fastdso_stale", False):
                with process.timer.get_lock():
                    if process.timer.value == _IDLE:
                        process.timer.value = _TIMED_OUT

    def reincarnate(self, process: Any) -> None:
        if getattr(process, "fastdso_stale", False):
            self._retire(process)
            return
        died = process in self.pool and int(process.timer.value) not in (_TIMED_OUT, _RECYCLED)
        if not died:
            super().reincarnate(process)
            return
        logger.critical("worker %s (pid %s) died: rebuilding the worker queue", process.name, process.pid)
        _fail_stalled(dead_workers={_worker_of(process.pid)})
        self._retire(process)
        self._renew_task_queue()
        self.reincarnations += 1

    def _retire(self, process: Any) -> None:
        if process.is_alive():
            process.terminate()
        process.join(timeout=5)
        if process in self.pool:
            self.pool.remove(process)

    def stop(self) -> None:
        # Replaces django-q2's stop, which sends "STOP" through the task
        # queue (behind every queued task, and never read when a dead
        # worker holds the queue's lock) and waits for the longest job.
        # Here: the pusher stops at once; idle workers are stopped at once
        # (under their timer lock, so none can start a job meanwhile);
        # busy ones get STOP_GRACE_SECONDS to finish, then are terminated
        # and their jobs failed (nothing saved, never re-run). Tasks not
        # started stay queued: the next cluster enqueues them again.
        self._watchdog_stop.set()
        self.pusher.terminate()
        deadline = time.monotonic() + STOP_GRACE_SECONDS
        killed: set[str] = set()
        while self.pool:
            for process in list(self.pool):
                if not process.is_alive():
                    process.join(timeout=1)
                    self.pool.remove(process)
                    continue
                with process.timer.get_lock():
                    idle = int(process.timer.value) in (_IDLE, _RECYCLED)
                    if idle or time.monotonic() >= deadline:
                        if not idle:
                            killed.add(_worker_of(process.pid))
                        process.terminate()
            time.sleep(0.1)
        self.pusher.join(timeout=1)
        if killed:
            _fail_stalled(dead_workers=killed)
        self.result_queue.put("STOP")
        self.monitor.join(timeout=2)
        if self.monitor.is_alive():
            self.monitor.terminate()
            self.monitor.join(timeout=1)

    def _renew_task_queue(self) -> None:
        from django_q.conf import Conf
        from django_q.queues import Queue

        self.pusher.terminate()
        self.pusher.join(timeout=5)
        for process in list(self.pool):
            process.fastdso_stale = True
            if int(process.timer.value) == _IDLE:
                self._retire(process)
        self.task_queue = Queue(maxsize=Conf.QUEUE_LIMIT) if Conf.QUEUE_LIMIT else Queue()
        db.connections.close_all()  # before forking
        for _ in range(self.pool_size):
            self.spawn_worker()
        self.pusher = self.spawn_pusher()
        _requeue_waiting()


def _sentinel_class() -> type:
    from django_q.cluster import Sentinel

    if getattr(Sentinel, "fastdso", False):
        return Sentinel
    return type("FastDSOSentinel", (_SentinelMixin, Sentinel), {})


def _worker_of(pid: int) -> str:
    import socket

    return f"{socket.gethostname()}:{pid}"


def _fail_stalled(**kwargs: Any) -> None:
    from fastdso.jobs import jobs_fail_stalled

    try:
        failed = jobs_fail_stalled(**kwargs)
        if failed:
            logger.error("jobs %s failed: their worker stopped", failed)
    except Exception:  # noqa: BLE001 - the watchdog retries on its next round
        logger.exception("watchdog: could not check the running jobs")
    finally:
        db.connections.close_all()


def _requeue_waiting() -> None:
    from fastdso.jobs import jobs_requeue_waiting

    try:
        jobs_requeue_waiting()
    except Exception:  # noqa: BLE001
        logger.exception("could not enqueue the waiting jobs again")
    finally:
        db.connections.close_all()
