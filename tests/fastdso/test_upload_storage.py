"""Uploads go through the "uploads" storage (any worker host reads them) and
leave it when their job ends, unless FASTDSO_KEEP_UPLOADS keeps them."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import Storage, storages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from fastdso.jobs import job_input_path
from fastdso.messages import render as message_text
from fastdso.models import Job
from sales.models import SalesWeeklyAgg

GOOD = b"sku,store,date,quantity\n00012345,Tienda Centro 001,2026-01-05,3\n00012345,Tienda Centro 001,2026-01-06,4\n"
BAD = b"sku,store,date,quantity\n00012345,Tienda Centro 001,2026-02-30,3\n"


class RemoteStubStorage(Storage):
    """Stands for an S3-compatible bucket: objects by name, no local paths
    (path() raises, as S3Storage's does). Records the names it opened, so a
    test sees the job read through the storage API."""

    objects: dict[str, bytes] = {}
    opened: list[str] = []

    def _open(self, name, mode="rb"):
        type(self).opened.append(name)
        return ContentFile(self.objects[name], name=name)

    def _save(self, name, content):
        self.objects[name] = b"".join(content.chunks())
        return name

    def delete(self, name):
        self.objects.pop(name, None)

    def exists(self, name):
        return name in self.objects

    def size(self, name):
        return len(self.objects[name])


def _post(client, content: bytes = GOOD) -> Job:
    response = client.post(
        reverse("sales:macro_upload"),
        {"file": SimpleUploadedFile("ventas.csv", content, content_type="text/csv"), "mode": "replace_range"},
    )
    assert response.status_code == 302
    return Job.objects.get()


@pytest.fixture
def stub_storage(settings):
    settings.STORAGES = {**settings.STORAGES, "uploads": {"BACKEND": f"{__name__}.RemoteStubStorage"}}
    RemoteStubStorage.opened = []
    RemoteStubStorage.objects = {}
    return storages["uploads"]


def test_web_upload_is_read_from_local_storage_then_deleted(planner_client, settings, tmp_path):
    job = _post(planner_client)
    assert job.status == Job.Status.DONE
    assert SalesWeeklyAgg.objects.get().units == 7
    assert job.file.name == ""  # gone from the storage; the row keeps the rest
    assert job.file_name == "ventas.csv"
    assert not [p for p in (tmp_path / "media").rglob("*") if p.is_file()]


def test_keep_uploads_keeps_the_stored_file(planner_client, settings, tmp_path):
    settings.FASTDSO_KEEP_UPLOADS = True
    job = _post(planner_client)
    assert job.status == Job.Status.DONE
    assert job.file.name.startswith("uploads/")
    stored = tmp_path / "media" / job.file.name
    assert stored.read_bytes() == GOOD


def test_a_failed_job_deletes_its_upload_too(planner_client, tmp_path):
    job = _post(planner_client, BAD)
    assert job.status == Job.Status.FAILED and job.error_count == 1
    assert job.file.name == ""
    assert not [p for p in (tmp_path / "media").rglob("*") if p.is_file()]


def test_remote_storage_upload_is_read_through_the_storage_api(planner_client, stub_storage, settings):
    job = _post(planner_client)
    assert job.status == Job.Status.DONE, message_text(job.message)
    assert SalesWeeklyAgg.objects.get().units == 7
    assert len(RemoteStubStorage.opened) == 1 and RemoteStubStorage.opened[0].startswith("uploads/")
    assert not stub_storage.exists(RemoteStubStorage.opened[0])  # deleted when the job ended
    assert not list((Path(settings.VAR_DIR) / "job-inputs").glob(f"job-{job.pk}*"))  # local copy gone


def test_remote_storage_kept_upload_stays_in_the_bucket(planner_client, stub_storage, settings):
    settings.FASTDSO_KEEP_UPLOADS = True
    job = _post(planner_client)
    assert job.status == Job.Status.DONE
    assert stub_storage.open(job.file.name).read() == GOOD
    assert not list((Path(settings.VAR_DIR) / "job-inputs").glob(f"job-{job.pk}*"))


def test_queued_upload_sits_in_the_storage_until_a_worker_reads_it(planner_client, stub_storage, settings):
    """A web process only saves the file; the worker (here: this process,
    later) reads it back through the storage to a local path."""
    settings.FASTDSO_JOBS_SYNC = False
    job = _post(planner_client)
    assert job.status == Job.Status.QUEUED
    assert stub_storage.open(job.file.name).read() == GOOD
    assert job_input_path(job).read_bytes() == GOOD


def test_a_job_failed_by_the_watchdog_leaves_no_upload_behind(
    planner, stub_storage, django_capture_on_commit_callbacks
):
    """A dead worker's job is never re-run (a planner re-submits it): its input goes, local copy included."""
    from fastdso.jobs import jobs_fail_stalled

    job = Job.objects.create(
        kind="macro_sales_import",
        user=planner,
        status=Job.Status.RUNNING,
        attempt="a" * 32,
        worker="otra-maquina:1",
        file_name="ventas.csv",
    )
    job.file.save("ventas.csv", ContentFile(GOOD), save=True)
    local = job_input_path(job)  # the worker had copied it from the bucket
    assert local.exists() and stub_storage.exists(job.file.name)
    with django_capture_on_commit_callbacks(execute=True):
        assert jobs_fail_stalled(dead_workers={"otra-maquina:1"}) == [job.pk]
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED
    assert RemoteStubStorage.objects == {} and not local.exists()
    assert job.file.name == "" and job.file_name == "ventas.csv"
