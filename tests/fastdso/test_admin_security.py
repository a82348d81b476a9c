"""The admin closed off (issue 13): staff cannot escalate, user and group
changes are audited, admin exports neutralise formulas and are audited, and
the job error report neutralises uploaded formulas."""

from __future__ import annotations

import csv
import io

import pytest
from django.contrib.auth.models import Group, Permission, User
from django.test import Client
from django.urls import reverse

from fastdso.files import RowError
from fastdso.jobs import JobInputError, job_runner, job_start
from fastdso.models import AuditEvent
from inventory.models import Product, Store

ADMIN_AUTH_URLS = [
    "admin:auth_user_changelist",
    "admin:auth_user_add",
    "admin:auth_group_changelist",
    "admin:auth_group_add",
]


@pytest.fixture
def superuser_client(db, django_user_model) -> Client:
    boss = django_user_model.objects.create_superuser("root_admin", password="pw-root")
    client = Client()
    client.force_login(boss)
    return client


@pytest.mark.parametrize("name", ADMIN_AUTH_URLS)
def test_staff_cannot_open_user_or_group_admin(staff_client, name):
    assert staff_client.get(reverse(name)).status_code == 403


def test_staff_cannot_make_itself_superuser(staff_client, staff_user):
    url = reverse("admin:auth_user_change", args=[staff_user.pk])
    assert staff_client.get(url).status_code == 403
    response = staff_client.post(
        url,
        {
            "username": staff_user.username,
            "is_active": "on",
            "is_staff": "on",
            "is_superuser": "on",
            "date_joined_0": "2026-01-01",
            "date_joined_1": "00:00:00",
        },
    )
    assert response.status_code == 403
    staff_user.refresh_from_db()
    assert not staff_user.is_superuser
    # Nor give its group every permission.
    group = Group.objects.get(name="staff")
    response = staff_client.post(
        reverse("admin:auth_group_change", args=[group.pk]),
        {"name": "staff", "permissions": list(Permission.objects.values_list("pk", flat=True))},
    )
    assert response.status_code == 403
    assert not group.permissions.filter(content_type__app_label="auth").exists()
    assert not staff_user.has_perm("auth.change_user")


def test_staff_still_manage_the_apps_data(staff_client):
    assert staff_client.get(reverse("admin:inventory_product_changelist")).status_code == 200
    assert "auth/user" not in staff_client.get(reverse("admin:index")).content.decode()


def test_superuser_manages_users_and_the_changes_are_audited(superuser_client, planner):
    url = reverse("admin:auth_user_change", args=[planner.pk])
    assert superuser_client.get(url).status_code == 200
    response = superuser_client.post(
        url,
        {
            "username": planner.username,
            "is_active": "on",
            "is_staff": "on",
            "groups": [Group.objects.get(name="planner").pk],
            "date_joined_0": "2026-01-01",
            "date_joined_1": "00:00:00",
        },
    )
    assert response.status_code == 302
    planner.refresh_from_db()
    assert planner.is_staff
    event = AuditEvent.objects.get(action="admin_change", object_type="auth.User")
    assert event.object_id == str(planner.pk) and event.user.username == "root_admin"
    response = superuser_client.post(reverse("admin:auth_group_add"), {"name": "auditores"})
    assert response.status_code == 302
    assert AuditEvent.objects.filter(action="admin_add", object_type="auth.Group").count() == 1


def test_admin_export_neutralises_formulas_and_is_audited(staff_client, staff_user):
    Store.objects.create(name='=HYPERLINK("http://evil.example","x")', code="+1")
    Store.objects.create(name="@SUM(A1)", code="T2")
    url = reverse("admin:inventory_store_export")
    form = {"format": "0", "resource": "0", "storeresource_name": "on", "storeresource_code": "on"}
    response = staff_client.post(url, form)
    assert response.status_code == 200, response.content[:500]
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    cells = [cell for row in rows[1:] for cell in row]
    assert '\'=HYPERLINK("http://evil.example","x")' in cells and "'@SUM(A1)" in cells and "'+1" in cells
    assert not any(cell.startswith(("=", "+", "-", "@")) for cell in cells)
    event = AuditEvent.objects.get(action="admin_export")
    assert event.user == staff_user and event.details == {"model": "inventory.Store", "rows": 2}


@job_runner("test_formula_errors")
def _formula_errors(job, progress):
    Product.objects.create(sku="0009")
    raise JobInputError(
        "archivo inválido",
        [
            RowError(2, "date", '=HYPERLINK("http://evil.example","clic")', "fecha inválida"),
            RowError(3, "sku", "-1+1", "x"),
        ],
    )


def test_errors_csv_neutralises_uploaded_formulas(planner, viewer_client):
    job = job_start(kind="test_formula_errors", user=planner, sync=True)
    text = viewer_client.get(reverse("job_errors_csv", args=[job.pk])).content.decode()
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[1] == ["2", "date", '\'=HYPERLINK("http://evil.example","clic")', "fecha inválida"]
    assert rows[2] == ["3", "sku", "'-1+1", "x"]


def test_no_staff_group_holds_auth_permissions_after_migrations(db):
    # The roles migration and its fix leave the staff group without auth.*.
    group = Group.objects.filter(name="staff").first()
    assert group is not None
    assert group.permissions.exists()
    assert not group.permissions.filter(content_type__app_label="auth").exists()
    assert User.objects.count() == 0
