"""Bulk writes of stores and products, shared by every upload (SPEC §2, §3).

Never one query per row: existing rows are read in batches, new ones are
created with one INSERT per batch, and changed ones updated in bulk.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from django.db import connection, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from fastdso.audit import audit_record
from fastdso.db import analyze_after_load, date_param, imports_lock, in_clause, rows_insert
from fastdso.files import Column, Kind, RowError, read_table
from fastdso.jobs import JobInputError
from inventory.demo import demo_claim
from inventory.models import CDStockSnapshot, Product, Store, StoreStockSnapshot, normalise_store_name, store_name_key
from inventory.signals import categories_set

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


def products_upsert(products: pd.DataFrame, *, claim_demo: bool = True) -> ProductUpsertResult:
    """Create or update products from a frame with `sku` and optional
    `product_name` and `category` (first non-empty value per SKU wins).
    A demo product named by a real file becomes real (`claim_demo`; a run's
    request file does not claim: a run on demo data stays demo).

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

    existing_rows: list[tuple[int, str, str, str | None]] = []
    for chunk in _chunks(skus):
        existing_rows.extend(Product.objects.filter(sku__in=chunk).values_list("id", "sku", "name", "category"))
    existing = pd.DataFrame(existing_rows, columns=["id", "sku", "old_name", "old_category"])
    rows = firsts.reset_index().merge(existing, on="sku", how="left")
    name = rows["product_name"].fillna("").astype(str)
    category = rows["category"].fillna("").astype(str)
    known = rows["id"].notna()

    result = ProductUpsertResult(id_by_sku=dict(zip(existing["sku"], existing["id"].astype(int), strict=True)))
    new_products = [
        Product(sku=sku, name=n[:255], category=(c or None))
        for sku, n, c in zip(rows.loc[~known, "sku"], name[~known], category[~known], strict=True)
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
        f"SKU {sku}: el archivo dice categoría «{c}», se mantiene «{old}»."
        for sku, c, old in zip(rows.loc[conflict, "sku"], category[conflict], old_category[conflict], strict=True)
    ]
    changed = renamed | category_set
    updates = [
        Product(
            pk=int(pk),
            sku=sku,
            name=(n[:255] if is_renamed else old_n),
            category=(c if is_set else (old_c or None)),
        )
        for pk, sku, n, old_n, c, old_c, is_renamed, is_set in zip(
            rows.loc[changed, "id"],
            rows.loc[changed, "sku"],
            name[changed],
            old_name[changed],
            category[changed],
            old_category[changed],
            renamed[changed],
            category_set[changed],
            strict=True,
        )
    ]
    category_sets: dict[str, list[int]] = {}
    for pk, c in zip(rows.loc[category_set, "id"], category[category_set], strict=True):
        category_sets.setdefault(c, []).append(int(pk))

    with transaction.atomic():
        if new_products:
            Product.objects.bulk_create(new_products, batch_size=BATCH, ignore_conflicts=True)
            created_skus = [p.sku for p in new_products]
            for chunk in _chunks(created_skus):
                result.id_by_sku.update(Product.objects.filter(sku__in=chunk).values_list("sku", "id"))
            result.created = len(new_products)
            analyze_after_load(Product._meta.db_table, rows=len(new_products))
        if updates:
            Product.objects.bulk_update(updates, ["name", "category"], batch_size=BATCH)
        if category_sets:
            categories_set.send(sender=Product, product_ids_by_category=category_sets)
        if claim_demo:
            demo_claim(Product, existing["id"].astype(int).tolist())
    return result


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


# --------------------------------------------------------------------------
# File imports: products, CD stock, store stock (SPEC §2, §3, §9)
# --------------------------------------------------------------------------

Progress = Callable[..., None]


def _no_progress(*args: Any, **kwargs: Any) -> None:
    return None


def _job_url(job: Any) -> str:
    return reverse("job_detail", args=[job.pk]) if job is not None and job.pk else ""


# Longest text each identifier column may carry (the model fields' max_length).
TEXT_LIMITS = {
    "sku": Product._meta.get_field("sku").max_length,
    "store": Store._meta.get_field("name").max_length,
    "category": Product._meta.get_field("category").max_length,
}


def text_length_errors(frame: pd.DataFrame, limit: int = 100_000) -> tuple[list[RowError], int]:
    """Rows whose SKU, store or category is longer than the database keeps."""
    errors: list[RowError] = []
    total = 0
    for column, max_length in TEXT_LIMITS.items():
        if column not in frame.columns:
            continue
        too_long = frame[column].fillna("").astype(str).str.len() > max_length
        count = int(too_long.sum())
        total += count
        for row, value in frame.loc[too_long, column].head(max(limit - len(errors), 0)).items():
            errors.append(RowError(int(row), column, str(value)[:200], f"texto demasiado largo (máximo {max_length})"))
    return errors, total


def check_text_lengths(frame: pd.DataFrame) -> None:
    errors, total = text_length_errors(frame)
    if total:
        raise JobInputError(f"El archivo tiene {total} error(es); no se cargó nada.", errors, total_errors=total)


