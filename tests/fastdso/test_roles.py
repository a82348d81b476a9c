"""Roles over the whole URLconf (SPEC §10, issue 9): a viewer changes
nothing, a planner does not reach the admin, an anonymous user reaches only
the login page and static files. Routes are enumerated, not listed, so the
pages other features add are covered as soon as they exist."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from tests.hostile import row_counts
from tests.urlconf import all_routes

# Logging in and out and choosing the language are not data changes.
NOT_DATA_CHANGES = {"login", "logout", "set_language", "admin:login", "admin:logout"}
LOGIN_PAGES = {"login", "admin:login"}


def _routes():
    routes = [route for route in all_routes() if route.url is not None]
    assert len(routes) >= 20, "the URLconf walk found too few routes"
    return routes


def test_viewer_gets_403_on_every_post_outside_the_admin(viewer_client):
    before = row_counts()
    checked = 0
    for route in _routes():
        if route.name in NOT_DATA_CHANGES or route.is_admin:
            continue
        for method in ("post", "put", "patch", "delete"):
            response = getattr(viewer_client, method)(route.url, {"x": "1"})
            assert response.status_code == 403, (
                f"viewer {method.upper()} {route.url} ({route.name}) answered {response.status_code}"
            )
        checked += 1
    assert checked >= 5
    assert row_counts() == before


def test_viewer_post_to_the_admin_is_sent_to_the_admin_login(viewer_client):
    """The role gate leaves the admin to its own check: a viewer is not staff,
    so every admin POST ends at the admin login, having changed nothing."""
    before = row_counts()
    for route in _routes():
        if not route.is_admin or route.name in NOT_DATA_CHANGES:
            continue
        response = viewer_client.post(route.url, {"x": "1"})
        assert response.status_code == 302, f"viewer POST {route.url} ({route.name}) answered {response.status_code}"
        assert response["Location"].startswith(reverse("admin:login")), route.url
    assert row_counts() == before


def test_viewer_multipart_upload_is_refused(viewer_client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    for route in _routes():
        if route.name in NOT_DATA_CHANGES or route.is_admin:
            continue
        upload = SimpleUploadedFile("ventas.csv", b"sku,quantity\n0001,3\n")
        assert viewer_client.post(route.url, {"file": upload}).status_code == 403, route.url


def test_planner_cannot_reach_any_admin_page(planner_client):
    checked = 0
    for route in _routes():
        if not route.is_admin or route.name in NOT_DATA_CHANGES:
            continue
        for method in ("get", "post"):
            response = getattr(planner_client, method)(route.url)
            assert response.status_code == 302, f"planner {method.upper()} {route.url} answered {response.status_code}"
            assert response["Location"].startswith(reverse("admin:login")), route.url
        checked += 1
    assert checked >= 10  # index, password change, every registered model's pages


def test_staff_reaches_the_admin_index(staff_client):
    assert staff_client.get(reverse("admin:index")).status_code == 200


@pytest.mark.parametrize("method", ["get", "post"])
def test_anonymous_reaches_only_the_login_pages(client, db, method):
    for route in _routes():
        response = getattr(client, method)(route.url)
        if route.name in LOGIN_PAGES:
            assert response.status_code == 200, route.url
            continue
        if route.name == "favicon":  # a redirect to a static file, public like static files
            assert response["Location"].startswith("/static/"), route.url
            continue
        assert response.status_code in (301, 302), (
            f"anonymous {method.upper()} {route.url} answered {response.status_code}"
        )
        assert "login" in response["Location"], f"{route.url} sent anonymous users to {response['Location']}"


def test_static_files_are_public(db):
    client = Client()
    response = client.get("/static/js/app.js")
    assert response.status_code == 200
    assert b"use strict" in b"".join(response.streaming_content)
    assert client.get("/static/vendor/bootstrap/bootstrap.min.css").status_code == 200


def test_uploaded_files_are_not_served(client, planner_client, settings):
    """Uploads (MEDIA_ROOT) hold planners' files: no URL serves them, to anyone."""
    upload_dir = settings.MEDIA_ROOT / "uploads" / "2026" / "01"
    upload_dir.mkdir(parents=True)
    (upload_dir / "ventas.csv").write_text("sku,quantity\n0001,3\n")
    for who in (client, planner_client):
        assert who.get("/media/uploads/2026/01/ventas.csv").status_code in (302, 404)


# Parameter names the pages read, plus any name: NUL (and bytes that are not
# UTF-8) in a name or a value must answer 400 or be ignored, never 500.
HOSTILE_PARAMETERS = ("status", "kind", "sku", "store", "q", "page", "sort", "category", "run", "week", "date", "x")


@pytest.mark.parametrize("who", ["planner_client", "staff_client"])
def test_hostile_query_parameters_never_answer_500(request, who):
    client = request.getfixturevalue(who)
    checked = 0
    for route in _routes():
        if route.name in {"logout"}:
            continue
        nul = client.get(route.url + "?" + "&".join(f"{name}=%00" for name in HOSTILE_PARAMETERS))
        assert nul.status_code == 400, f"{who} GET {route.url}?…=%00 answered {nul.status_code}"
        assert client.get(route.url + "?%00=1").status_code == 400, route.url
        not_utf8 = client.get(route.url + "?" + "&".join(f"{name}=%FF%FE%C3" for name in HOSTILE_PARAMETERS))
        assert not_utf8.status_code < 500, f"{who} GET {route.url}?…=%FF answered {not_utf8.status_code}"
        checked += 1
    assert checked >= 20
    for url in ("/jobs/?status=%00", "/jobs/?kind=%00", "/stock/query/?sku=%00", "/jobs/%00/"):
        assert client.get(url).status_code == 400, url
