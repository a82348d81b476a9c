"""Clearing demo data: the machinery below the apps (issue 30).

The app that owns the demo marks (inventory: stores and products carry
`is_demo`) registers them with what clearing must ask it (`DemoMarks`):
the scope the finders read, the rows tied to a run or plan that have no
foreign key to it (stock commitments and movements, by source id), how a
real run or plan that loses its demo lines rewrites what it holds, and the
banner's flag. Every other app hands in, in its AppConfig.ready, the models
whose rows may be made on demo data (`demo_models_register`) and, for rows
that name demo data only by text, a finder (`demo_finder_register`). This
module imports no app: it reads only what was registered.

What goes: every row naming a marked row through a foreign key, every run
or plan made on demo data (all of its lines name demo rows), the rows and
jobs of the demo jobs, and the marked rows. A run or plan that touches real
data stays; only its demo lines go (`_demo_split`). Audit events stay.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import models, transaction

from fastdso.audit import audit_record
from fastdso.db import chunks
from fastdso.lifecycle import lifecycle_kinds
from fastdso.messages import Message, msg
from fastdso.models import Job

CHUNK = 5000
Owners = dict[type[models.Model], set[Any]]


@dataclass(frozen=True)
class DemoMarks:
    """The demo marks and what clearing asks their app (see the module doc)."""

    models: tuple[type[models.Model], ...]  # each has a boolean `is_demo`
    scope: Callable[[], Any]  # what the finders read
    attached: Callable[[Owners], Owners]  # rows of these owners with no foreign key to them
    trimmed: Callable[[Owners], list[str]]  # real owners that lost demo lines: rewrite, name them
    refreshed: Callable[[], Any]  # after clearing (the banner's flag)
    audit_name: Message  # the audited object


DemoFinder = Callable[[Any], Iterable[Any]]
_MARKS: list[DemoMarks] = []
_MODELS: list[type[models.Model]] = []
_FINDERS: list[tuple[type[models.Model], DemoFinder]] = []


def demo_marks_register(marks: DemoMarks) -> None:
    if marks not in _MARKS:
        _MARKS.append(marks)


def demo_models_register(*model_list: type[models.Model]) -> None:
    """An app's models whose rows may be made on demo data: rows naming a demo
    store or product (a fact, a run's line, a plan), or written by a demo job."""
    for model in model_list:
        if model not in _MODELS:
            _MODELS.append(model)


def demo_models() -> list[type[models.Model]]:
    """The registered models, in the order their apps registered them (INSTALLED_APPS)."""
    return list(_MODELS)


def demo_finder_register(model: type[models.Model], finder: DemoFinder) -> None:
    """An app's rows made on demo data that no foreign key shows (ids of `model`)."""
    if (model, finder) not in _FINDERS:
        _FINDERS.append((model, finder))


def _marked() -> tuple[type[models.Model], ...]:
    return tuple(model for marks in _MARKS for model in marks.models)


@dataclass
class DemoClearResult:
    deleted: dict[str, int] = field(default_factory=dict)
    trimmed: list[str] = field(default_factory=list)  # real runs/plans that lost their demo lines

    @property
    def total(self) -> int:
        return sum(self.deleted.values())


class DemoClearRefused(ValueError):
    """clear_demo cannot separate demo rows from a real run or plan; nothing
    was changed. Carries its message (`.message`); its text is the message rendered."""

    def __init__(self, objects: list[str]) -> None:
        self.objects = objects
        self.message = msg("demo.clear_refused", objects=", ".join(objects))
        super().__init__(str(self.message))


def _cascades(fk: models.ForeignKey) -> bool:
    return fk.remote_field.on_delete is models.CASCADE


def _demo_fks(model: type[models.Model]) -> list[models.ForeignKey]:
    marked = _marked()
    return [
        f
        for f in model._meta.get_fields()
        if isinstance(f, models.ForeignKey) and f.related_model in marked and f.model is model
    ]


def _marked_q(fks: list[models.ForeignKey], *, demo: bool) -> models.Q:
    """Rows naming a demo (or a real) marked row through any of these keys (a subquery on the marks)."""
    q = models.Q(pk__in=[])
    for fk in fks:
        named = fk.related_model._base_manager.filter(is_demo=demo).values("pk")
        q |= models.Q(**{f"{fk.attname}__in": named})
    return q


def _ids(queryset: models.QuerySet[Any], field_name: str = "pk") -> set[Any]:
    return set(queryset.order_by().values_list(field_name, flat=True).distinct())


@dataclass
class _DemoSplit:
    """What clear_demo removes: whole demo owners, and the demo lines of real ones."""

    owners: Owners = field(default_factory=lambda: defaultdict(set))
    lines: Owners = field(default_factory=lambda: defaultdict(set))
    trimmed: Owners = field(default_factory=lambda: defaultdict(set))


Children = dict[type[models.Model], list[tuple[type[models.Model], models.ForeignKey, list[models.ForeignKey]]]]


def _touched() -> tuple[Owners, Children]:
    """Owners naming demo rows (a run or plan through its lines, or a row
    itself) and, per owner model, its line models: (line model, key to the
    owner, the line's keys to marked rows)."""
    marked = _marked()
    children: Children = defaultdict(list)
    touched: Owners = defaultdict(set)
    for model in demo_models():
        fks = _demo_fks(model)
        if model in marked or not fks:
            continue
        parents = [
            f
            for f in model._meta.get_fields()
            if isinstance(f, models.ForeignKey)
            and _cascades(f)
            and f.related_model not in marked
            and f.related_model is not Job
        ]
        demo_rows = model._base_manager.filter(_marked_q(fks, demo=True))
        if parents:
            for parent in parents:
                children[parent.related_model].append((model, parent, fks))
                touched[parent.related_model] |= _ids(demo_rows, parent.attname)
        elif not all(_cascades(fk) for fk in fks):  # a fact row goes with its store or product
            touched[model] |= _ids(demo_rows)
    return touched, children


def _demo_split() -> _DemoSplit:
    """Split what names demo data into demo owners and real owners' demo lines.

    A *line* is a row with a cascading parent (a run's or plan's line); any
    other row naming a demo store or product is an owner itself (a plan's
    destination, a derived fact). A run or plan is **real** when it touches
    any real row — one of its lines, or its own header, names a real store or
    product: it stays, with its job and audit events, and only its lines
    that name demo data go (its commitments are rewritten from the lines
    left). Otherwise it was made on demo data and goes whole. A real owner
    whose own header names a demo store cannot be separated: refused.
    """
    split = _DemoSplit()
    touched, children = _touched()
    conflicts: list[str] = []
    for model, ids in touched.items():
        ids.discard(None)
        if not ids:
            continue
        real: set[Any] = set()
        own = _demo_fks(model)
        for chunk in chunks(sorted(ids), CHUNK):
            for line_model, parent, fks in children.get(model, []):
                lines = line_model._base_manager.filter(**{f"{parent.attname}__in": chunk})
                real |= _ids(lines.filter(_marked_q(fks, demo=False)), parent.attname)
            if own:
                real |= _ids(model._base_manager.filter(pk__in=chunk).filter(_marked_q(own, demo=False)))
        split.owners[model] |= ids - real
        if not real:
            continue
        for chunk in chunks(sorted(real), CHUNK):
            if own:
                for obj in model._base_manager.filter(pk__in=chunk).filter(_marked_q(own, demo=True)):
                    conflicts.append(_object_name(obj))
            for line_model, parent, fks in children.get(model, []):
                lines = line_model._base_manager.filter(**{f"{parent.attname}__in": chunk})
                split.lines[line_model] |= _ids(lines.filter(_marked_q(fks, demo=True)))
        split.trimmed[model] |= real
    if conflicts:
        raise DemoClearRefused(sorted(conflicts))
    return split


def _object_name(obj: models.Model) -> str:
    for kind in lifecycle_kinds():
        if isinstance(obj, kind.model):
            return str(getattr(obj, kind.id_field))
    return f"{obj._meta.label} {obj.pk}"


def _job_ids_of(owners: Owners) -> set[int]:
    job_ids: set[int] = set()
    for model, ids in owners.items():
        for fk in model._meta.get_fields():
            if isinstance(fk, models.ForeignKey) and fk.related_model is Job:
                for chunk in chunks(list(ids), CHUNK):
                    job_ids.update(
                        model._base_manager.filter(pk__in=chunk)
                        .exclude(**{f"{fk.attname}__isnull": True})
                        .values_list(fk.attname, flat=True)
                    )
    return job_ids


def _job_rows(owners: Owners, job_ids: set[int]) -> None:
    """Rows a demo job wrote that name no store or product (the coverage of a demo sales load)."""
    for model in demo_models():
        for fk in model._meta.get_fields():
            if isinstance(fk, models.ForeignKey) and fk.related_model is Job and model not in owners:
                for chunk in chunks(sorted(job_ids), CHUNK):
                    owners[model].update(
                        model._base_manager.filter(**{f"{fk.attname}__in": chunk}).values_list("pk", flat=True)
                    )


def _delete(model: type[models.Model], ids: Iterable[Any], deleted: dict[str, int]) -> None:
    for chunk in chunks(list(ids), CHUNK):
        _total, per_model = model._base_manager.filter(pk__in=chunk).delete()
        for label, count in per_model.items():
            deleted[label] = deleted.get(label, 0) + count


@transaction.atomic
def demo_clear(*, user: Any = None) -> DemoClearResult:
    """Remove every demo row and every demo job, run and plan, and nothing else.

    A run or plan that touches a real row stays (see `_demo_split`): only its
    lines on demo data go, and what it holds follows the lines it keeps.
    Audit events are never deleted. DemoClearRefused: nothing changed.
    """
    marked_ids = {model: _ids(model._base_manager.filter(is_demo=True)) for model in _marked()}
    split = _demo_split()
    owners = split.owners
    for marks in _MARKS:
        scope = marks.scope()
        for model, finder in _FINDERS:
            owners[model].update(set(finder(scope)) - split.trimmed.get(model, set()))
    job_ids = set(Job.objects.filter(is_demo=True).values_list("id", flat=True)) | _job_ids_of(owners)
    _job_rows(owners, job_ids)
    result = DemoClearResult()
    for marks in _MARKS:
        for model, ids in marks.attached(owners).items():
            _delete(model, ids, result.deleted)
    for model, ids in [*owners.items(), *split.lines.items()]:
        _delete(model, ids, result.deleted)
    result.trimmed = sorted(name for marks in _MARKS for name in marks.trimmed(split.trimmed))
    for model, ids in marked_ids.items():
        _delete(model, ids, result.deleted)
    _delete(Job, job_ids, result.deleted)
    result.deleted = {label: count for label, count in sorted(result.deleted.items()) if count}
    for marks in _MARKS:
        marks.refreshed()
    if result.total and _MARKS:
        details: dict[str, Any] = dict(result.deleted)
        if result.trimmed:
            details["demo_lines_removed_from"] = result.trimmed
        audit_record(user=user, action="demo_clear", object_repr=_MARKS[0].audit_name, details=details)
    return result
