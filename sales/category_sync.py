"""The copy of each product's category on its macro sales rows (SPEC §4.3):
read for new rows, set again when categories change."""

from __future__ import annotations

import pandas as pd
from django.db import connection

from fastdso.db import chunks, in_clause
from inventory.models import Product
from sales.models import SalesWeeklyAgg

WEEKLY = SalesWeeklyAgg._meta.db_table
PRODUCT = Product._meta.db_table
CATEGORY_CHUNK = 2000  # product ids per IN list of the category reads and writes


def product_categories(product_ids: list[int]) -> pd.Series:
    """Product.category by product id (the weekly rows keep a copy)."""
    pairs: list[tuple[int, str | None]] = []
    for chunk in chunks(product_ids, CATEGORY_CHUNK):
        pairs += Product.objects.filter(pk__in=chunk).values_list("id", "category")
    return pd.Series(dict(pairs), dtype=object)


def sales_category_sync(*, product_ids_by_category: dict[str | None, list[int]], **_signal: object) -> None:
    """Copy product categories onto their macro sales rows (receiver of
    `inventory.signals.categories_set`, inside the transaction that changed
    them: an upload, a request file or an admin edit — SPEC §4.3)."""
    for category, ids in product_ids_by_category.items():
        for chunk in chunks(ids, CATEGORY_CHUNK):
            # Only products with macro rows: an UPDATE of no rows would still
            # mark the category summary stale (statement trigger, sales.summary).
            with_rows = _products_with_weekly_rows(chunk)
            if with_rows:
                SalesWeeklyAgg.objects.filter(product_id__in=with_rows).update(category=category or None)


def _products_with_weekly_rows(product_ids: list[int]) -> list[int]:
    """Those of the products that have at least one macro row (one probe of the
    unique index per product)."""
    id_clause, id_params = in_clause("p.id", list(product_ids))
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT p.id FROM {PRODUCT} p WHERE {id_clause} "  # noqa: S608 - identifiers are ours
            f"AND EXISTS (SELECT 1 FROM {WEEKLY} w WHERE w.product_id = p.id)",
            id_params,
        )
        return [row[0] for row in cursor.fetchall()]
