"""API fixtures: tokens made by the real service, clients that send them."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from api.services import api_token_create
from tests import factories


@pytest.fixture(autouse=True)
def _fresh_throttle(settings, tmp_path):
    """Throttle counters live in Redis or in a file of the host: start every test with none."""
    settings.FASTDSO_API_THROTTLE_RATE = "1000/min"
    settings.FASTDSO_API_THROTTLE_DB = tmp_path / "api-throttle.sqlite3"
    cache.clear()
    yield
    cache.clear()


def token_client(user) -> APIClient:
    _token, key = api_token_create(user=user, name="test")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    client.key = key
    return client


@pytest.fixture
def planner_api(planner) -> APIClient:
    return token_client(planner)


@pytest.fixture
def viewer_api(viewer) -> APIClient:
    return token_client(viewer)


@pytest.fixture
def data(db, week):
    """Three stores, two selling SKUs, CD and store stock (the distribution tests' data)."""
    centro, norte, sur = (factories.store(n) for n in ("Tienda Centro", "Tienda Norte", "Tienda Sur"))
    alfa = factories.product("00012345", "Consola Alfa", "Consolas")
    beta = factories.product("00012346", "Control Beta", "Accesorios")
    factories.weekly(
        [
            (alfa, centro, week(10), 5),
            (alfa, centro, week(11), 6),
            (alfa, norte, week(11), 2),
            (beta, sur, week(11), 4),
        ]
    )
    factories.cd_stock([(alfa, 120), (beta, 5)])
    factories.store_stock([(centro, alfa, 3)])
    return {"alfa": alfa, "beta": beta, "stores": (centro, norte, sur)}
