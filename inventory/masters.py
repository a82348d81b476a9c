"""Stores and products written in bulk, shared by every upload (SPEC §2, §3): upserts by
SKU with the category rule, store resolution by code or name. Never one query per row:
existing rows are read in batches, new ones created with one INSERT per batch, changed
ones updated in bulk."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import pandas as pd
from django.db import transaction

from fastdso.db import analyze_after_load, chunks
from fastdso.messages import Message, msg
from inventory import queries as inventory_queries
from inventory.demo import demo_claim
from inventory.models import (
    Product,
    Store,
    normalise_store_name,
    store_name_key,
)
from inventory.queries import product_ids, products_by_sku
from inventory.signals import categories_set

BATCH = 2000
Progress = Callable[..., None]


@dataclass
class ProductUpsertResult:
    id_by_sku: dict[str, int]
    created: int = 0
    renamed: int = 0
    categories_set: int = 0
    repacked: int = 0
    display_min_set: int = 0
    display_min_given: bool = False  # the file has a display_min column with values
    # One message per product whose file category differs from the kept one.
    category_warnings: list[Message] = field(default_factory=list)


def products_upsert(products: pd.DataFrame, *, claim_demo: bool = True) -> ProductUpsertResult:
    """Create or update products from a frame with `sku` and optional
    `product_name` and `category` (first non-empty value per SKU wins).
    A demo product named by a real file becomes real (`claim_demo`; a run's
    request file does not claim: a run on demo data stays demo).

    Category rule (SPEC §2): set it when the product has none; when the
    product already has a different one, keep it and report a warning.
    Categories that get set are copied to SalesWeeklyAgg.category.
    """
    rows, existing = _product_rows(products)
    name = rows["product_name"].fillna("").astype(str)
    category = rows["category"].fillna("").astype(str)
    known = rows["id"].notna()
    # A pack size given in the file replaces the product's (absent or blank: kept, new products 1).
    given_pack = pd.to_numeric(rows["pack_size"], errors="coerce")
    old_pack = pd.to_numeric(rows["old_pack"], errors="coerce").fillna(1).astype("int64")
    pack = given_pack.fillna(old_pack).astype("int64")
    display, display_changed = _display_mins(rows, known)

    result = ProductUpsertResult(id_by_sku=dict(zip(existing["sku"], existing["id"].astype(int), strict=True)))
    new_display = display[~known] if display is not None else pd.Series(0, index=rows.index[~known])
    new_products = [
        Product(sku=sku, name=n[:255], category=(c or None), pack_size=int(p), display_min=int(d))
        for sku, n, c, p, d in zip(
            rows.loc[~known, "sku"], name[~known], category[~known], pack[~known], new_display, strict=True
        )
    ]
    # Existing products: a new name replaces the old one; a category is set only when there is none.
    old_name = rows["old_name"].fillna("").astype(str)
    old_category = rows["old_category"].fillna("").astype(str)
    renamed = known & (name != "") & (name.str.slice(0, 255) != old_name)
    category_set = known & (category != "") & (old_category == "")
    conflict = (
        known & (category != "") & (old_category != "") & (category.str.casefold() != old_category.str.casefold())
    )
    result.renamed = int(renamed.sum())
    result.categories_set = int(category_set.sum())
    result.category_warnings = [
        msg("inventory.category_kept", sku=sku, new=c, old=old)
        for sku, c, old in zip(rows.loc[conflict, "sku"], category[conflict], old_category[conflict], strict=True)
    ]
    repacked = known & (pack != old_pack)
    result.repacked = int(repacked.sum())
    result.display_min_set, result.display_min_given = int(display_changed.sum()), display is not None
    changed = renamed | category_set | repacked | display_changed
    updates = _product_updates(rows[changed], name[changed], category[changed], pack[changed], renamed, category_set)
    if display is not None:
        for product, value in zip(updates, display[changed], strict=True):
            product.display_min = int(value)
    category_sets: dict[str, list[int]] = {}
    for pk, c in zip(rows.loc[category_set, "id"], category[category_set], strict=True):
        category_sets.setdefault(c, []).append(int(pk))

    claimed = existing["id"].astype(int).tolist() if claim_demo else []
    fields = ["name", "category", "pack_size", *(["display_min"] if display is not None else [])]
    _products_write(result, new_products, updates, category_sets, claimed, fields)
    return result


def _display_mins(rows: pd.DataFrame, known: pd.Series) -> tuple[pd.Series | None, pd.Series]:
    """The display minimum of each row (SPEC v3 §5.2): the file's value replaces
    the product's; blank keeps it (new products 0). None when the file gives none
    at all; and which known products change."""
    given = pd.to_numeric(rows["display_min"], errors="coerce") if "display_min" in rows.columns else None
    if given is None or given.isna().all():
        return None, pd.Series(False, index=rows.index)
    ids = rows.loc[known, "id"].astype(int).tolist()
    stored: dict[int, int] = {}
    for chunk in chunks(ids, BATCH):
        stored.update(Product.objects.filter(id__in=chunk).values_list("id", "display_min"))
    old = pd.to_numeric(rows["id"].map(lambda pk: stored.get(int(pk)) if pd.notna(pk) else None), errors="coerce")
    old = old.fillna(0).astype("int64")
    display = given.fillna(old).astype("int64")
    return display, known & (display != old)


def _product_updates(
    rows: pd.DataFrame,
    name: pd.Series,
    category: pd.Series,
    pack: pd.Series,
    renamed: pd.Series,
    category_set: pd.Series,
) -> list[Product]:
    """The changed products as they are to be saved: the new name if renamed,
    the file's category if it was set, the pack size (given or kept)."""
    old_name = rows["old_name"].fillna("").astype(str)
    old_category = rows["old_category"].fillna("").astype(str)
    return [
        Product(
            pk=int(pk),
            sku=sku,
            name=(n[:255] if is_renamed else old_n),
            category=(c if is_set else (old_c or None)),
            pack_size=int(p),
        )
        for pk, sku, n, old_n, c, old_c, is_renamed, is_set, p in zip(
            rows["id"],
            rows["sku"],
            name,
            old_name,
            category,
            old_category,
            renamed[rows.index],
            category_set[rows.index],
            pack,
            strict=True,
        )
    ]


