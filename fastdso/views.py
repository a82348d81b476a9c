"""Views of the shell: jobs and audit. Thin: they read and render.

The home page is the Store Health dashboard (health.views.DashboardView)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404
from django.views import View
from django.views.generic import DetailView, TemplateView
from django_filters.views import FilterView

from fastdso.files import errors_to_csv
from fastdso.filters import AuditFilter
from fastdso.jobs import job_status
from fastdso.models import AuditEvent, Job
from fastdso.tables import AuditTable, JobTable, PagedTableMixin

ERRORS_SHOWN = 100


class JobListView(PagedTableMixin, TemplateView):
    template_name = "fastdso/job_list.html"
    table_class = JobTable

    def get_table_data(self) -> QuerySet[Job]:
        jobs = Job.objects.select_related("user").defer("errors", "warnings", "result", "params")
        kind = self.request.GET.get("kind")
        status = self.request.GET.get("status")
        if kind:
            jobs = jobs.filter(kind=kind)
        if status:
            jobs = jobs.filter(status=status)
        return jobs

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["statuses"] = Job.Status.choices
        context["kinds"] = Job.objects.order_by("kind").values_list("kind", flat=True).distinct()
        return context


class JobDetailView(DetailView):
    model = Job
    template_name = "fastdso/job_detail.html"
    context_object_name = "job"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        job: Job = self.object
        context["errors_shown"] = job.errors[:ERRORS_SHOWN]
        context["status"] = status = job_status(job)
        labels = status["count_labels"]
        # The live counters are progress: once the summary is there it says the same, once.
        summary_shown = job.status == Job.Status.DONE and bool(job.result)
        counts = {} if summary_shown else (status["counts"] or {})
        context["count_rows"] = [(labels[key], value) for key, value in counts.items()]
        return context


class JobStatusView(View):
    def get(self, request: HttpRequest, pk: int) -> JsonResponse:
        return JsonResponse(job_status(get_object_or_404(Job, pk=pk)))


class JobErrorsCsvView(View):
    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        job = get_object_or_404(Job, pk=pk)
        response = HttpResponse(errors_to_csv(job.errors), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="job-{job.pk}-errores.csv"'
        return response


class AuditListView(PagedTableMixin, FilterView):
    template_name = "fastdso/audit_list.html"
    table_class = AuditTable
    filterset_class = AuditFilter
    model = AuditEvent

    def get_queryset(self) -> QuerySet[AuditEvent]:
        return AuditEvent.objects.select_related("user")
