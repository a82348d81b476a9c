"""Run and plan lifecycle (SPEC §5.7): one state machine, one entry point.

    result = run_transition(run_id="DR-20261129-0003", action="approve", user=request.user)

States: draft → approved → exported → shipped → closed (exported may close
directly); cancelled from draft or approved. An approved, exported or shipped
run/plan holds stock (its commitments, in `inventory`) until its lines ship
(SPEC v3 §5.7); close and cancel release what never shipped. Marking shipped
confirms every unit not yet confirmed, shipped today (a shipment file,
`import_shipments`, confirms lines one by one). Marking exported keeps the file
that was sent, byte for byte. Every change is audited (action "lifecycle",
with from → to).

Core imports no feature app, so each planner registers its kind at start-up
(its AppConfig.ready) with what is its own: how to find it, how to write and
release its stock commitments, how to build its export. Distribution runs
are `DR-…`, transfer plans `TP-…`; the web page, the command `run_status`
and the API all call `run_transition`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.core.files.base import ContentFile
from django.db import models, transaction
from django.utils import timezone

from fastdso.audit import audit_record
from fastdso.messages import Message, msg, render
from fastdso.models import AuditEvent, Lifecycle, LifeState

APPROVE, EXPORT, SHIP, CLOSE, CANCEL = "approve", "export", "ship", "close", "cancel"
ACTIONS = (APPROVE, EXPORT, SHIP, CLOSE, CANCEL)
# action → (states it may start from, state it leads to)
# (The states' values: str() of a choice is its value.)
DRAFT, APPROVED, EXPORTED = str(LifeState.DRAFT), str(LifeState.APPROVED), str(LifeState.EXPORTED)
SHIPPED, CLOSED, CANCELLED = str(LifeState.SHIPPED), str(LifeState.CLOSED), str(LifeState.CANCELLED)
TRANSITIONS: dict[str, tuple[tuple[str, ...], str]] = {
    APPROVE: ((DRAFT,), APPROVED),
    EXPORT: ((APPROVED,), EXPORTED),
    # From shipped too: a run shipped in part (a shipment file) ships the rest.
    SHIP: ((EXPORTED, SHIPPED), SHIPPED),
    CLOSE: ((EXPORTED, SHIPPED), CLOSED),
    CANCEL: ((DRAFT, APPROVED), CANCELLED),
}
TIMESTAMP = {
    APPROVE: "approved_at",
    EXPORT: "exported_at",
    SHIP: "shipped_at",
    CLOSE: "closed_at",
    CANCEL: "cancelled_at",
}
OPEN_STATES = (LifeState.APPROVED, LifeState.EXPORTED, LifeState.SHIPPED)  # they hold stock
EXPORT_FORMATS = ("csv", "xlsx")
AUDIT_ACTION = "lifecycle"
LIFECYCLE_READONLY = (
    "state",
    "approved_at",
    "exported_at",
    "shipped_at",
    "closed_at",
    "cancelled_at",
    "export_file",
    "export_format",
    "export_sha256",
)
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


class TransitionRefused(ValueError):
    """A change that cannot be made; nothing was changed. It carries a
    message (`.message`: a code of a catalogue and its parameters), rendered
    in the active language when shown (`str(exc)`): a page, the API and a
    command each show it in their reader's language."""

    def __init__(self, code: str | Message, /, **params: Any) -> None:
        self.message = code if isinstance(code, Message) else Message(code, params)
        super().__init__(self.message.code)

    @property
    def code(self) -> str:
        return self.message.code

    def __str__(self) -> str:
        return render(self.message)


def action_label(action: str) -> str:
    return render(_action(action))


def _action(action: str) -> Message | str:
    """An action as a message parameter: its catalogue label (an unknown one as it is)."""
    return msg(f"lifecycle.action.{action}") if action in TRANSITIONS else action


def state_label(state: str) -> str:
    return str(dict(LifeState.choices).get(state, state))


