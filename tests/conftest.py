"""Shared fixtures: role users and their clients; jobs run inline."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import Group
from django.test import Client


@pytest.fixture(autouse=True)
def _test_settings(settings, tmp_path):
    settings.FASTDSO_JOBS_SYNC = True
    # Real password hashing costs ~2 s per test that creates users.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    settings.STORAGES = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


def _user(django_user_model, username: str, group: str, *, staff: bool = False):
    user = django_user_model.objects.create_user(username=username, password="pw-" + username, is_staff=staff)
    user.groups.add(Group.objects.get(name=group))
    return user


@pytest.fixture
def planner(db, django_user_model):
    return _user(django_user_model, "ana_planner", "planner")


@pytest.fixture
def viewer(db, django_user_model):
    return _user(django_user_model, "victor_viewer", "viewer")


@pytest.fixture
def staff_user(db, django_user_model):
    return _user(django_user_model, "sofia_staff", "staff", staff=True)


@pytest.fixture
def planner_client(planner) -> Client:
    client = Client()
    client.force_login(planner)
    return client


@pytest.fixture
def viewer_client(viewer) -> Client:
    client = Client()
    client.force_login(viewer)
    return client


@pytest.fixture
def staff_client(staff_user) -> Client:
    client = Client()
    client.force_login(staff_user)
    return client


@pytest.fixture
def week():
    """Mondays by offset: week(0) is 2026-01-05."""

    def monday(offset: int) -> dt.date:
        return dt.date(2026, 1, 5) + dt.timedelta(weeks=offset)

    return monday
