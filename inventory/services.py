"""Bulk writes of stores and products, shared by every upload (SPEC §2, §3).

Never one query per row: existing rows are read in batches, new ones are
created with one INSERT per batch, and changed ones updated in bulk.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import pandas as pd
from django.db import transaction

from inventory.models import Product, Store, normalise_store_name, store_name_key

BATCH = 2000


def _chunks(items: list, size: int = BATCH) -> Iterable[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


@dataclass
class ProductUpsertResult:
    id_by_sku: dict[str, int]
    created: int = 0
    renamed: int = 0
    categories_set: int = 0
    # One message per product whose file category differs from the kept one.
    category_warnings: list[str] = field(default_factory=list)


def products_upsert(products: pd.DataFrame) -> ProductUpsertResult:
    """Create or update products from a frame with `sku` and optional
    `product_name` and `category` (first non-empty value per SKU wins).

    Category rule (SPEC §2): set it when the product has none; when the
    product already has a different one, keep it and report a warning.
    Categories that get set are copied to SalesWeeklyAgg.category.
    """
    frame = products.copy()
    for column in ("product_name", "category"):
        if column not in frame.columns:
            frame[column] = ""
        frame[column] = frame[column].fillna("").astype(str).str.strip()
    frame["sku"] = frame["sku"].astype(str).str.strip()
    frame = frame[frame["sku"] != ""]
    # First non-empty name/category per SKU.
    firsts = frame.replace({"product_name": {"": None}, "category": {"": None}}).groupby("sku", sort=False).first()
    skus = list(firsts.index)

    existing: dict[str, tuple[int, str, str | None]] = {}
    for chunk in _chunks(skus):
        for pk, sku, name, category in Product.objects.filter(sku__in=chunk).values_list(
            "id", "sku", "name", "category"
        ):
            existing[sku] = (pk, name, category)

    result = ProductUpsertResult(id_by_sku={})
    new_products: list[Product] = []
    updates: list[Product] = []
    category_sets: dict[str, list[int]] = {}
    for sku, row in firsts.iterrows():
        name = row["product_name"] if isinstance(row["product_name"], str) else ""
        category = row["category"] if isinstance(row["category"], str) else None
        if sku not in existing:
            new_products.append(Product(sku=sku, name=name[:255], category=(category or None)))
            continue
        pk, old_name, old_category = existing[sku]
        changed = False
        new_name, new_category = old_name, old_category
        if name and name != old_name:
            new_name, changed = name[:255], True
            result.renamed += 1
        if category:
            if not old_category:
                new_category, changed = category, True
                category_sets.setdefault(category, []).append(pk)
                result.categories_set += 1
            elif old_category.casefold() != category.casefold():
                result.category_warnings.append(
                    f"SKU {sku}: el archivo dice categoría «{category}», se mantiene «{old_category}»."
                )
        if changed:
            updates.append(Product(pk=pk, sku=sku, name=new_name, category=new_category))
        result.id_by_sku[sku] = pk

    with transaction.atomic():
        if new_products:
            Product.objects.bulk_create(new_products, batch_size=BATCH, ignore_conflicts=True)
            created_skus = [p.sku for p in new_products]
            for chunk in _chunks(created_skus):
                result.id_by_sku.update(Product.objects.filter(sku__in=chunk).values_list("sku", "id"))
            result.created = len(new_products)
        if updates:
            Product.objects.bulk_update(updates, ["name", "category"], batch_size=500)
        if category_sets:
            sales_category_sync(category_sets)
    return result


def sales_category_sync(product_ids_by_category: dict[str, list[int]]) -> None:
    """Copy newly set product categories onto their macro sales rows."""
    from sales.models import SalesWeeklyAgg

    for category, ids in product_ids_by_category.items():
        for chunk in _chunks(ids):
            SalesWeeklyAgg.objects.filter(product_id__in=chunk).update(category=category)


@dataclass
class StoreResolveResult:
    id_by_label: dict[str, int]
    created: int = 0


def stores_resolve(labels: Iterable[str], *, create: bool = True) -> StoreResolveResult:
    """Map store labels from a file (a code or a name, any spacing or case)
    to store ids, creating stores named for the first time."""
    unique_labels = sorted({str(label).strip() for label in labels if str(label).strip()})
    by_code: dict[str, int] = {}
    by_key: dict[str, int] = {}
    for pk, code, key in Store.objects.values_list("id", "code", "name_key"):
        if code:
            by_code[code] = pk
        by_key[key] = pk
    id_by_label: dict[str, int] = {}
    missing: dict[str, str] = {}
    for label in unique_labels:
        if label in by_code:
            id_by_label[label] = by_code[label]
        elif store_name_key(label) in by_key:
            id_by_label[label] = by_key[store_name_key(label)]
        else:
            missing.setdefault(store_name_key(label), label)
    created = 0
    if missing and create:
        new_stores = [Store(name=normalise_store_name(label), name_key=key) for key, label in missing.items()]
        Store.objects.bulk_create(new_stores, batch_size=BATCH, ignore_conflicts=True)
        created = len(new_stores)
        fresh = dict(Store.objects.filter(name_key__in=list(missing)).values_list("name_key", "id"))
        for label in unique_labels:
            if label not in id_by_label and store_name_key(label) in fresh:
                id_by_label[label] = fresh[store_name_key(label)]
    return StoreResolveResult(id_by_label=id_by_label, created=created)
