"""One helper records every audited action (SPEC §8)."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.urls import NoReverseMatch, reverse

from fastdso.messages import Message, render
from fastdso.models import AuditEvent


def audit_record(
    *,
    user: Any,
    action: str,
    obj: models.Model | None = None,
    details: dict[str, Any] | None = None,
    object_repr: str | Message = "",
    object_url: str = "",
) -> AuditEvent:
    """Record that `user` did `action` (upload, run, plan, export, admin_change…) to `obj`.

    `object_repr` is a name (a file, a run id) or a message naming the object
    ("Despachos: <file>"), shown in the viewer's language; `details` holds
    codes, numbers and messages (fastdso.messages), never phrases."""
    object_label: dict[str, Any] = {}
    if isinstance(object_repr, Message):
        object_label = object_repr.as_json()
        object_repr = render(object_repr, "es")
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
        details={k: v.as_json() if isinstance(v, Message) else v for k, v in (details or {}).items()},
        object_label=object_label,
    )


def job_url(job: Any) -> str:
    """The page of the job an action ran in ("" outside a job)."""
    return reverse("job_detail", args=[job.pk]) if job is not None and job.pk else ""


def audit_object_url(event: AuditEvent, user: Any = None) -> str:
    """Where an event's object can be seen: the URL recorded with it; else a
    job's page; else, for staff, the object's admin page (not for deletions)."""
    if event.object_url:
        return event.object_url
    if not event.object_type or not event.object_id:
        return ""
    if event.object_type == "fastdso.Job":
        return reverse("job_detail", args=[event.object_id])
    if event.action != "admin_delete" and getattr(user, "is_staff", False) and "." in event.object_type:
        app_label, model = event.object_type.lower().split(".", 1)
        try:
            return reverse(f"admin:{app_label}_{model}_change", args=[event.object_id])
        except NoReverseMatch:
            return ""
    return ""
