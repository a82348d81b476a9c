"""Login wall over every URL, roles, and the settings that protect them."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

DUMMY_BY_CONVERTER = {"int": "1", "str": "x", "slug": "x", "path": "x", "uuid": "00000000-0000-0000-0000-000000000000"}
PUBLIC = {"login", "admin:login", "favicon"}


def _all_patterns(resolver: URLResolver, prefix: str = "", namespace: str = ""):
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            ns = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _all_patterns(entry, prefix + str(entry.pattern), ns)
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), f"{namespace}{entry.name}" if entry.name else None, entry


def _concrete_url(route: str) -> str | None:
    """Fill converters with dummies; skip regex routes (admin internals)."""
    import re

    if "^" in route or "(?P" in route or "\\" in route:
        return None
    url = re.sub(r"<(?:(\w+):)?\w+>", lambda m: DUMMY_BY_CONVERTER.get(m.group(1) or "str", "x"), route)
    return "/" + url


def test_every_url_but_login_requires_login(client, db):
    checked = 0
    for route, name, _ in _all_patterns(get_resolver()):
        if name in PUBLIC:
            continue
        url = _concrete_url(route)
        if url is None:
            continue
        response = client.get(url)
        if getattr(_.callback, "checks_roles_itself", False):  # the REST API: 401 JSON, not a redirect
            assert response.status_code == 401, f"{url} ({name}) answered {response.status_code} to an anonymous user"
            checked += 1
            continue
        assert response.status_code in (301, 302), (
            f"{url} ({name}) answered {response.status_code} to an anonymous user"
        )
        location = response["Location"]
        assert "login" in location, f"{url} redirected anonymous users to {location}, not to a login page"
        checked += 1
    assert checked >= 8


def test_login_page_is_public(client, db):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    assert "Contraseña" in response.content.decode()


def test_roles_exist_with_their_permissions(db):
    from django.contrib.auth.models import Group

    assert Group.objects.get(name="planner").permissions.filter(codename="plan").exists()
    assert not Group.objects.get(name="viewer").permissions.exists()
    assert Group.objects.get(name="staff").permissions.filter(codename="change_product").exists()


def test_viewer_gets_403_on_any_post(viewer_client):
    for url in ["/", reverse("job_list"), reverse("audit_list"), "/sales_macro_upload"]:
        assert viewer_client.post(url, {"x": "1"}).status_code == 403


def test_viewer_can_read_and_log_out(viewer_client):
    assert viewer_client.get(reverse("home")).status_code == 200
    assert viewer_client.get(reverse("audit_list")).status_code == 200
    assert viewer_client.post(reverse("logout")).status_code == 302


def test_planner_post_is_not_blocked_by_the_role_gate(planner_client):
    # Home has no POST handler: 405 means the request got past the role gate.
    assert planner_client.post(reverse("home")).status_code == 405


def test_planner_cannot_reach_the_admin(planner_client):
    response = planner_client.get("/admin/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_staff_reaches_the_admin(staff_client):
    assert staff_client.get("/admin/").status_code == 200
    assert staff_client.get("/admin/inventory/product/").status_code == 200


def test_pages_send_security_headers(planner_client):
    response = planner_client.get(reverse("home"))
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "script-src 'self'" in response["Content-Security-Policy"]
    assert "<script>" not in response.content.decode()  # no inline script


def _settings_in_subprocess(env: dict[str, str], expr: str) -> str:
    code = (
        "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='fastdso.settings'; django.setup(); "
        f"from django.conf import settings as s; print({expr})"
    )
    clean = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "SECRET_KEY", "DEBUG"}}
    result = subprocess.run(
        [sys.executable, "-c", code], env={**clean, **env}, capture_output=True, text=True, check=True
    )
    return result.stdout.strip()


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({}, "django.db.backends.sqlite3"),
        ({"DATABASE_URL": "sqlite:////tmp/other.sqlite3"}, "django.db.backends.sqlite3"),
        ({"DATABASE_URL": "postgres://u@db.example:5432/fastdso"}, "django.db.backends.postgresql"),
    ],
)
def test_settings_load_with_and_without_database_url(env, expected, tmp_path):
    env = {**env, "FASTDSO_VAR_DIR": str(tmp_path)}
    assert _settings_in_subprocess(env, "s.DATABASES['default']['ENGINE']") == expected


def test_production_settings_are_secure(tmp_path):
    env = {"SECRET_KEY": "x" * 60, "ALLOWED_HOSTS": "fastdso.example", "FASTDSO_VAR_DIR": str(tmp_path)}
    out = _settings_in_subprocess(
        env, "(s.DEBUG, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_HSTS_SECONDS > 0)"
    )
    assert out == "(False, True, True, True)"


def test_default_sqlite_uses_wal_mode(tmp_path):
    out = _settings_in_subprocess(
        {"FASTDSO_VAR_DIR": str(tmp_path)}, "s.DATABASES['default']['OPTIONS']['init_command']"
    )
    assert "journal_mode=WAL" in out


def test_ui_is_spanish_even_for_an_english_browser(planner_client):
    page = planner_client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert '<html lang="es">' in page


def test_english_is_available_on_request(planner_client):
    planner_client.post(reverse("set_language"), {"language": "en", "next": "/"})
    page = planner_client.get(reverse("home")).content.decode()
    assert '<html lang="en">' in page


def test_unknown_page_is_the_apps_404_in_both_languages(planner_client):
    response = planner_client.get("/no-existe/")
    assert response.status_code == 404
    page = response.content.decode()
    assert "Página no encontrada" in page and "Volver al panel" in page
    assert "navbar" in page  # the app's layout with its menu, not Django's bare page
    planner_client.cookies["django_language"] = "en"
    english = planner_client.get("/no-existe/").content.decode()
    assert "Page not found" in english and "Página no encontrada" not in english