def next_state(current: str, action: str, *, object_id: str = "") -> str:
    """The state `action` leads to from `current`, or TransitionRefused saying why not."""
    if action not in TRANSITIONS:
        raise TransitionRefused("lifecycle.unknown_action", action=action)
    allowed, target = TRANSITIONS[action]
    if current not in allowed:
        code = "lifecycle.refused_from_one" if len(allowed) == 1 else "lifecycle.refused_from_two"
        raise TransitionRefused(
            code, action=_action(action), id=object_id, state=current, allowed=allowed[0], other=allowed[-1]
        )
    return target


def allowed_actions(state: str) -> list[str]:
    """The actions a page offers for an object in `state`."""
    return [action for action, (allowed, _target) in TRANSITIONS.items() if state in allowed]


@dataclass(frozen=True)
class PlanKind:
    """What the lifecycle needs from one planner (registered in its AppConfig.ready)."""

    prefix: str  # "DR-" / "TP-"
    model: type[Lifecycle]
    id_field: str  # "run_id" / "plan_id"
    approve: Callable[[Any, dt.datetime], dict[str, Any]]  # write commitments; may raise TransitionRefused
    release: Callable[[Any, dt.datetime], int]  # release commitments; units released
    export: Callable[[Any, str], bytes]  # the export file's bytes in a format
    # Why it cannot change yet (a Message; None = ready).
    not_ready: Callable[[Any], Message | None] = field(default=lambda _obj: None)
    # What its lines hold (cd, stores frames, as `approve` writes them): clear_demo
    # rewrites a real run's commitments with it after removing its demo lines.
    commitments: Callable[[Any], tuple[Any, Any]] = field(default=lambda _obj: (None, None))
    # SPEC v3 §5.7: note the export date on the commitments (the pick-days rule)…
    exported: Callable[[Any, dt.datetime], None] = field(default=lambda _obj, _now: None)
    # …confirm every unit not yet shipped as shipped today (may raise TransitionRefused)…
    ship: Callable[[Any, dt.datetime], dict[str, Any]] = field(default=lambda _obj, _now: {})
    # …and the lines a shipment or receipt file may name:
    # DataFrame[product_id, origin_id (NA: the CD), store_id, units].
    lines: Callable[[Any], Any] = field(default=lambda _obj: None)


_KINDS: dict[str, PlanKind] = {}


def lifecycle_register(kind: PlanKind) -> None:
    _KINDS[kind.prefix] = kind


def lifecycle_kinds() -> list[PlanKind]:
    """Every registered kind (runs, plans)."""
    return list(_KINDS.values())


def _kind_for(object_id: str) -> PlanKind:
    for prefix, kind in _KINDS.items():
        if object_id.startswith(prefix):
            return kind
    raise TransitionRefused("lifecycle.not_an_id", id=object_id[:60])


def lifecycle_object(object_id: str) -> Lifecycle | None:
    """The run or plan with this id (None if it does not exist)."""
    kind = _kind_for(object_id)
    return kind.model.objects.filter(**{kind.id_field: object_id}).first()


@dataclass
class TransitionResult:
    object_id: str
    action: str
    from_state: str
    to_state: str
    obj: Lifecycle
    details: dict[str, Any]


