"""One request budget per token (per user for the session), rate from
settings.FASTDSO_API_THROTTLE_RATE ("600/min"), read at each request so
tests and deployments can change it.

The count is one atomic operation, so concurrent requests cannot all read
the same count and pass (DRF's cache throttle reads, appends and writes back:
16 threads passed 1,000 of 1,000 requests against 600/min, issue 33):

- with Redis as the cache (REDIS_URL): `SET key 0 NX EX window` then `INCR`,
  in one MULTI/EXEC; the window starts at a token's first request;
- without Redis, or while Redis does not answer: one row per key in a small
  SQLite file of this host (settings.FASTDSO_API_THROTTLE_DB, in var/),
  counted by a single `INSERT … ON CONFLICT DO UPDATE … RETURNING`. Not the
  main database: on SQLite an import holds its single write lock for minutes,
  and every API read would wait behind it. Without Redis the web runs on one
  host (README), so one file counts for all its processes.
"""

from __future__ import annotations

import contextlib
import logging
import random
import sqlite3
import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache
from rest_framework.request import Request
from rest_framework.throttling import SimpleRateThrottle

from api.models import ApiToken

logger = logging.getLogger(__name__)


class TokenRateThrottle(SimpleRateThrottle):
    scope = "api"

    def __init__(self) -> None:  # the rate is read per request, not at import
        self.rate = self.get_rate()
        self.num_requests, self.duration = self.parse_rate(self.rate)
        self.retry_after: float | None = None

    def get_rate(self) -> str:
        return settings.FASTDSO_API_THROTTLE_RATE

    def get_cache_key(self, request: Request, view: Any) -> str:
        if isinstance(request.auth, ApiToken):
            ident = f"token-{request.auth.pk}"
        elif request.user and request.user.is_authenticated:
            ident = f"user-{request.user.pk}"
        else:
            ident = f"ip-{self.get_ident(request)}"
        return self.cache_format % {"scope": self.scope, "ident": ident}

    def allow_request(self, request: Request, view: Any) -> bool:
        if self.rate is None or self.num_requests is None or self.duration is None:
            return True
        self.key = self.get_cache_key(request, view)
        count, seconds_left = throttle_hit(self.key, int(self.duration))
        self.retry_after = seconds_left
        return count <= self.num_requests

    def wait(self) -> float | None:
        return self.retry_after


def throttle_hit(key: str, window: int) -> tuple[int, float]:
    """Count one request of `key`; return (requests in its current window,
    seconds until that window ends). Atomic across threads and processes."""
    backend = caches["default"]
    if isinstance(backend, RedisCache):
        try:
            return _redis_hit(backend, key, window)
        except Exception as exc:  # noqa: BLE001 - Redis down: count on this host instead
            logger.warning("API throttle: Redis does not answer (%s); counting on this host", exc)
    return _local_hit(key, window)


def _redis_hit(backend: RedisCache, key: str, window: int) -> tuple[int, float]:
    redis_key = backend.make_and_validate_key(key)
    client = backend._cache.get_client(redis_key, write=True)
    with client.pipeline(transaction=True) as pipe:
        pipe.set(redis_key, 0, ex=window, nx=True)
        pipe.incr(redis_key)
        pipe.ttl(redis_key)
        _created, count, ttl = pipe.execute()
    if ttl < 0:  # a key without expiry (written by something else): give it the window
        client.expire(redis_key, window)
        ttl = window
    return int(count), float(max(ttl, 1))


_UPSERT = (
    "INSERT INTO hits (key, count, reset_at) VALUES (?, 1, ?) "
    "ON CONFLICT (key) DO UPDATE SET "
    "count = CASE WHEN hits.reset_at <= ? THEN 1 ELSE hits.count + 1 END, "
    "reset_at = CASE WHEN hits.reset_at <= ? THEN excluded.reset_at ELSE hits.reset_at END "
    "RETURNING count, reset_at"
)


def _local_hit(key: str, window: int) -> tuple[int, float]:
    path = str(Path(settings.FASTDSO_API_THROTTLE_DB))
    now = time.time()
    connection = sqlite3.connect(path, timeout=30, isolation_level=None)
    try:
        # WAL without a sync per commit: a count is a few microseconds of
        # work, not an fsync; a crash may lose the last counts, never the file.
        with contextlib.suppress(sqlite3.OperationalError):  # another process is switching it
            connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("PRAGMA synchronous=NORMAL")
        # One write transaction, its lock taken up front (no reader to upgrade).
        connection.execute("BEGIN IMMEDIATE")
        connection.execute(
            "CREATE TABLE IF NOT EXISTS hits (key TEXT PRIMARY KEY, count INTEGER NOT NULL, reset_at REAL NOT NULL)"
        )
        ((count, reset_at),) = connection.execute(_UPSERT, (key, now + window, now, now)).fetchall()
        if random.random() < 0.01:  # noqa: S311 - now and then, forget the windows long over
            connection.execute("DELETE FROM hits WHERE reset_at < ?", (now - 3600,))
        connection.execute("COMMIT")
    finally:
        connection.close()  # an unfinished transaction is rolled back
    return int(count), max(float(reset_at) - now, 1.0)
