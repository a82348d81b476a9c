"""Shared fixtures: role users and their clients; jobs run inline."""

from __future__ import annotations

import datetime as dt
import os
from typing import Any

import pytest
from django.contrib.auth.models import Group, Permission
from django.test import Client
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

# Property-based tests: `ci` (the default) keeps each one to a few hundred
# examples; HYPOTHESIS_PROFILE=thorough runs thousands.
_HYPOTHESIS_COMMON: dict[str, Any] = {
    "deadline": None,
    "print_blob": True,
    "suppress_health_check": [HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example],
}
hypothesis_settings.register_profile("ci", max_examples=300, **_HYPOTHESIS_COMMON)
hypothesis_settings.register_profile("thorough", max_examples=5000, **_HYPOTHESIS_COMMON)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


@pytest.fixture(autouse=True)
def _test_settings(settings, tmp_path):
    settings.FASTDSO_JOBS_SYNC = True
    # Real password hashing costs ~2 s per test that creates users.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = tmp_path / "media"
    if not settings.REDIS_URL:
        settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    # Each test starts with an empty cache. In the Redis leg of scripts/test.sh
    # (REDIS_URL set) the job tests run on the real cache (progress), in a
    # Redis DB of the suite's own.
    from django.core.cache import cache

    cache.clear()
    settings.STORAGES = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "uploads": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "media")},
        },
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    yield
    # A request in English (a test client's cookie) leaves the thread's
    # language active; the next test would read English text where it expects
    # the base language.
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)


def _role_group(name: str) -> Group:
    """The role's group. A transactional test (live server, faults) flushes the
    tables, and with them the groups the roles migration created: recreate
    them here the way that migration does."""
    group = Group.objects.filter(name=name).first()
    if group is not None:
        return group
    from importlib import import_module

    our_apps = import_module("fastdso.migrations.0002_roles").OUR_APPS
    group = Group.objects.create(name=name)
    if name == "planner":
        group.permissions.add(Permission.objects.get(content_type__app_label="fastdso", codename="plan"))
    elif name == "staff":
        group.permissions.add(*Permission.objects.filter(content_type__app_label__in=our_apps))
    return group


def _user(django_user_model, username: str, group: str, *, staff: bool = False):
    user = django_user_model.objects.create_user(username=username, password="pw-" + username, is_staff=staff)
    user.groups.add(_role_group(group))
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


@pytest.fixture
def denormalised_copies_agree(request):
    """After the test: every weekly row's category equals its product's, and
    the kept category summary equals a fresh group-by of the weekly rows over
    the window it claims to hold (SPEC §2, §5.3). Used by the suites that
    write categories: macro uploads, product imports, category sync."""
    # The test's database fixture first, so that this check runs before its rollback.
    database = next((f for f in ("transactional_db", "db") if f in request.fixturenames), None)
    if database is None:
        yield
        return
    request.getfixturevalue(database)
    yield
    from sales.queries import weekly_category_mismatches
    from sales.summary import summary_mismatches

    assert weekly_category_mismatches() == 0, "weekly rows whose category differs from their product's"
    assert summary_mismatches() == 0, "kept category summary rows that differ from the weekly rows"
