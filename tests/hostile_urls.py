"""The project's URLs plus one example upload page, for the view-level
hostile-upload tests (tests/fastdso/test_hostile_uploads.py).

The example is built the way every upload of the app is: a planner-only view
hands the file to a job; the job reads it with `read_table` and writes with
a service, all in the job's transaction.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect
from django.urls import path
from django.views import View

from fastdso.files import Column, read_table
from fastdso.jobs import job_input_path, job_runner, job_start
from fastdso.roles import PlannerRequiredMixin
from fastdso.urls import urlpatterns as project_urlpatterns

EXAMPLE_KIND = "test_example_products_import"


@job_runner(EXAMPLE_KIND)
def run_example_import(job, progress) -> None:
    from inventory.services import products_upsert

    frame = read_table(
        job_input_path(job),
        [
            Column("sku", max_length=64),
            Column("product_name", required=False, max_length=255),
            Column("category", required=False, max_length=120),
        ],
        max_bytes=settings.FASTDSO_MAX_UPLOAD_MB * 1024 * 1024,
    )
    progress(50, "Escribiendo productos", rows_read=len(frame))
    result = products_upsert(frame)
    job.result = {"productos nuevos": result.created}


class ExampleUploadView(PlannerRequiredMixin, View):
    def post(self, request: HttpRequest) -> HttpResponse:
        upload = request.FILES.get("file")
        if upload is None:
            return HttpResponseBadRequest("Falta el archivo.")
        job = job_start(kind=EXAMPLE_KIND, user=request.user, upload=upload)
        return redirect("job_detail", job.pk)


urlpatterns = [
    path("__test__/example-upload/", ExampleUploadView.as_view(), name="test_example_upload"),
    *project_urlpatterns,
]
