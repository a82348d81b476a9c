"""Every admin change is audited: the admin classes of all apps extend this."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import Model, QuerySet
from django.http import HttpRequest

from fastdso.audit import audit_record


class AuditedModelAdmin(admin.ModelAdmin):
    list_per_page = 50

    def log_addition(self, request: HttpRequest, obj: Model, message: Any) -> Any:
        audit_record(user=request.user, action="admin_add", obj=obj, details={"change": str(message)[:500]})
        return super().log_addition(request, obj, message)

    def log_change(self, request: HttpRequest, obj: Model, message: Any) -> Any:
        audit_record(user=request.user, action="admin_change", obj=obj, details={"change": str(message)[:500]})
        return super().log_change(request, obj, message)

    def log_deletions(self, request: HttpRequest, queryset: QuerySet) -> Any:
        objects = list(queryset[:50])
        count = queryset.count()
        for obj in objects:
            audit_record(user=request.user, action="admin_delete", obj=obj, details={"count": count})
        return super().log_deletions(request, queryset)
