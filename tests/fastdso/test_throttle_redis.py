"""The API throttle holds under concurrency (issue 33, point 8), and
tolerates Redis going away (point 7).

The probe sent 1,000 requests from 16 threads against a 600/min limit and
all passed: DRF's cache throttle reads the history, appends and writes it
back, so concurrent requests all read the same count. Here 16 threads hit
the throttle 40 times each against 20/min: exactly 20 pass, counted

- in Redis (a redis-server of the test's own, as the cache: INCR with expiry),
- in the host's counter file (no Redis, the default set-up),
- in the host's counter file while the configured Redis is down.

Then the same through the real API: 16 threads of token requests.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from api.models import ApiToken
from api.throttling import TokenRateThrottle
from tests.processes import RedisServer

THREADS, HITS, LIMIT = 16, 40, 20


class _Request:
    """What the throttle reads of a request: its token."""

    def __init__(self, token: ApiToken) -> None:
        self.auth = token
        self.user = None
        self.META: dict[str, str] = {}


@pytest.fixture(scope="module")
def redis_server(tmp_path_factory) -> Iterator[RedisServer]:
    server = RedisServer(tmp_path_factory.mktemp("redis")).start()
    try:
        yield server
    finally:
        server.stop()


def _redis_cache(url: str) -> dict:
    return {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": url,
            "KEY_PREFIX": "throttle-test",
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 2},
        }
    }


def _passed_from_threads(token_id: int) -> int:
    request = _Request(ApiToken(pk=token_id))
    passed = []
    start = threading.Barrier(THREADS)

    def hammer() -> None:
        start.wait()
        passed.append(sum(TokenRateThrottle().allow_request(request, None) for _ in range(HITS)))

    threads = [threading.Thread(target=hammer) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(passed) == THREADS
    return sum(passed)


@pytest.fixture
def limit(settings, tmp_path):
    settings.FASTDSO_API_THROTTLE_RATE = f"{LIMIT}/min"
    settings.FASTDSO_API_THROTTLE_DB = tmp_path / "api-throttle.sqlite3"


def test_sixteen_threads_pass_no_more_than_the_limit_with_redis(limit, settings, redis_server):
    settings.CACHES = _redis_cache(redis_server.url)
    assert _passed_from_threads(1) == LIMIT
    assert _passed_from_threads(2) == LIMIT  # each token its own budget


def test_sixteen_threads_pass_no_more_than_the_limit_without_redis(limit, settings, tmp_path):
    # The default single-host set-up: a file cache (DRF's throttle raced on it).
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.filebased.FileBasedCache", "LOCATION": str(tmp_path / "c")}
    }
    assert _passed_from_threads(1) == LIMIT


def test_with_redis_down_the_throttle_still_counts_on_the_host(limit, settings, tmp_path):
    down = RedisServer(tmp_path)  # a port where nothing listens
    settings.CACHES = _redis_cache(down.url)
    assert _passed_from_threads(1) == LIMIT


def test_the_window_ends_and_a_new_one_starts(limit, settings, redis_server):
    settings.FASTDSO_API_THROTTLE_RATE = "2/s"
    for caches in (_redis_cache(redis_server.url), None):
        if caches:
            settings.CACHES = caches
        else:
            settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
        request = _Request(ApiToken(pk=9))
        first = TokenRateThrottle()
        assert [first.allow_request(request, None) for _ in range(3)] == [True, True, False]
        wait = first.wait()
        assert wait is not None and 0 < wait <= 1
        import time

        time.sleep(1.1)
        assert TokenRateThrottle().allow_request(request, None)


@pytest.mark.django_db(transaction=True)
def test_sixteen_threads_of_api_requests_get_at_most_the_limit(limit, settings, planner):
    from api.services import api_token_create

    token, key = api_token_create(user=planner, name="carga")
    # Marked used now, so that no request writes it (16 writers at once on the
    # suite's in-memory SQLite would fail with "table is locked", not throttle).
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
    codes: list[int] = []
    start = threading.Barrier(THREADS)

    def client_thread() -> None:
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
        start.wait()
        codes.extend(client.get("/api/v1/runs/").status_code for _ in range(3))

    threads = [threading.Thread(target=client_thread) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert len(codes) == THREADS * 3
    assert codes.count(200) == LIMIT and codes.count(429) == THREADS * 3 - LIMIT, sorted(set(codes))
