"""Demo data kept apart from real data (services of the demo marks).

`seed_demo` marks the stores and products it creates (`is_demo`) and the
jobs that loaded them (`Job.is_demo`). Everything else is found from those:

- facts (weekly sales, stock snapshots, legacy sales…) through their store
  or product foreign key;
- runs and plans through their lines (or their own store fields) that name
  a demo store or product: they were computed on demo data;
- coverage rows (SalesLoad) and other rows through their demo job;
- what names demo data only by text (a replay's SKU list, a transfer plan
  with no lines and a demo category) through the finder its app registers
  (`demo_finder_register`, in its AppConfig.ready);
- the stock commitments of the demo runs and plans (open or released) go
  with them: nothing stays reserved by a run that no longer exists.

A real import that names a demo store or product makes it real (its mark is
dropped), so `demo_clear` never removes a row that a real file wrote. The
models above inventory (runs, plans) are not imported: each app hands in, in
its AppConfig.ready, the models whose rows may be made on demo data
(`demo_models_register`: those naming a store or product, or written by a
job), so this module stays below them and reads nothing the apps did not
declare (tests/inventory/test_demo_clear.py checks none is forgotten).
"""

from __future__ import annotations

import contextlib
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from django.core.cache import cache
from django.db import models, transaction

from fastdso.audit import audit_record
from fastdso.db import chunks
from fastdso.lifecycle import lifecycle_kinds
from fastdso.messages import msg
from fastdso.models import Job
from inventory.models import Product, StockCommitment, StockMovement, Store

DEMO_CACHE_KEY = "fastdso:demo-present"
CHUNK = 5000
_LOADING = ContextVar("fastdso_demo_loading", default=False)


def demo_present() -> bool:
    """Whether demo data is loaded (the banner on every page). Read from the
    cache only, no query per page: the demo load sets the flag, clear_demo
    and the claims of real files reset it, and `seed_demo` (every start of
    start.sh) recomputes it."""
    return bool(cache.get(DEMO_CACHE_KEY, False))


def demo_flag_refresh() -> bool:
    """Recompute the banner's flag from the marks (kept until changed)."""
    present = Product.objects.filter(is_demo=True).exists() or Store.objects.filter(is_demo=True).exists()
    cache.set(DEMO_CACHE_KEY, present, None)
    return present


@contextlib.contextmanager
def demo_loading() -> Iterator[None]:
    """While the demo loads, its own imports do not make demo rows real."""
    token = _LOADING.set(True)
    try:
        yield
    finally:
        _LOADING.reset(token)


def demo_mark_new(*, product_id_after: int, store_id_after: int) -> None:
    """Mark as demo the products and stores created after these ids (by the demo load)."""
    Product.objects.filter(id__gt=product_id_after).update(is_demo=True)
    Store.objects.filter(id__gt=store_id_after).update(is_demo=True)
    demo_flag_refresh()


def demo_claim(model: type[Product] | type[Store], ids: Iterable[int]) -> None:
    """A real file named these products/stores: they are real from now on."""
    if _LOADING.get() or not model.objects.filter(is_demo=True).exists():
        return
    id_list = [int(pk) for pk in ids]
    for chunk in chunks(id_list, CHUNK):
        model.objects.filter(is_demo=True, id__in=chunk).update(is_demo=False)
    demo_flag_refresh()


@dataclass(frozen=True)
class DemoScope:
    """The demo's marks, for the finders of upper apps."""

    product_ids: list[int]
    store_ids: list[int]
    skus: frozenset[str]
    categories: frozenset[str]  # categories only demo products have


DemoFinder = Callable[[DemoScope], Iterable[Any]]
_FINDERS: list[tuple[type[models.Model], DemoFinder]] = []


def demo_finder_register(model: type[models.Model], finder: DemoFinder) -> None:
    """An upper app's rows made on demo data that no foreign key shows (ids of `model`)."""
    if (model, finder) not in _FINDERS:
        _FINDERS.append((model, finder))


_MODELS: list[type[models.Model]] = []


def demo_models_register(*model_list: type[models.Model]) -> None:
    """An app's models whose rows may be made on demo data: rows naming a demo
    store or product (a fact, a run's line, a plan), or written by a demo job."""
    for model in model_list:
        if model not in _MODELS:
            _MODELS.append(model)


def demo_models() -> list[type[models.Model]]:
    """The registered models, in the order their apps registered them (INSTALLED_APPS)."""
    return list(_MODELS)


def _demo_scope(product_ids: list[int], store_ids: list[int]) -> DemoScope:
    products = Product.objects.values_list("is_demo", "sku", "category")
    skus = {sku for is_demo, sku, _category in products if is_demo}
    demo_categories = {category for is_demo, _sku, category in products if is_demo and category}
    real_categories = {category for is_demo, _sku, category in products if not is_demo and category}
    return DemoScope(product_ids, store_ids, frozenset(skus), frozenset(demo_categories - real_categories))


