"""One helper records every audited action (SPEC §8)."""

from __future__ import annotations

from typing import Any

from django.db import models

from fastdso.models import AuditEvent


def audit_record(
    *,
    user: Any,
    action: str,
    obj: models.Model | None = None,
    details: dict[str, Any] | None = None,
    object_repr: str = "",
    object_url: str = "",
) -> AuditEvent:
    """Record that `user` did `action` (upload, run, plan, export, admin_change…) to `obj`."""
    if obj is not None:
        object_type = obj._meta.label
        object_id = str(obj.pk)
        object_repr = object_repr or str(obj)[:300]
        if not object_url and hasattr(obj, "get_absolute_url"):
            try:
                object_url = obj.get_absolute_url()
            except Exception:  # noqa: BLE001 - a missing URL must not lose the event
                object_url = ""
    else:
        object_type = object_id = ""
    return AuditEvent.objects.create(
        user=user if getattr(user, "is_authenticated", False) else None,
        action=action,
        object_type=object_type,
        object_id=object_id,
        object_repr=object_repr[:300],
        object_url=object_url[:300],
        details=details or {},
    )
