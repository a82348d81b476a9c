"""Views of the shell: jobs and audit. Thin: they read and render.

The home page is the Store Health dashboard (health.views.DashboardView)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import DetailView, TemplateView
from django_filters.views import FilterView

from fastdso.files import errors_to_csv
from fastdso.filters import AuditFilter
from fastdso.forms import TransitionForm
from fastdso.jobs import job_status
from fastdso.lifecycle import CONTENT_TYPES, TransitionRefused, lifecycle_object, run_transition, state_label
from fastdso.models import AuditEvent, Job
from fastdso.roles import PlannerRequiredMixin
from fastdso.tables import AuditTable, JobTable, PagedTableMixin

ERRORS_SHOWN = 100


# Jobs the system starts by itself (health.queries.HEALTH_REFRESH_JOB): hidden
# from the job list unless asked for (?auto=1, or their kind picked).
AUTOMATIC_JOB_KINDS = ("store_health_refresh",)


class JobListView(PagedTableMixin, TemplateView):
    template_name = "fastdso/job_list.html"
    table_class = JobTable

    def get_table_data(self) -> QuerySet[Job]:
        jobs = Job.objects.select_related("user").defer("errors", "warnings", "result", "params")
        kind = self.request.GET.get("kind")
        status = self.request.GET.get("status")
        if kind:
            jobs = jobs.filter(kind=kind)
        elif self.request.GET.get("auto") != "1":
            jobs = jobs.exclude(kind__in=AUTOMATIC_JOB_KINDS)
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


def _lifecycle_object_or_404(object_id: str):  # noqa: ANN202 - a run or a plan
    try:
        obj = lifecycle_object(object_id)
    except TransitionRefused as exc:
        raise Http404(str(exc)) from exc
    if obj is None:
        raise Http404(_("No existe %(id)s.") % {"id": object_id})
    return obj


class LifecycleTransitionView(PlannerRequiredMixin, View):
    """The lifecycle buttons of run and plan pages (SPEC §5.7): POST, planners only."""

    def post(self, request: HttpRequest, object_id: str) -> HttpResponse:
        obj = _lifecycle_object_or_404(object_id)
        form = TransitionForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Acción no válida: nada cambió."))
            return redirect(obj.get_absolute_url())
        try:
            result = run_transition(
                run_id=object_id,
                action=form.cleaned_data["action"],
                user=request.user,
                export_format=form.cleaned_data.get("export_format") or "csv",
            )
        except TransitionRefused as exc:
            messages.error(request, str(exc))
        else:
            messages.success(
                request,
                _("%(id)s: %(old)s → %(new)s.")
                % {"id": object_id, "old": state_label(result.from_state), "new": state_label(result.to_state)},
            )
            if result.action == "export":  # the page downloads the file it kept (data-autodownload)
                return redirect(obj.get_absolute_url() + "?download=1")
        return redirect(obj.get_absolute_url())


class LifecycleExportView(PlannerRequiredMixin, View):
    """The file kept when the run or plan was marked exported, byte for byte."""

    def get(self, request: HttpRequest, object_id: str) -> FileResponse:
        obj = _lifecycle_object_or_404(object_id)
        if not obj.export_file:
            raise Http404(_("%(id)s no tiene un archivo exportado.") % {"id": object_id})
        fmt = obj.export_format or "csv"
        return FileResponse(
            obj.export_file.open("rb"),
            as_attachment=True,
            filename=f"{object_id}.{fmt}",
            content_type=CONTENT_TYPES.get(fmt, "application/octet-stream"),
        )


def login_locked_out(
    request: HttpRequest, credentials: dict | None = None, *args: object, **kwargs: object
) -> HttpResponse:
    """django-axes' answer to a login of a locked-out user and address (429)."""
    context = {
        "failure_limit": settings.AXES_FAILURE_LIMIT,
        "lockout_minutes": settings.FASTDSO_LOGIN_LOCKOUT_MINUTES,
    }
    return render(request, "registration/locked_out.html", context, status=429)


def client_ip_behind_proxy(request: HttpRequest) -> str:
    """The address the reverse proxy appended last to X-Forwarded-For."""
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    return forwarded.split(",")[-1].strip() or request.META.get("REMOTE_ADDR", "")
