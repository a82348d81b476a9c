"""Tiny builders for hand-checkable data. Each writes in bulk."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from inventory.models import CDStockSnapshot, Product, Store, StoreStockSnapshot
from sales.models import SalesLoad, SalesWeeklyAgg


def store(name: str, code: str | None = None) -> Store:
    return Store.objects.create(name=name, code=code)


def product(sku: str, name: str = "", category: str | None = None) -> Product:
    return Product.objects.create(sku=sku, name=name or f"Producto {sku}", category=category)


def weekly(rows: Iterable[tuple[Product, Store, dt.date, int]], *, last_date: dt.date | None = None) -> None:
    """Weekly macro rows (all units on Monday) and a SalesLoad covering them."""
    objs = [
        SalesWeeklyAgg(product=p, store=s, week_start=w, units=u, mon=u, category=p.category) for p, s, w, u in rows
    ]
    SalesWeeklyAgg.objects.bulk_create(objs)
    if objs:
        first = min(o.week_start for o in objs)
        last = last_date or max(o.week_start for o in objs) + dt.timedelta(days=6)
        SalesLoad.objects.create(file_name="test", first_date=first, last_date=last)


def cd_stock(items: Iterable[tuple[Product, int]], day: dt.date = dt.date(2026, 3, 1)) -> None:
    CDStockSnapshot.objects.bulk_create([CDStockSnapshot(product=p, units=u, snapshot_date=day) for p, u in items])


def store_stock(items: Iterable[tuple[Store, Product, int]], day: dt.date = dt.date(2026, 3, 1)) -> None:
    items = list(items)
    StoreStockSnapshot.objects.bulk_create(
        [StoreStockSnapshot(store=s, product=p, units=u, snapshot_date=day) for s, p, u in items]
    )
    Store.objects.filter(id__in={s.id for s, _, _ in items}).update(stock_date=day)
