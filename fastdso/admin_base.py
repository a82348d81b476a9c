"""Every admin change is audited: the admin classes of all apps extend this."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.admin.options import IncorrectLookupParameters
from django.db.models import Model, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.utils.translation import gettext as _
from import_export.admin import ImportExportMixin
from tablib import Dataset

from fastdso.audit import audit_record
from fastdso.exports import neutralise
from fastdso.lifecycle import LIFECYCLE_READONLY, OPEN_STATES, state_label


class AuditedModelAdmin(admin.ModelAdmin):
    list_per_page = 50

    def log_addition(self, request: HttpRequest, obj: Model, message: Any) -> Any:
        audit_record(user=request.user, action="admin_add", obj=obj, details={"change": str(message)[:500]})
        return super().log_addition(request, obj, message)

    def log_change(self, request: HttpRequest, obj: Model, message: Any) -> Any:
        audit_record(user=request.user, action="admin_change", obj=obj, details={"change": str(message)[:500]})
        return super().log_change(request, obj, message)

    def log_deletions(self, request: HttpRequest, queryset: QuerySet | list[Model]) -> Any:
        # The bulk action passes a queryset, the one-object delete page a list.
        objects = list(queryset[:50])
        count = len(queryset) if isinstance(queryset, list) else queryset.count()
        for obj in objects:
            audit_record(user=request.user, action="admin_delete", obj=obj, details={"count": count})
        return super().log_deletions(request, queryset)


class LifecycleModelAdmin(AuditedModelAdmin):
    """Runs and plans: the lifecycle changes only through its service (buttons,
    run_status), which writes and releases the stock commitments (SPEC §5.7).

    Deleting an approved or exported one is refused, in the delete page and
    the bulk delete action alike: its units are reserved at the CD or on the
    way to the stores, and deleting the run would either leave them held by
    nothing a planner can see, or (if released) let the next run ship them
    twice. The planner cancels or closes it first (audited, releases the
    stock), then may delete it."""

    readonly_fields = LIFECYCLE_READONLY
    id_field = ""

    def get_deleted_objects(self, objs: Any, request: HttpRequest) -> tuple[Any, Any, Any, list[Any]]:
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        holding = [
            _("%(id)s está «%(state)s» y reserva stock: cancélelo o ciérrelo antes de borrarlo.")
            % {"id": getattr(obj, self.id_field), "state": state_label(obj.state)}
            for obj in objs
            if obj.state in OPEN_STATES
        ]
        return deleted, counts, perms_needed, [*protected, *holding]


class AuditedImportExportMixin(ImportExportMixin):
    """django-import-export in the admin, with the app's export rules: every
    text cell that a spreadsheet would run as a formula gets a leading
    apostrophe (the library's IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT only
    strips one leading "="), and every export is audited."""

    def get_data_for_export(self, request: HttpRequest, queryset: QuerySet, **kwargs: Any) -> Dataset:
        data = super().get_data_for_export(request, queryset, **kwargs)
        safe = Dataset(*[[neutralise(cell) for cell in row] for row in data], headers=data.headers)
        audit_record(
            user=request.user,
            action="admin_export",
            object_repr=str(self.model._meta.verbose_name_plural),
            details={"model": self.model._meta.label, "rows": len(safe)},
        )
        return safe

    def export_action(self, request: HttpRequest) -> HttpResponse:
        # The change list answers unknown filters with a redirect; the
        # library's export page would raise (a 500): refuse them instead.
        try:
            return super().export_action(request)
        except IncorrectLookupParameters:
            return HttpResponseBadRequest(_("Filtro no válido."), content_type="text/plain")