def _commitments_of(owners: dict[type[models.Model], set[Any]]) -> tuple[set[int], set[int]]:
    """The stock commitments and movements (shipments, receipts) of the demo
    runs and plans (their DR-/TP- ids are the source)."""
    sources: list[str] = []
    for kind in lifecycle_kinds():
        ids = sorted(owners.get(kind.model, ()))
        for chunk in chunks(ids, CHUNK):
            sources += kind.model._base_manager.filter(pk__in=chunk).values_list(kind.id_field, flat=True)
    found: set[int] = set()
    moved: set[int] = set()
    for chunk in chunks(sources, CHUNK):
        found.update(StockCommitment.objects.filter(source__in=chunk).values_list("pk", flat=True))
        moved.update(StockMovement.objects.filter(source__in=chunk).values_list("pk", flat=True))
    return found, moved


@dataclass
class DemoClearResult:
    deleted: dict[str, int] = field(default_factory=dict)
    trimmed: list[str] = field(default_factory=list)  # real runs/plans that lost their demo lines

    @property
    def total(self) -> int:
        return sum(self.deleted.values())


def _cascades(fk: models.ForeignKey) -> bool:
    return fk.remote_field.on_delete is models.CASCADE


class DemoClearRefused(ValueError):
    """clear_demo cannot separate demo rows from a real run or plan; nothing
    was changed. Carries its message (`.message`); its text is the message rendered."""

    def __init__(self, objects: list[str]) -> None:
        self.objects = objects
        self.message = msg("inventory.demo_clear_refused", objects=", ".join(objects))
        super().__init__(str(self.message))


def _demo_fks(model: type[models.Model]) -> list[models.ForeignKey]:
    return [
        f
        for f in model._meta.get_fields()
        if isinstance(f, models.ForeignKey) and f.related_model in (Product, Store) and f.model is model
    ]


def _demo_q(fks: list[models.ForeignKey]) -> models.Q:
    """Rows naming a demo store or product through any of these keys (a subquery on the marks)."""
    q = models.Q(pk__in=[])
    for fk in fks:
        marked = fk.related_model._base_manager.filter(is_demo=True).values("pk")
        q |= models.Q(**{f"{fk.attname}__in": marked})
    return q


def _real_q(fks: list[models.ForeignKey]) -> models.Q:
    """Rows naming a real store or product through any of these keys."""
    q = models.Q(pk__in=[])
    for fk in fks:
        real = fk.related_model._base_manager.filter(is_demo=False).values("pk")
        q |= models.Q(**{f"{fk.attname}__in": real})
    return q


def _ids(queryset: models.QuerySet[Any], field_name: str = "pk") -> set[Any]:
    return set(queryset.order_by().values_list(field_name, flat=True).distinct())


@dataclass
class _DemoSplit:
    """What clear_demo removes: whole demo owners, and the demo lines of real ones."""

    owners: dict[type[models.Model], set[Any]] = field(default_factory=lambda: defaultdict(set))
    lines: dict[type[models.Model], set[Any]] = field(default_factory=lambda: defaultdict(set))
    trimmed: dict[type[models.Model], set[Any]] = field(default_factory=lambda: defaultdict(set))


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
    marked = (Product, Store)
    # parent model → [(line model, fk to parent, the line's store/product keys)]
    children: dict[type[models.Model], list[tuple[type[models.Model], models.ForeignKey, list]]] = defaultdict(list)
    touched: dict[type[models.Model], set[Any]] = defaultdict(set)
    for model in demo_models():
        if model in marked:
            continue
        fks = _demo_fks(model)
        if not fks:
            continue
        parents = [
            f
            for f in model._meta.get_fields()
            if isinstance(f, models.ForeignKey)
            and _cascades(f)
            and f.related_model not in marked
            and f.related_model is not Job
        ]
        demo_rows = model._base_manager.filter(_demo_q(fks))
        if parents:
            for parent in parents:
                children[parent.related_model].append((model, parent, fks))
                touched[parent.related_model] |= _ids(demo_rows, parent.attname)
        elif all(_cascades(fk) for fk in fks):
            continue  # a fact row: goes with its store or product
        else:
            touched[model] |= _ids(demo_rows)
    conflicts: list[str] = []
    for model, ids in touched.items():
        ids.discard(None)
        if not ids:
            continue
        id_list = sorted(ids)
        real: set[Any] = set()
        own = _demo_fks(model)
        for chunk in chunks(id_list, CHUNK):
            for line_model, parent, fks in children.get(model, []):
                real |= _ids(
                    line_model._base_manager.filter(**{f"{parent.attname}__in": chunk}).filter(_real_q(fks)),
                    parent.attname,
                )
            if own:
                real |= _ids(model._base_manager.filter(pk__in=chunk).filter(_real_q(own)))
        split.owners[model] |= ids - real
        if not real:
            continue
        real_list = sorted(real)
        for chunk in chunks(real_list, CHUNK):
            if own:
                for obj in model._base_manager.filter(pk__in=chunk).filter(_demo_q(own)):
                    conflicts.append(_object_name(obj))
            for line_model, parent, fks in children.get(model, []):
                split.lines[line_model] |= _ids(
                    line_model._base_manager.filter(**{f"{parent.attname}__in": chunk}).filter(_demo_q(fks))
                )
        split.trimmed[model] |= real
    if conflicts:
        raise DemoClearRefused(sorted(conflicts))
    return split


