from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from fastdso.admin_base import AuditedModelAdmin
from fastdso.models import AuditEvent, Job

admin.site.site_header = _("Administración de FastDSO")
admin.site.site_title = "FastDSO"


@admin.register(Job)
class JobAdmin(AuditedModelAdmin):
    list_display = ("id", "kind", "status", "progress", "file_name", "user", "created_at", "finished_at")
    list_filter = ("status", "kind", "created_at")
    search_fields = ("file_name", "message", "user__username")
    readonly_fields = ("created_at", "started_at", "finished_at")
    date_hierarchy = "created_at"


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ("created_at", "user", "action", "object_type", "object_repr")
    list_filter = ("action", "object_type", "created_at")
    search_fields = ("object_repr", "object_id", "user__username")
    date_hierarchy = "created_at"

    # The audit trail is append-only, even for staff.
    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False
