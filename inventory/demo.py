"""Demo data kept apart from real data: the demo marks (inventory's part).

`seed_demo` marks the stores and products it creates (`is_demo`) and the
jobs that loaded them (`Job.is_demo`). A real import that names a demo store
or product makes it real (its mark is dropped, `demo_claim`), so clearing
never removes a row that a real file wrote.

Clearing itself is the core's (`fastdso.demo_clear`): this module registers
the marks with what clearing asks of them (`DEMO_MARKS`, in the app's
ready()): the scope the other apps' finders read (`DemoScope`), the stock
commitments and movements of the runs and plans that go (they name their
source by id, not by a foreign key), the commitments of a real run or plan
that loses its demo lines, and the banner's flag.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from django.core.cache import cache
from django.db import models

from fastdso.db import chunks
from fastdso.demo_clear import DemoMarks
from fastdso.lifecycle import lifecycle_kinds
from fastdso.messages import msg
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


def demo_scope() -> DemoScope:
    """The marks as the finders of other apps read them."""
    product_ids = list(Product.objects.filter(is_demo=True).values_list("id", flat=True))
    store_ids = list(Store.objects.filter(is_demo=True).values_list("id", flat=True))
    products = Product.objects.values_list("is_demo", "sku", "category")
    skus = {sku for is_demo, sku, _category in products if is_demo}
    demo_categories = {category for is_demo, _sku, category in products if is_demo and category}
    real_categories = {category for is_demo, _sku, category in products if not is_demo and category}
    return DemoScope(product_ids, store_ids, frozenset(skus), frozenset(demo_categories - real_categories))


def demo_attached(owners: dict[type[models.Model], set[Any]]) -> dict[type[models.Model], set[Any]]:
    """The stock commitments and movements (shipments, receipts) of the demo
    runs and plans that go (their DR-/TP- ids are the source)."""
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
    return {StockCommitment: found, StockMovement: moved}


def demo_trimmed(trimmed: dict[type[models.Model], set[Any]]) -> list[str]:
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


DEMO_MARKS = DemoMarks(
    models=(Product, Store),
    scope=demo_scope,
    attached=demo_attached,
    trimmed=demo_trimmed,
    refreshed=demo_flag_refresh,
    audit_name=msg("inventory.audit_demo_data"),
)