def _duplicates(frame: pd.DataFrame, key: list[str], what: str) -> None:
    """Refuse a file that gives the same key twice (ambiguous: which quantity?)."""
    repeated = frame.duplicated(key, keep=False)
    if not repeated.any():
        return
    first_row = frame[repeated].reset_index().groupby(key, sort=False)["index"].transform("min")
    rows = frame[repeated].reset_index()
    errors = [
        RowError(int(row), key[0], str(value), f"{what} repetido (también en la fila {int(first)})")
        for row, value, first in zip(rows["index"], rows[key[0]], first_row, strict=True)
        if int(row) != int(first)
    ]
    raise JobInputError(
        f"El archivo repite {len(errors)} {what}(s); no se cargó nada. Deje una sola fila por {what}.",
        errors[:100_000],
        total_errors=len(errors),
    )


@dataclass
class ProductImportResult:
    rows_read: int
    sku_count: int
    created: int
    renamed: int
    categories_set: int
    category_warnings: list[str] = field(default_factory=list)

    def summary(self) -> dict[str, object]:
        return {
            "Filas leídas": self.rows_read,
            "SKUs": self.sku_count,
            "Productos nuevos": self.created,
            "Nombres actualizados": self.renamed,
            "Categorías asignadas": self.categories_set,
            "Advertencias de categoría": len(self.category_warnings),
        }


PRODUCT_COLUMNS = [
    Column("sku"),
    Column("product_name", required=False),
    Column("category", required=False),
]


def products_import(
    *,
    path: str | Path,
    user: Any = None,
    progress: Progress = _no_progress,
    file_name: str = "",
    job: Any = None,
    max_bytes: int | None = None,
) -> ProductImportResult:
    """Create or update products from a file (sku, product_name, category),
    with the category rule of SPEC §2."""
    progress(5, "Leyendo y validando el archivo")
    frame = read_table(path, PRODUCT_COLUMNS, max_bytes=max_bytes)
    check_text_lengths(frame)
    progress(40, "Guardando productos", rows_read=len(frame))
    with transaction.atomic():
        imports_lock()
        upserted = products_upsert(frame)
        result = ProductImportResult(
            rows_read=len(frame),
            sku_count=len(upserted.id_by_sku),
            created=upserted.created,
            renamed=upserted.renamed,
            categories_set=upserted.categories_set,
            category_warnings=upserted.category_warnings,
        )
        audit_record(
            user=user,
            action="upload",
            object_repr=f"Productos: {file_name or Path(path).name}",
            object_url=_job_url(job),
            details={
                "kind": "products",
                "rows": result.rows_read,
                "skus": result.sku_count,
                "created": result.created,
                "renamed": result.renamed,
                "categories_set": result.categories_set,
                "category_warnings": len(result.category_warnings),
            },
        )
        progress(100, "Terminada", rows_read=len(frame), rows_written=result.created + result.renamed)
    return result


@dataclass
class StockImportResult:
    snapshot_date: dt.date
    rows_read: int
    sku_count: int
    store_count: int  # 0 for the CD
    units: int
    replaced: int  # rows of the same date (and stores) the file replaced
    new_products: int
    new_stores: int = 0
    category_warnings: list[str] = field(default_factory=list)

    def summary(self) -> dict[str, object]:
        summary: dict[str, object] = {
            "Fecha del stock": self.snapshot_date.isoformat(),
            "Filas leídas": self.rows_read,
            "SKUs": self.sku_count,
        }
        if self.store_count:
            summary["Tiendas"] = self.store_count
        summary.update(
            {
                "Unidades": self.units,
                "Filas reemplazadas de la misma fecha": self.replaced,
                "Productos nuevos": self.new_products,
            }
        )
        if self.store_count:
            summary["Tiendas nuevas"] = self.new_stores
        summary["Advertencias de categoría"] = len(self.category_warnings)
        return summary


CD_STOCK_COLUMNS = [
    Column("sku"),
    Column("quantity", Kind.INT, min_value=0),
    Column("product_name", required=False),
    Column("category", required=False),
]
STORE_STOCK_COLUMNS = [
    Column("sku"),
    Column("store"),
    Column("quantity", Kind.INT, min_value=0),
    Column("product_name", required=False),
    Column("category", required=False),
]


