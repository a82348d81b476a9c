"""Helpers for hostile-input tests of upload views (issue 9).

    from tests.hostile import assert_upload_rejects_cleanly

    def test_my_upload_rejects_hostile_files(planner_client):
        for data in HOSTILE_FILES:
            assert_upload_rejects_cleanly(planner_client, reverse("sales:macro_upload"), data, {"mode": "add"})

`row_counts()` counts the rows of every model of our apps, so a test can
say "nothing was written" without naming the tables.
"""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from typing import Any

import openpyxl
from django.apps import apps
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import models
from django.test import Client

from fastdso.messages import render as message_text

# Bookkeeping a rejected upload may add: its failed Job row and an audit event.
BOOKKEEPING = {"fastdso.Job", "fastdso.AuditEvent"}


def our_models() -> list[type[models.Model]]:
    """Every concrete model of the project's own apps (not Django's or third parties')."""
    base = Path(settings.BASE_DIR).resolve()
    found: list[type[models.Model]] = []
    for config in apps.get_app_configs():
        if Path(config.path).resolve().is_relative_to(base):
            found.extend(m for m in config.get_models() if not m._meta.proxy and m._meta.managed)
    return found


def row_counts(*, exclude: set[str] | frozenset[str] = frozenset()) -> dict[str, int]:
    """{"app.Model": rows} for every model of our apps."""
    return {m._meta.label: m.objects.count() for m in our_models() if m._meta.label not in exclude}


def _xlsx(rows: list[list[Any]]) -> bytes:
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


# Files every upload must refuse, whatever columns it wants (the bad rows of
# a particular format — dates, quantities — belong in that app's own tests).
# For view tests that do not want the whole property-based search of
# tests/fastdso/test_hostile_files.py.
HOSTILE_FILES: dict[str, bytes] = {
    "empty": b"",
    "random-bytes": bytes(range(256)) * 4,
    "png": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00",
    "old-xls": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512,
    "truncated-xlsx": _xlsx([["sku", "quantity"], ["0001", 3]])[:300],
    "zip-not-xlsx": b"PK\x03\x04" + b"\x00" * 64,
    "only-newlines": b"\n" * 1000,
    "only-delimiters": b",,,,;;;;\t\t\n" * 50,
    "header-only": b"sku,store,date,quantity,category,product_name\n",
    "nul-bytes": b"sku,quantity\n0001\x00,3\n",
    "utf16-no-bom": "sku,quantity\n0001,3\n".encode("utf-16-le"),
    "ragged": b"sku,store,date,quantity\n1,A,2026-01-05,1,extra,extra\n",
    "ragged-1mb-cell": b"sku,store,date,quantity\n" + b"9" * 1_048_576 + b",A,2026-01-05,1,extra\n",
    "xlsx-unknown-columns": _xlsx([["foo", "bar"], [1, dt.datetime(2026, 1, 5)]]),
}


def assert_upload_rejects_cleanly(
    client: Client,
    url: str,
    file_bytes: bytes,
    form_data: dict[str, Any] | None = None,
    *,
    file_field: str = "file",
    file_name: str = "hostile.csv",
) -> Any:
    """Post `file_bytes` as an upload and assert the app refused it cleanly:
    no 5xx, no row added or removed in any table of ours (a failed Job and
    an audit event are allowed), and any job it started failed with a message.
    Jobs run inline in tests, so the job's outcome is known on return."""
    from fastdso.models import Job

    before = row_counts(exclude=BOOKKEEPING)
    last_job = Job.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    upload = SimpleUploadedFile(file_name, file_bytes, content_type="application/octet-stream")
    response = client.post(url, {**(form_data or {}), file_field: upload})
    assert response.status_code < 500, f"{url} answered {response.status_code} to a hostile file"
    after = row_counts(exclude=BOOKKEEPING)
    changed = {label: (before[label], after[label]) for label in before if before[label] != after[label]}
    assert not changed, f"{url} wrote rows for a hostile file: {changed}"
    for job in Job.objects.filter(pk__gt=last_job):
        assert job.status == Job.Status.FAILED, f"job {job.pk} ({job.kind}) ended {job.status} for a hostile file"
        assert message_text(job.message).strip(), f"job {job.pk} failed without a message"
    return response
