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
models above inventory (runs, plans) are reached through Django's model
registry, not imported: this module stays below them.
"""

from __future__ import annotations

import contextlib
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.core.cache import cache
from django.db import models, transaction

from fastdso.audit import audit_record
from fastdso.lifecycle import lifecycle_kinds
from fastdso.models import AuditEvent, Job
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
    for start in range(0, len(id_list), CHUNK):
        model.objects.filter(is_demo=True, id__in=id_list[start : start + CHUNK]).update(is_demo=False)
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
        for start in range(0, len(ids), CHUNK):
            sources += kind.model._base_manager.filter(pk__in=ids[start : start + CHUNK]).values_list(
                kind.id_field, flat=True
            )
    found: set[int] = set()
    moved: set[int] = set()
    for start in range(0, len(sources), CHUNK):
        chunk = sources[start : start + CHUNK]
        found.update(StockCommitment.objects.filter(source__in=chunk).values_list("pk", flat=True))
        moved.update(StockMovement.objects.filter(source__in=chunk).values_list("pk", flat=True))
    return found, moved


@dataclass
class DemoClearResult:
    deleted: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.deleted.values())


def _cascades(fk: models.ForeignKey) -> bool:
    return fk.remote_field.on_delete is models.CASCADE


def _demo_owners(product_ids: list[int], store_ids: list[int]) -> dict[type[models.Model], set[Any]]:
    """Runs and plans computed on demo data: the parents of lines that name a
    demo store or product, or rows that name one without cascading (a plan's
    destination). Facts that cascade from the store or product are left to
    the delete of the store or product."""
    demo_ids = {Product: product_ids, Store: store_ids}
    owners: dict[type[models.Model], set[Any]] = defaultdict(set)
    for model in apps.get_models():
        if model in demo_ids:
            continue
        fks = [f for f in model._meta.get_fields() if isinstance(f, models.ForeignKey)]
        demo_fks = [f for f in fks if f.related_model in demo_ids]
        parents = [f for f in fks if _cascades(f) and f.related_model not in demo_ids and f.related_model is not Job]
        for fk in demo_fks:
            if not parents and _cascades(fk):
                continue  # a fact row: goes with its store or product
            ids = demo_ids[fk.related_model]
            for start in range(0, len(ids), CHUNK):
                rows = model._base_manager.filter(**{f"{fk.name}__in": ids[start : start + CHUNK]})
                if parents:
                    for parent in parents:
                        owners[parent.related_model].update(rows.values_list(parent.attname, flat=True).distinct())
                else:
                    owners[model].update(rows.values_list("pk", flat=True))
    return owners


def _job_ids_of(owners: dict[type[models.Model], set[Any]]) -> set[int]:
    job_ids: set[int] = set()
    for model, ids in owners.items():
        for fk in model._meta.get_fields():
            if isinstance(fk, models.ForeignKey) and fk.related_model is Job:
                id_list = list(ids)
                for start in range(0, len(id_list), CHUNK):
                    job_ids.update(
                        model._base_manager.filter(pk__in=id_list[start : start + CHUNK])
                        .exclude(**{f"{fk.attname}__isnull": True})
                        .values_list(fk.attname, flat=True)
                    )
    return job_ids


def _delete(model: type[models.Model], ids: Iterable[Any], deleted: dict[str, int]) -> None:
    id_list = list(ids)
    for start in range(0, len(id_list), CHUNK):
        _total, per_model = model._base_manager.filter(pk__in=id_list[start : start + CHUNK]).delete()
        for label, count in per_model.items():
            deleted[label] = deleted.get(label, 0) + count


def _audit_forget(objects: dict[str, set[str]], job_ids: set[int]) -> int:
    """The audit events about the demo's own objects (its loads, runs, plans)."""
    removed = 0
    for label, ids in objects.items():
        id_list = sorted(ids)
        for start in range(0, len(id_list), CHUNK):
            removed += AuditEvent.objects.filter(
                object_type=label, object_id__in=id_list[start : start + CHUNK]
            ).delete()[0]
    urls = [f"/jobs/{pk}/" for pk in sorted(job_ids)]
    for start in range(0, len(urls), CHUNK):
        removed += AuditEvent.objects.filter(object_url__in=urls[start : start + CHUNK]).delete()[0]
    return removed


@transaction.atomic
def demo_clear(*, user: Any = None) -> DemoClearResult:
    """Remove every demo row and every demo job, run and plan, and nothing else."""
    product_ids = list(Product.objects.filter(is_demo=True).values_list("id", flat=True))
    store_ids = list(Store.objects.filter(is_demo=True).values_list("id", flat=True))
    owners = _demo_owners(product_ids, store_ids)
    scope = _demo_scope(product_ids, store_ids)
    for model, finder in _FINDERS:
        owners[model].update(finder(scope))
    job_ids = set(Job.objects.filter(is_demo=True).values_list("id", flat=True)) | _job_ids_of(owners)
    # Rows a demo job wrote that name no store or product (the coverage of a demo sales load).
    for model in apps.get_models():
        for fk in model._meta.get_fields():
            if isinstance(fk, models.ForeignKey) and fk.related_model is Job and model not in owners:
                id_list = sorted(job_ids)
                for start in range(0, len(id_list), CHUNK):
                    owners[model].update(
                        model._base_manager.filter(**{f"{fk.attname}__in": id_list[start : start + CHUNK]}).values_list(
                            "pk", flat=True
                        )
                    )
    result = DemoClearResult()
    commitments, movements = _commitments_of(owners)
    _delete(StockCommitment, commitments, result.deleted)
    _delete(StockMovement, movements, result.deleted)
    audited = {m._meta.label: {str(pk) for pk in ids} for m, ids in owners.items() if ids}
    for model, ids in owners.items():
        _delete(model, ids, result.deleted)
    _delete(Store, store_ids, result.deleted)
    _delete(Product, product_ids, result.deleted)
    _delete(Job, job_ids, result.deleted)
    audited[Job._meta.label] = {str(pk) for pk in job_ids}
    _audit_forget(audited, job_ids)
    result.deleted = {label: count for label, count in sorted(result.deleted.items()) if count}
    demo_flag_refresh()
    if result.total:
        audit_record(user=user, action="demo_clear", object_repr="Datos de demostración", details=result.deleted)
    return result