def cd_stock_import(
    *,
    path: str | Path,
    snapshot_date: dt.date | None = None,
    user: Any = None,
    progress: Progress = _no_progress,
    file_name: str = "",
    job: Any = None,
    max_bytes: int | None = None,
) -> StockImportResult:
    """The CD's stock on a date (default today). Loading a date again replaces
    that date's snapshot. Current CD stock = the latest date (absent SKU: 0)."""
    day = snapshot_date or timezone.localdate()
    progress(5, "Leyendo y validando el archivo")
    frame = read_table(path, CD_STOCK_COLUMNS, max_bytes=max_bytes)
    check_text_lengths(frame)
    _duplicates(frame, ["sku"], "SKU")
    progress(40, "Actualizando productos", rows_read=len(frame))
    with transaction.atomic():
        imports_lock()
        products = products_upsert(frame)
        replaced, _ = CDStockSnapshot.objects.filter(snapshot_date=day).delete()
        progress(60, "Guardando stock CD", rows_read=len(frame))
        rows = pd.DataFrame(
            {
                "product_id": frame["sku"].map(products.id_by_sku).to_numpy(dtype="int64"),
                "units": frame["quantity"].to_numpy(dtype="int64"),
                "snapshot_date": np.datetime64(day, "D"),
            }
        )
        written = rows_insert(
            CDStockSnapshot._meta.db_table,
            rows,
            types={"product_id": "bigint", "units": "integer", "snapshot_date": "date"},
        )
        analyze_after_load(CDStockSnapshot._meta.db_table, rows=written)
        result = StockImportResult(
            snapshot_date=day,
            rows_read=len(frame),
            sku_count=written,
            store_count=0,
            units=int(rows["units"].sum()),
            replaced=replaced,
            new_products=products.created,
            category_warnings=products.category_warnings,
        )
        audit_record(
            user=user,
            action="upload",
            object_repr=f"Stock CD {day:%Y-%m-%d}: {file_name or Path(path).name}",
            object_url=_job_url(job),
            details={
                "kind": "cd_stock",
                "date": day.isoformat(),
                "rows": written,
                "units": result.units,
                "replaced": replaced,
                "new_products": products.created,
            },
        )
        progress(100, "Terminada", rows_read=len(frame), rows_written=written)
    return result


def store_stock_import(
    *,
    path: str | Path,
    snapshot_date: dt.date | None = None,
    user: Any = None,
    progress: Progress = _no_progress,
    file_name: str = "",
    job: Any = None,
    max_bytes: int | None = None,
) -> StockImportResult:
    """Stores' stock on a date (default today). For each store in the file,
    loading a date again replaces that store's snapshot of the date; other
    stores keep theirs. Store.stock_date stays the store's latest snapshot date:
    a store's current stock is that snapshot, and a SKU absent from it has 0."""
    day = snapshot_date or timezone.localdate()
    progress(5, "Leyendo y validando el archivo")
    frame = read_table(path, STORE_STOCK_COLUMNS, max_bytes=max_bytes)
    check_text_lengths(frame)
    progress(30, "Actualizando productos y tiendas", rows_read=len(frame))
    with transaction.atomic():
        imports_lock()
        stores = stores_resolve(frame["store"].unique())
        frame["store_id"] = frame["store"].map(stores.id_by_label).astype("int64")
        _duplicates(frame, ["sku", "store_id"], "SKU y tienda")
        products = products_upsert(frame)
        store_ids = sorted(set(frame["store_id"].tolist()))
        snapshots = StoreStockSnapshot._meta.db_table
        with connection.cursor() as cursor:
            store_sql, store_params = in_clause("store_id", store_ids)
            cursor.execute(
                f"DELETE FROM {snapshots} WHERE snapshot_date = %s AND {store_sql}",  # noqa: S608 - identifiers are ours
                [date_param(day), *store_params],
            )
            replaced = max(cursor.rowcount, 0)
        progress(50, "Guardando stock de tiendas", rows_read=len(frame))
        rows = pd.DataFrame(
            {
                "store_id": frame["store_id"].to_numpy(dtype="int64"),
                "product_id": frame["sku"].map(products.id_by_sku).to_numpy(dtype="int64"),
                "units": frame["quantity"].to_numpy(dtype="int64"),
                "snapshot_date": np.datetime64(day, "D"),
            }
        )

        def insert_progress(done: int, total: int) -> None:
            progress(50 + 45 * done / total, "Guardando stock de tiendas", rows_written=done)

        written = rows_insert(
            snapshots,
            rows,
            types={"store_id": "bigint", "product_id": "bigint", "units": "integer", "snapshot_date": "date"},
            progress=insert_progress,
        )
        # Each store's current stock is its latest snapshot: move the date forward only.
        Store.objects.filter(id__in=store_ids).filter(Q(stock_date__isnull=True) | Q(stock_date__lt=day)).update(
            stock_date=day
        )
        analyze_after_load(snapshots, Store._meta.db_table, rows=written)
        result = StockImportResult(
            snapshot_date=day,
            rows_read=len(frame),
            sku_count=int(frame["sku"].nunique()),
            store_count=len(store_ids),
            units=int(rows["units"].sum()),
            replaced=replaced,
            new_products=products.created,
            new_stores=stores.created,
            category_warnings=products.category_warnings,
        )
        audit_record(
            user=user,
            action="upload",
            object_repr=f"Stock tiendas {day:%Y-%m-%d}: {file_name or Path(path).name}",
            object_url=_job_url(job),
            details={
                "kind": "store_stock",
                "date": day.isoformat(),
                "rows": written,
                "stores": len(store_ids),
                "units": result.units,
                "replaced": replaced,
                "new_products": products.created,
                "new_stores": stores.created,
            },
        )
        progress(100, "Terminada", rows_read=len(frame), rows_written=written)
    return result
