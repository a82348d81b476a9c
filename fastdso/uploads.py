"""The upload platform (SPEC §9, CONVENTIONS §15): every file upload — the
web page, the management command, the API endpoint and the background job —
is read from one declaration, an `UploadKind`, that the app owning the data
registers in its `jobs.py` (found at start-up like every job runner):

    upload_register(UploadKind(
        kind="promotion_import", service=promotions_import, rows_written=lambda r: r.created,
        form=PromotionUploadForm, title=_("Carga de promociones"), template="sales/promotion_upload.html",
        params=lambda job: {"replace_range": bool(job.params.get("replace_range"))},
        api_name="promotions", api_serializer="PromotionsUpload", api_summary="Upload the promotions calendar",
    ))

The service is `service(*, path, user, progress, file_name, job, max_bytes, **params)`
and returns a result with `summary()`, `rows_read` and `category_warnings`;
it ends with `upload_finish` (audit + last progress stage). The job runner
(`file_import_run`) records the result on the job.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
from django import forms
from django.conf import settings
from django.http import HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.views.generic import FormView

from fastdso.audit import audit_record, job_url
from fastdso.files import RowError
from fastdso.forms import UploadFileField, submit_token
from fastdso.jobs import JobInputError, JobProgress, file_import_run, job_max_bytes, job_runner, job_start
from fastdso.messages import Message, msg
from fastdso.models import Job
from fastdso.roles import PlannerRequiredMixin


class UploadForm(forms.Form):
    """A CSV/XLSX file, refused before parsing when it is over the size limit."""

    file = UploadFileField(
        label=_("Archivo (CSV o XLSX)"),
        widget=forms.ClearableFileInput(attrs={"class": "form-control", "accept": ".csv,.xlsx,.txt"}),
    )

    def job_params(self) -> dict[str, Any]:
        """What the job needs besides the file."""
        return {}


def _no_params(_job: Job) -> dict[str, Any]:
    return {}


@dataclass(frozen=True)
class UploadKind:
    """One upload type, declared once by the app that owns its data."""

    kind: str  # the job kind ("macro_sales_import")
    service: Callable[..., Any]  # the import service (one transaction)
    rows_written: Callable[[Any], int]  # the job's rows_written count, from the service's result
    form: type[UploadForm] = UploadForm  # the web page's and the API's parameters
    params: Callable[[Job], dict[str, Any]] = field(default=_no_params)  # job params → service keywords
    title: Promise | str = ""  # the web page's title
    template: str = ""  # the web page (its guide to the columns)
    api_name: str = ""  # /api/v1/uploads/<api_name>/ ("" = no endpoint)
    api_serializer: str = ""  # the OpenAPI component's name (kinds with one form may share it)
    api_summary: str = ""
    api_form: type[UploadForm] | None = None  # the API's parameters when not the page's (default: `form`)
    api_renames: dict[str, str] = field(default_factory=dict)  # form field → API field

    def run(self, job: Job, progress: JobProgress) -> None:
        """The background job: the service on the job's file, its outcome recorded on the job."""
        file_import_run(
            job,
            progress,
            self.service,
            rows_written=self.rows_written,
            **self.params(job),
            max_bytes=job_max_bytes(job),
        )


_KINDS: dict[str, UploadKind] = {}


def upload_register(upload: UploadKind) -> UploadKind:
    """Declare an upload type (in the owning app's `jobs.py`); its job runs `upload.run`."""
    _KINDS[upload.kind] = upload
    job_runner(upload.kind)(upload.run)
    return upload


def upload_kind(kind: str) -> UploadKind:
    return _KINDS[kind]


def upload_kinds() -> list[UploadKind]:
    """Every registered upload type, in registration order (apps in INSTALLED_APPS order)."""
    return list(_KINDS.values())


def upload_finish(
    *,
    user: Any,
    job: Any,
    progress: Callable[..., None],
    details: dict[str, Any],
    rows_read: int,
    rows_written: int,
    object_repr: str | Message = "",
    obj: Any = None,
) -> None:
    """The end of every import service, inside its transaction: the audit
    event (linked to the job's page) and the last progress stage."""
    audit_record(user=user, action="upload", obj=obj, object_repr=object_repr, object_url=job_url(job), details=details)
    progress(100, "stage.done", rows_read=rows_read, rows_written=rows_written)


def text_length_errors(frame: pd.DataFrame, limits: dict[str, int], limit: int = 100_000) -> tuple[list[RowError], int]:
    """Rows whose text in one of `limits`' columns is longer than the database
    keeps (column → max_length), the first `limit` of them, and how many in all."""
    errors: list[RowError] = []
    total = 0
    for column, max_length in limits.items():
        if column not in frame.columns:
            continue
        too_long = frame[column].fillna("").astype(str).str.len() > max_length
        count = int(too_long.sum())
        total += count
        for row, value in frame.loc[too_long, column].head(max(limit - len(errors), 0)).items():
            errors.append(RowError(int(row), column, str(value)[:200], msg("files.too_long", n=max_length)))
    return errors, total


def text_lengths_check(frame: pd.DataFrame, limits: dict[str, int]) -> None:
    """Refuse the whole file when any text is too long for its column."""
    errors, total = text_length_errors(frame, limits)
    if total:
        raise JobInputError(msg("files.refused", n=total), errors, total_errors=total)


class UploadJobView(PlannerRequiredMixin, FormView):
    """Planner-only upload page: the file goes to a background job; the
    response is the job's page, which shows live progress and the summary.
    Form, title and template come from the kind's declaration."""

    job_kind = ""

    @property
    def upload(self) -> UploadKind:
        return upload_kind(self.job_kind)

    def get_form_class(self) -> type[UploadForm]:
        return self.upload.form

    def get_template_names(self) -> list[str]:
        return [self.template_name or self.upload.template]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["title"] = self.upload.title
        context["max_upload_mb"] = settings.FASTDSO_MAX_UPLOAD_MB
        context["recent_jobs"] = (
            Job.objects.filter(kind=self.job_kind)
            .select_related("user")
            .only("id", "kind", "status", "file_name", "created_at", "user__username")[:5]
        )
        return context

    def form_valid(self, form: UploadForm) -> HttpResponse:
        job = job_start(
            kind=self.job_kind,
            user=self.request.user,
            params=form.job_params(),
            upload=form.cleaned_data["file"],
            submit_token=submit_token(self.request.POST),
        )
        return HttpResponseRedirect(reverse("job_detail", args=[job.pk]))


def upload_view(kind: str) -> Callable[..., HttpResponse]:
    """The web page of an upload type (urls.py)."""
    return UploadJobView.as_view(job_kind=kind)