def _object_name(obj: models.Model) -> str:
    for kind in lifecycle_kinds():
        if isinstance(obj, kind.model):
            return str(getattr(obj, kind.id_field))
    return f"{obj._meta.label} {obj.pk}"


def _job_ids_of(owners: dict[type[models.Model], set[Any]]) -> set[int]:
    job_ids: set[int] = set()
    for model, ids in owners.items():
        for fk in model._meta.get_fields():
            if isinstance(fk, models.ForeignKey) and fk.related_model is Job:
                id_list = list(ids)
                for chunk in chunks(id_list, CHUNK):
                    job_ids.update(
                        model._base_manager.filter(pk__in=chunk)
                        .exclude(**{f"{fk.attname}__isnull": True})
                        .values_list(fk.attname, flat=True)
                    )
    return job_ids


def _delete(model: type[models.Model], ids: Iterable[Any], deleted: dict[str, int]) -> None:
    id_list = list(ids)
    for chunk in chunks(id_list, CHUNK):
        _total, per_model = model._base_manager.filter(pk__in=chunk).delete()
        for label, count in per_model.items():
            deleted[label] = deleted.get(label, 0) + count


def _commitments_rewrite(trimmed: dict[type[models.Model], set[Any]]) -> list[str]:
    """The real runs and plans that lost demo lines hold only what their lines
    left still ask for (their kind says how: the same frames as approving)."""
    from inventory.services import stock_commitments_rewrite  # services import this module

    sources: list[str] = []
    for kind in lifecycle_kinds():
        ids = sorted(trimmed.get(kind.model, ()))
        for chunk in chunks(ids, CHUNK):
            for obj in kind.model._base_manager.filter(pk__in=chunk):
                source = str(getattr(obj, kind.id_field))
                sources.append(source)
                cd, stores = kind.commitments(obj)
                if cd is not None and StockCommitment.objects.filter(source=source).exists():
                    stock_commitments_rewrite(source=source, cd=cd, stores=stores)
    return sorted(sources)


@transaction.atomic
def demo_clear(*, user: Any = None) -> DemoClearResult:
    """Remove every demo row and every demo job, run and plan, and nothing else.

    A run or plan that touches a real row stays (see `_demo_split`): only its
    lines on demo data go, and its commitments follow the lines it keeps.
    Audit events are never deleted. DemoClearRefused: nothing changed.
    """
    product_ids = list(Product.objects.filter(is_demo=True).values_list("id", flat=True))
    store_ids = list(Store.objects.filter(is_demo=True).values_list("id", flat=True))
    split = _demo_split()
    owners = split.owners
    scope = _demo_scope(product_ids, store_ids)
    for model, finder in _FINDERS:
        owners[model].update(set(finder(scope)) - split.trimmed.get(model, set()))
    job_ids = set(Job.objects.filter(is_demo=True).values_list("id", flat=True)) | _job_ids_of(owners)
    # Rows a demo job wrote that name no store or product (the coverage of a demo sales load).
    for model in demo_models():
        for fk in model._meta.get_fields():
            if isinstance(fk, models.ForeignKey) and fk.related_model is Job and model not in owners:
                id_list = sorted(job_ids)
                for chunk in chunks(id_list, CHUNK):
                    owners[model].update(
                        model._base_manager.filter(**{f"{fk.attname}__in": chunk}).values_list("pk", flat=True)
                    )
    result = DemoClearResult()
    commitments, movements = _commitments_of(owners)
    _delete(StockCommitment, commitments, result.deleted)
    _delete(StockMovement, movements, result.deleted)
    for model, ids in owners.items():
        _delete(model, ids, result.deleted)
    for model, ids in split.lines.items():
        _delete(model, ids, result.deleted)
    result.trimmed = _commitments_rewrite(split.trimmed)
    _delete(Store, store_ids, result.deleted)
    _delete(Product, product_ids, result.deleted)
    _delete(Job, job_ids, result.deleted)
    result.deleted = {label: count for label, count in sorted(result.deleted.items()) if count}
    demo_flag_refresh()
    if result.total:
        details: dict[str, Any] = dict(result.deleted)
        if result.trimmed:
            details["demo_lines_removed_from"] = result.trimmed
        audit_record(user=user, action="demo_clear", object_repr=msg("inventory.audit_demo_data"), details=details)
    return result