def _product_rows(products: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The file's first non-empty name/category/pack size per SKU (categories as
    the catalogue spells them), merged with the stored product (id, old_name,
    old_category, old_pack; NaN when new), and the stored ones."""
    frame = products.copy()
    for column in ("product_name", "category"):
        if column not in frame.columns:
            frame[column] = ""
        frame[column] = frame[column].fillna("").astype(str).str.strip()
    frame["category"] = categories_canonical(frame["category"])
    if "pack_size" not in frame.columns:
        frame["pack_size"] = pd.NA
    frame["sku"] = frame["sku"].astype(str).str.strip()
    frame = frame[frame["sku"] != ""]
    firsts = frame.replace({"product_name": {"": None}, "category": {"": None}}).groupby("sku", sort=False).first()
    existing = products_by_sku(firsts.index).rename(
        columns={"product_id": "id", "product_name": "old_name", "category": "old_category", "pack_size": "old_pack"}
    )[["id", "sku", "old_name", "old_category", "old_pack"]]
    return firsts.reset_index().merge(existing, on="sku", how="left"), existing


def _products_write(
    result: ProductUpsertResult,
    new_products: list[Product],
    updates: list[Product],
    category_sets: dict[str, list[int]],
    claimed_demo_ids: list[int],
    fields: list[str],
) -> None:
    """Create the new products, update the changed ones, announce the categories set,
    make the demo products a real file named real: one transaction."""
    with transaction.atomic():
        if new_products:
            Product.objects.bulk_create(new_products, batch_size=BATCH, ignore_conflicts=True)
            result.id_by_sku.update(product_ids(p.sku for p in new_products))
            result.created = len(new_products)
            analyze_after_load(Product._meta.db_table, rows=len(new_products))
        if updates:
            Product.objects.bulk_update(updates, fields, batch_size=BATCH)
        if category_sets:
            categories_set.send(sender=Product, product_ids_by_category=category_sets)
        if claimed_demo_ids:
            demo_claim(Product, claimed_demo_ids)


def categories_canonical(categories: pd.Series) -> pd.Series:
    """Categories as the catalogue spells them (SPEC §4.3): trimmed, compared
    case-insensitively, the first spelling seen kept — the catalogue's if it
    has the category, else the first in `categories`. Blank stays blank."""
    text = categories.fillna("").astype(str).str.strip()
    present = text != ""
    if not present.any():
        return text
    keys = text.str.casefold()
    spellings = inventory_queries.category_spellings()
    firsts = text[present].groupby(keys[present], sort=False).first()
    for key, spelling in firsts.items():
        spellings.setdefault(str(key), spelling)
    return keys.map(spellings).where(present, "").astype(str)


def product_save(*, product: Product) -> Product:
    """Save a product edited by hand (the admin): its category is trimmed and
    spelled as the catalogue spells it, and a category change is copied onto
    its weekly sales rows in the same transaction (SPEC §4.3)."""
    product.category = (product.category or "").strip() or None
    if product.category:
        product.category = categories_canonical(pd.Series([product.category])).iloc[0]
    with transaction.atomic():
        before = Product.objects.filter(pk=product.pk).values_list("category").first() if product.pk else None
        product.save()
        if before is not None and before[0] != product.category:
            categories_set.send(sender=Product, product_ids_by_category={product.category: [product.pk]})
    return product


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
    if create:
        demo_claim(Store, id_by_label.values())
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