def run_transition(*, run_id: str, action: str, user: Any = None, export_format: str = "csv") -> TransitionResult:
    """Apply `action` (approve | export | close | cancel) to the run or plan `run_id`.

    One transaction, the object's row locked: an illegal change, a run that is
    not ready, or stock no longer free raise TransitionRefused and change
    nothing. `export_format` (csv | xlsx) is the file kept when marking exported.
    """
    run_id = (run_id or "").strip()
    kind = _kind_for(run_id)
    if action == EXPORT and export_format not in EXPORT_FORMATS:
        raise TransitionRefused("lifecycle.unknown_format", fmt=export_format)
    saved_file = ""
    try:
        with transaction.atomic():
            obj = kind.model.objects.select_for_update().filter(**{kind.id_field: run_id}).first()
            if obj is None:
                raise TransitionRefused("lifecycle.not_found", id=run_id)
            problem = kind.not_ready(obj)
            if problem:
                raise TransitionRefused(problem)
            old = obj.state
            new = next_state(old, action, object_id=run_id)
            now = timezone.now()
            details: dict[str, Any] = {"from": old, "to": new}
            fields = ["state", TIMESTAMP[action]]
            if action == APPROVE:
                details.update(kind.approve(obj, now))
            elif action == EXPORT:
                content = kind.export(obj, export_format)
                obj.export_file.save(f"{run_id}.{export_format}", ContentFile(content), save=False)
                saved_file = obj.export_file.name
                obj.export_format = export_format
                obj.export_sha256 = hashlib.sha256(content).hexdigest()
                fields += ["export_file", "export_format", "export_sha256"]
                details.update(format=export_format, bytes=len(content), sha256=obj.export_sha256)
                kind.exported(obj, now)
            elif action == SHIP:
                details.update(kind.ship(obj, now))
                if old == LifeState.SHIPPED and not details.get("shipped_units"):
                    raise TransitionRefused("lifecycle.nothing_to_ship", id=run_id)
            else:
                details["released_units"] = kind.release(obj, now)
            obj.state = new
            setattr(obj, TIMESTAMP[action], now)
            obj.save(update_fields=fields)
            audit_record(user=user, action=AUDIT_ACTION, obj=obj, details=details)
    except BaseException:
        if saved_file:  # the transaction rolled back: do not keep a file nothing points at
            obj.export_file.storage.delete(saved_file)
        raise
    return TransitionResult(object_id=run_id, action=action, from_state=old, to_state=new, obj=obj, details=details)


def lifecycle_mark_shipped(obj: Lifecycle, *, object_id: str, user: Any, details: dict[str, Any]) -> bool:
    """A shipment file confirmed lines of `obj` (inside the caller's transaction,
    the row locked by it): exported → shipped, audited like a button. False
    when it was already shipped (nothing to change)."""
    if obj.state == LifeState.SHIPPED:
        return False
    new = next_state(obj.state, SHIP, object_id=object_id)
    now = timezone.now()
    old, obj.state, obj.shipped_at = obj.state, new, now
    obj.save(update_fields=["state", "shipped_at"])
    audit_record(user=user, action=AUDIT_ACTION, obj=obj, details={"from": old, "to": new, **details})
    return True


def lifecycle_kind(object_id: str) -> PlanKind:
    """The registered kind of a run or plan id (TransitionRefused if none)."""
    return _kind_for(object_id)


def lifecycle_history(obj: models.Model) -> list[AuditEvent]:
    """The object's state changes, oldest first (who, when, from → to)."""
    return list(
        AuditEvent.objects.filter(action=AUDIT_ACTION, object_type=obj._meta.label, object_id=str(obj.pk))
        .select_related("user")
        .order_by("created_at", "id")
    )


BUTTON_STYLES = {
    APPROVE: "success",
    EXPORT: "primary",
    SHIP: "info",
    CLOSE: "secondary",
    CANCEL: "outline-danger",
}


def lifecycle_context(obj: Lifecycle, object_id: str) -> dict[str, Any]:
    """What the lifecycle box of a run or plan page shows: the state, the actions
    it allows (buttons, for planners), the kept export and the history."""
    return {
        "object_id": object_id,
        "state": obj.state,
        "state_label": state_label(obj.state),
        "actions": [(a, action_label(a).capitalize(), BUTTON_STYLES[a]) for a in allowed_actions(obj.state)],
        "export_formats": EXPORT_FORMATS,
        "has_export": bool(obj.export_file),
        "history": [
            {
                "at": event.created_at,
                "user": event.user,
                "from": state_label(event.details.get("from", "")),
                "to": state_label(event.details.get("to", "")),
            }
            for event in lifecycle_history(obj)
        ],
        "is_open": obj.state in OPEN_STATES,
    }
