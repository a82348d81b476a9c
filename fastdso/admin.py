from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.models import Group, User
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from fastdso.admin_base import AuditedModelAdmin
from fastdso.models import AuditEvent, Job

admin.site.site_header = _("Administración de FastDSO")
admin.site.site_title = "FastDSO"


@admin.register(Job)
class JobAdmin(AuditedModelAdmin):
    """Read-only for everyone, superusers included (issue 33 §5): a job is
    created only by `job_start` (a form, the API, a command) and changed only
    by its runner. A job written here could name any file for the worker."""

    list_display = ("id", "kind", "status", "progress", "file_name", "user", "created_at", "finished_at")
    list_filter = ("status", "kind", "created_at")
    search_fields = ("file_name", "message", "user__username")
    date_hierarchy = "created_at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ("created_at", "user", "action", "object_type", "object_repr")
    list_filter = ("action", "object_type", "created_at")
    search_fields = ("object_repr", "object_id", "user__username")
    date_hierarchy = "created_at"

    # The audit trail is append-only, even for staff.
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class SuperuserOnlyAdmin(AuditedModelAdmin):
    """Users, groups and permissions: only superusers see or change them, whatever
    permissions a staff user holds (a staff user must not grant itself more), and
    every change is audited."""

    def has_module_permission(self, request: HttpRequest) -> bool:
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.is_active and request.user.is_superuser

    has_add_permission = has_module_permission

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.is_active and request.user.is_superuser

    has_delete_permission = has_change_permission


admin.site.unregister(User)
admin.site.unregister(Group)


@admin.register(User)
class AuditedUserAdmin(SuperuserOnlyAdmin, UserAdmin):
    pass


@admin.register(Group)
class AuditedGroupAdmin(SuperuserOnlyAdmin, GroupAdmin):
    pass
