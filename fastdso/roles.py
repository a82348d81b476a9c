"""The three roles of SPEC §10, as groups created by a data migration.

planner — upload, run, plan, export (permission `fastdso.plan`)
viewer  — read only
staff   — the Django admin (is_staff) plus everything a planner does
"""

from __future__ import annotations

from django.contrib.auth.mixins import AccessMixin
from django.http import HttpRequest

PLANNER = "planner"
VIEWER = "viewer"
STAFF = "staff"
PLAN_PERMISSION = "fastdso.plan"


def can_plan(user: object) -> bool:
    """True when the user may change data: upload, run, plan, export."""
    return bool(getattr(user, "is_authenticated", False) and user.has_perm(PLAN_PERMISSION))  # type: ignore[attr-defined]


class PlannerRequiredMixin(AccessMixin):
    """For views that change data or export it: planners and staff only (403 otherwise)."""

    raise_exception = True

    def dispatch(self, request: HttpRequest, *args: object, **kwargs: object):
        if not can_plan(request.user):
            return self.handle_no_permission()
        return super().dispatch(request, *args, **kwargs)
