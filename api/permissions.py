"""The web's roles, for the API: everyone logged in reads; only planners and
staff (`fastdso.roles.can_plan`) change anything — a viewer gets 403."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import permissions
from rest_framework.request import Request

from fastdso.roles import can_plan


class RolePermission(permissions.BasePermission):
    message = _("Solo lectura: su rol no permite cambiar datos.")

    def has_permission(self, request: Request, view: Any) -> bool:
        if not (request.user and request.user.is_authenticated):
            return False
        return request.method in permissions.SAFE_METHODS or can_plan(request.user)
