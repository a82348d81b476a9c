"""Staff cannot make the worker read server files (issue 33 §5): jobs are
read-only in the admin for everyone, and a job reads only the upload it
stored itself (or, inline, the file its management command named)."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from fastdso.jobs import JobFileRefused, job_execute, job_input_path, job_start
from fastdso.messages import render as message_text
from fastdso.models import Job
from sales.models import SalesWeeklyAgg

SECRET = "root:x:0:0:secreto-del-servidor:/root:/bin/bash\n"
GOOD = b"sku,store,date,quantity\n00012345,Tienda Centro 001,2026-01-05,3\n"


@pytest.fixture
def server_file(tmp_path) -> Path:
    path = tmp_path / "passwd"
    path.write_text(SECRET * 3)
    return path


@pytest.mark.parametrize("client_name", ["staff_client", "admin_client"])
def test_jobs_cannot_be_added_or_changed_in_the_admin(request, client_name, planner, server_file):
    client = request.getfixturevalue(client_name)
    job = job_start(kind="macro_sales_import", user=planner, path=server_file, sync=True)
    add = reverse("admin:fastdso_job_add")
    assert client.get(add).status_code == 403
    response = client.post(
        add, {"kind": "macro_sales_import", "status": "queued", "params": f'{{"path": "{server_file}"}}'}
    )
    assert response.status_code == 403
    change = reverse("admin:fastdso_job_change", args=[job.pk])
    response = client.post(change, {"kind": "macro_sales_import", "status": "queued", "params": "{}"})
    assert response.status_code == 403
    assert client.post(reverse("admin:fastdso_job_delete", args=[job.pk]), {"post": "yes"}).status_code == 403
    assert client.get(change).status_code == 200  # still readable
    assert list(Job.objects.values_list("pk", "status")) == [(job.pk, job.status)]


def test_a_path_in_a_jobs_params_is_never_read_by_the_worker(db, planner, server_file):
    """The probe's job: params={"path": "/etc/passwd"} run by the worker. It
    fails saying it has no file of its own; no line of the file shows."""
    job = Job.objects.create(kind="macro_sales_import", user=planner, params={"path": str(server_file)})
    job_execute(job.pk)
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED
    assert "archivo propio" in message_text(job.message)
    assert "secreto" not in str(job.errors) and "secreto" not in message_text(job.message) and job.error_count == 0
    with pytest.raises(JobFileRefused):
        job_input_path(job)


@pytest.mark.parametrize(
    "name",
    ["/etc/passwd", "../../etc/passwd", "uploads/../../passwd", "otra/carpeta/ventas.csv", "uploads//ventas.csv"],
)
def test_a_stored_name_outside_the_uploads_folder_is_refused(db, planner, name):
    job = Job.objects.create(kind="macro_sales_import", user=planner, file=name, file_name="ventas.csv")
    with pytest.raises(JobFileRefused):
        job_input_path(job)
    job_execute(job.pk)
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED and "no guardó ella misma" in message_text(job.message)


def test_another_jobs_upload_is_refused(db, planner):
    first = Job.objects.create(kind="macro_sales_import", user=planner, status=Job.Status.DONE, file_name="a.csv")
    first.file.save("ventas.csv", ContentFile(GOOD), save=True)
    assert job_input_path(first).read_bytes() == GOOD  # its own upload: read
    second = Job.objects.create(kind="macro_sales_import", user=planner, file=first.file.name, file_name="b.csv")
    with pytest.raises(JobFileRefused):
        job_input_path(second)


def test_a_command_still_reads_the_file_it_names(db, tmp_path):
    path = tmp_path / "ventas.csv"
    path.write_bytes(GOOD)
    job = job_start(kind="macro_sales_import", path=path, sync=True)
    assert job.status == Job.Status.DONE, message_text(job.message)
    assert SalesWeeklyAgg.objects.get().units == 3
    assert job.params["path"] == str(path)  # kept as a record; a worker never opens it
    # Queued for a worker instead: the file is stored like an upload, and read from there.
    queued = job_start(kind="macro_sales_import", path=path, sync=False)
    assert queued.file.name.startswith("uploads/") and job_input_path(queued).read_bytes() == GOOD
