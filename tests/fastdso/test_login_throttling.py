"""Login throttling (django-axes, issue 13): a user and address pair is
locked out after AXES_FAILURE_LIMIT failed logins, with a Spanish page;
other users, other addresses and force_login are not affected."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse


def _login(client: Client, username: str, password: str, ip: str = "10.0.0.1"):
    return client.post(reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=ip)


@pytest.fixture
def limit(settings) -> int:
    return settings.AXES_FAILURE_LIMIT


def test_repeated_failures_lock_the_user_at_that_address(client, planner, limit):
    for _ in range(limit - 1):
        assert _login(client, planner.username, "mal").status_code == 200  # the form again, with its error
    locked = _login(client, planner.username, "mal")
    assert locked.status_code == 429
    page = locked.content.decode()
    assert "Acceso bloqueado temporalmente" in page and f"{limit} intentos fallidos" in page and "15 minutos" in page
    # Even the right password is refused while locked.
    right = _login(client, planner.username, "pw-" + planner.username)
    assert right.status_code == 429 and "_auth_user_id" not in client.session


def test_the_lockout_is_per_user_and_address(client, planner, viewer, limit):
    for _ in range(limit):
        _login(client, planner.username, "mal")
    assert _login(client, planner.username, "mal").status_code == 429
    # Another user from the same address, and the same user from another one, still log in.
    assert _login(Client(), viewer.username, "pw-" + viewer.username).status_code == 302
    assert _login(Client(), planner.username, "pw-" + planner.username, ip="10.0.0.2").status_code == 302


def test_a_successful_login_resets_the_count(client, planner, limit):
    for _ in range(limit - 1):
        _login(client, planner.username, "mal")
    assert _login(client, planner.username, "pw-" + planner.username).status_code == 302
    other = Client()
    for _ in range(limit - 1):
        assert _login(other, planner.username, "mal").status_code == 200


def test_force_login_is_not_throttled(planner_client, planner, limit):
    for _ in range(limit + 1):
        _login(Client(), planner.username, "mal", ip="127.0.0.1")
    assert planner_client.get(reverse("job_list")).status_code == 200
