"""Tokens: made on the profile page or by `manage.py api_token`, shown once,
stored hashed, revoked → 401. Session auth works, with CSRF on writes. Roles
are the web's: a viewer reads and gets 403 on every write."""

from __future__ import annotations

import hashlib
import io
import re

from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from rest_framework.test import APIClient

from api.models import ApiToken
from distribution.models import DistributionRun
from fastdso.models import AuditEvent, Job
from tests.hostile import row_counts


def _client(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def test_token_lifecycle_create_use_revoke_then_401(planner_client, planner, db):
    page = planner_client.post("/profile/", {"name": "ERP"})
    assert page.status_code == 200
    shown = re.search(r'id="new-token-key">([^<]+)<', page.content.decode())
    assert shown is not None
    key = shown.group(1)
    token = ApiToken.objects.get(user=planner)
    # stored hashed: only the SHA-256 and a short prefix
    assert token.key_hash == hashlib.sha256(key.encode()).hexdigest() and key.startswith(token.prefix)
    assert key not in str(list(ApiToken.objects.values_list()))
    # shown once: the next view of the page lists the token by prefix only
    again = planner_client.get("/profile/").content.decode()
    assert token.prefix in again and key not in again

    client = _client(key)
    assert client.get("/api/v1/runs/").status_code == 200
    token.refresh_from_db()
    assert token.last_used_at is not None and token.name == "ERP"

    assert planner_client.post("/profile/", {"revoke": str(token.pk)}).status_code == 302
    response = client.get("/api/v1/runs/")
    assert response.status_code == 401 and response["WWW-Authenticate"] == "Token"
    assert response.json()["detail"]
    assert list(AuditEvent.objects.values_list("action", flat=True).order_by("id")) == [
        "api_token_create",
        "api_token_revoke",
    ]


def test_the_command_prints_a_token_and_revokes_them_all(planner, db):
    out = io.StringIO()
    call_command("api_token", planner.username, stdout=out)
    first = out.getvalue().strip()
    out = io.StringIO()
    call_command("api_token", planner.username, stdout=out)
    second = out.getvalue().strip()
    assert first != second
    for key in (first, second):
        assert _client(key).get("/api/v1/runs/").status_code == 200
    out = io.StringIO()
    call_command("api_token", planner.username, "--revoke", stdout=out)
    assert "2" in out.getvalue()
    for key in (first, second):
        assert _client(key).get("/api/v1/runs/").status_code == 401


def test_unknown_user_is_a_command_error(db):
    import pytest
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("api_token", "nobody")


def test_anonymous_and_bad_tokens_get_401_json(db, planner):
    for client in (APIClient(), _client("fdso_not-a-real-key"), _client("garbage"), _client("")):
        for method, url in (("get", "/api/v1/runs/"), ("post", "/api/v1/runs/"), ("get", "/api/v1/schema/")):
            response = getattr(client, method)(url)
            assert response.status_code == 401, (method, url, response.status_code)
            assert "json" in response["Content-Type"] and response.json()["detail"]
    inactive = APIClient()
    _token, key = __import__("api.services", fromlist=["x"]).api_token_create(user=planner)
    planner.is_active = False
    planner.save()
    inactive.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert inactive.get("/api/v1/runs/").status_code == 401


def test_bearer_keyword_is_accepted_too(planner_api):
    key = planner_api.key
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    assert client.get("/api/v1/runs/").status_code == 200


WRITES = [
    "/api/v1/uploads/macro_sales/",
    "/api/v1/uploads/products/",
    "/api/v1/uploads/cd_stock/",
    "/api/v1/uploads/store_stock/",
    "/api/v1/runs/",
    "/api/v1/plans/",
    "/api/v1/forecast/",
]


def test_viewer_reads_but_every_write_is_403_json(viewer_api, viewer_client, data):
    before = row_counts()
    for client in (viewer_api, viewer_client):
        assert client.get("/api/v1/runs/").status_code == 200
        assert client.get("/api/v1/stock/00012345/").status_code == 200
        for url in WRITES:
            upload = SimpleUploadedFile("pedido.csv", b"sku,quantity\n00012345,1\n", content_type="text/csv")
            response = client.post(url, {"file": upload, "mode": "auto", "scope": "skus"})
            assert response.status_code == 403, (url, response.status_code)
            assert response["Content-Type"] == "application/json" and response.json()["detail"]
            for method in ("put", "patch", "delete"):
                assert getattr(client, method)(url).status_code == 403, (method, url)
    assert row_counts() == before
    assert not Job.objects.exists() and not DistributionRun.objects.exists()


def test_planner_and_staff_may_write(planner_api, staff_user, data):
    from tests.api.conftest import token_client

    for client in (planner_api, token_client(staff_user)):
        upload = SimpleUploadedFile("pedido.csv", b"sku\n00012345\n", content_type="text/csv")
        assert client.post("/api/v1/runs/", {"file": upload}).status_code == 202
    assert DistributionRun.objects.count() == 2


def test_session_auth_needs_the_csrf_token_for_writes(planner, data):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(planner)
    assert client.get("/api/v1/runs/").status_code == 200
    upload = SimpleUploadedFile("pedido.csv", b"sku\n00012345\n", content_type="text/csv")
    refused = client.post("/api/v1/runs/", {"file": upload})
    assert refused.status_code == 403 and "CSRF" in refused.json()["detail"]
    client.get("/profile/")  # any page sets the CSRF cookie
    token = client.cookies["csrftoken"].value
    upload = SimpleUploadedFile("pedido.csv", b"sku\n00012345\n", content_type="text/csv")
    assert client.post("/api/v1/runs/", {"file": upload}, HTTP_X_CSRFTOKEN=token).status_code == 202
    # a token client needs no CSRF token
    assert DistributionRun.objects.count() == 1


def test_viewer_profile_shows_no_token_form_and_cannot_post(viewer_client, db):
    page = viewer_client.get("/profile/")
    assert page.status_code == 200 and b"Crear token" not in page.content
    assert viewer_client.post("/profile/", {"name": "x"}).status_code == 403
    assert not ApiToken.objects.exists()


def test_staff_revoke_a_token_in_the_admin(staff_client, staff_user, planner, db):
    from api.services import api_token_create

    token, key = api_token_create(user=planner, name="ERP")
    other, other_key = api_token_create(user=planner, name="WMS")
    response = staff_client.post(
        "/admin/api/apitoken/", {"action": "revoke", "_selected_action": [token.pk]}, follow=True
    )
    assert response.status_code == 200
    assert _client(key).get("/api/v1/runs/").status_code == 401
    assert _client(other_key).get("/api/v1/runs/").status_code == 200
    event = AuditEvent.objects.filter(action="api_token_revoke").get()
    assert event.user == staff_user and event.details == {"usuarios": [planner.username], "tokens": 1}
    assert staff_client.get("/admin/api/apitoken/add/").status_code == 403
