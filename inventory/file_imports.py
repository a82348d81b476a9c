"""File imports of products, CD stock and store stock (SPEC §2, §3, §9)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from django.db import connection, transaction
from django.db.models import Max, Q
from django.db.models.functions import Coalesce
from django.utils import timezone

from fastdso.db import analyze_after_load, date_param, imports_lock, in_clause, rows_insert
from fastdso.files import Column, Kind, RowError, read_table
from fastdso.jobs import JobInputError, no_progress, upload_order_check
from fastdso.messages import Message, msg
from fastdso.uploads import text_lengths_check, upload_finish
from inventory import queries as inventory_queries
from inventory.demo import demo_present
from inventory.masters import Progress, products_upsert, stores_resolve
from inventory.models import (
    TEXT_LIMITS,
    CDStockSnapshot,
    Store,
    StoreStockSnapshot,
)

# --------------------------------------------------------------------------
# File imports: products, CD stock, store stock (SPEC §2, §3, §9)
# --------------------------------------------------------------------------


def _duplicates(frame: pd.DataFrame, key: list[str], what: str) -> None:
    """Refuse a file that gives the same key twice (ambiguous: which quantity?)."""
    repeated = frame.duplicated(key, keep=False)
    if not repeated.any():
        return
    first_row = frame[repeated].reset_index().groupby(key, sort=False)["index"].transform("min")
    rows = frame[repeated].reset_index()
    errors = [
        RowError(int(row), key[0], str(value), msg(f"inventory.repeated_{what}_row", row=int(first)))
        for row, value, first in zip(rows["index"], rows[key[0]], first_row, strict=True)
        if int(row) != int(first)
    ]
    raise JobInputError(
        msg(f"inventory.repeated_{what}", n=len(errors)),
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
    category_warnings: list[Message] = field(default_factory=list)
    repacked: int = 0
    display_min_set: int | None = None  # None: the file gives no display_min

    def summary(self) -> dict[str, object]:
        summary: dict[str, object] = {
            "rows_read": self.rows_read,
            "skus": self.sku_count,
            "new_products": self.created,
            "names_updated": self.renamed,
            "categories_set": self.categories_set,
            "packs_changed": self.repacked,
        }
        if self.display_min_set is not None:
            summary["display_min_set"] = self.display_min_set
        summary["category_warnings"] = len(self.category_warnings)
        return summary


# Units per case (SPEC §5.4a): optional `pack_size` / `unidades_por_caja`, an integer ≥ 1.
PACK_SIZE_COLUMN = Column("pack_size", Kind.INT, required=False, min_value=1)
# Units a store shows whatever it sells (SPEC v3 §5.2): optional `display_min` /
# `exhibicion_minima`, an integer ≥ 0 (blank: kept).
DISPLAY_MIN_COLUMN = Column("display_min", Kind.INT, required=False, min_value=0)
PRODUCT_COLUMNS = [
    Column("sku"),
    Column("product_name", required=False),
    Column("category", required=False),
    PACK_SIZE_COLUMN,
    DISPLAY_MIN_COLUMN,
]


def products_import(
    *,
    path: str | Path,
    user: Any = None,
    progress: Progress = no_progress,
    file_name: str = "",
    job: Any = None,
    max_bytes: int | None = None,
) -> ProductImportResult:
    """Create or update products from a file (sku, product_name, category),
    with the category rule of SPEC §2."""
    progress(5, "stage.reading_file")
    frame = read_table(path, PRODUCT_COLUMNS, max_bytes=max_bytes)
    text_lengths_check(frame, TEXT_LIMITS)
    progress(40, "stage.saving_products", rows_read=len(frame))
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
            repacked=upserted.repacked,
            display_min_set=upserted.display_min_set if upserted.display_min_given else None,
        )
        upload_finish(
            user=user,
            job=job,
            progress=progress,
            object_repr=msg("inventory.audit_products", file=file_name or Path(path).name),
            details={
                "kind": "products",
                "rows": result.rows_read,
                "skus": result.sku_count,
                "created": result.created,
                "renamed": result.renamed,
                "categories_set": result.categories_set,
                "category_warnings": len(result.category_warnings),
                **({"display_min_set": result.display_min_set} if result.display_min_set is not None else {}),
            },
            rows_read=len(frame),
            rows_written=result.created + result.renamed,
        )
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
    category_warnings: list[Message] = field(default_factory=list)
    partial: bool = False  # CD only: the file updated only its SKUs
    kept: int = 0  # CD, partial: SKUs not in the file that kept their latest quantity

    def summary(self) -> dict[str, object]:
        summary: dict[str, object] = {
            "snapshot_date": self.snapshot_date.isoformat(),
            "rows_read": self.rows_read,
            "skus": self.sku_count,
        }
        if not self.store_count:
            summary["mode"] = msg("inventory.cd_partial" if self.partial else "inventory.cd_complete")
            if self.partial:
                summary["skus_kept"] = self.kept
        if self.store_count:
            summary["stores"] = self.store_count
        summary.update({"units": self.units, "rows_replaced": self.replaced, "new_products": self.new_products})
        if self.store_count:
            summary["new_stores"] = self.new_stores
        summary["category_warnings"] = len(self.category_warnings)
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


def _is_backfill(day: dt.date, latest: dt.date | None) -> bool:
    return latest is not None and day < latest


def stock_date_check(day: dt.date, latest: dt.date | None, *, backfill: bool) -> None:
    """SPEC v3 §5.7: a count dated after today is refused (it would end
    reservations and in-transit units of goods not yet moved); one dated
    before the latest count of the place needs the planner's `backfill`."""
    today = timezone.localdate()
    if day > today:
        raise JobInputError(msg("inventory.stock_date_future", date=day, today=today))
    if _is_backfill(day, latest) and not backfill:
        raise JobInputError(msg("inventory.stock_date_backfill", date=day, latest=latest))


def _cd_kept_rows(day: dt.date, file_product_ids: set[int]) -> pd.DataFrame:
    """`--partial`: the latest CD quantity (on or before `day`) of every SKU
    the file does not name, to carry into the new snapshot with the date it
    was counted: it was not counted again, so what runs reserved since that
    count is still in it (their reservations go on, SPEC §5.7)."""
    base = CDStockSnapshot.objects.filter(snapshot_date__lte=day).aggregate(latest=Max("snapshot_date"))["latest"]
    columns = ["product_id", "units", "counted_on"]
    if base is None:
        return pd.DataFrame({"product_id": [], "units": [], "counted_on": []}).astype(
            {"product_id": "int64", "units": "int64"}
        )
    rows = CDStockSnapshot.objects.filter(snapshot_date=base).values_list(
        "product_id", "units", Coalesce("counted_on", "snapshot_date")
    )
    kept = pd.DataFrame(list(rows), columns=columns).astype({"product_id": "int64", "units": "int64"})
    return kept[~kept["product_id"].isin(file_product_ids)]


CD_SNAPSHOT_TYPES = {"product_id": "bigint", "units": "integer", "snapshot_date": "date", "counted_on": "date"}


def cd_stock_import(
    *,
    path: str | Path,
    snapshot_date: dt.date | None = None,
    partial: bool = False,
    backfill: bool = False,
    user: Any = None,
    progress: Progress = no_progress,
    file_name: str = "",
    job: Any = None,
    max_bytes: int | None = None,
) -> StockImportResult:
    """The CD's stock on a date (default today). A CD file is the whole CD
    (SPEC §9): SKUs absent from it have 0 units — unless `partial`, where the
    file updates only its SKUs and every other SKU keeps its latest quantity
    (carried into the new snapshot). Loading a date again replaces that
    date's snapshot. Current CD stock = the latest date (absent SKU: 0).
    A date after today is refused; one before the latest snapshot needs
    `backfill` (SPEC v3 §5.7)."""
    day = snapshot_date or timezone.localdate()
    # While the demo is loaded its dates are no reference: a real file is no backfill.
    previous = None if demo_present() else inventory_queries.cd_stock_date()
    stock_date_check(day, previous, backfill=backfill)
    progress(5, "stage.reading_file")
    frame = read_table(path, CD_STOCK_COLUMNS, max_bytes=max_bytes)
    text_lengths_check(frame, TEXT_LIMITS)
    _duplicates(frame, ["sku"], "sku")
    progress(40, "stage.updating_products", rows_read=len(frame))
    with transaction.atomic():
        imports_lock()
        upload_order_check(job, dataset="cd_stock", stores=None, first=day, last=day)
        products = products_upsert(frame)
        rows = pd.DataFrame(
            {
                "product_id": frame["sku"].map(products.id_by_sku).to_numpy(dtype="int64"),
                "units": frame["quantity"].to_numpy(dtype="int64"),
                "counted_on": day,
            }
        )
        kept = _cd_kept_rows(day, set(rows["product_id"].tolist())) if partial else rows.iloc[0:0]
        replaced, _ = CDStockSnapshot.objects.filter(snapshot_date=day).delete()
        progress(60, "stage.saving_cd_stock", rows_read=len(frame))
        rows = pd.concat([rows, kept], ignore_index=True).assign(snapshot_date=np.datetime64(day, "D"))
        written = rows_insert(CDStockSnapshot._meta.db_table, rows, types=CD_SNAPSHOT_TYPES)
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
            partial=partial,
            kept=len(kept),
        )
        upload_finish(
            user=user,
            job=job,
            progress=progress,
            object_repr=msg("inventory.audit_cd_stock", date=day, file=file_name or Path(path).name),
            details={
                "kind": "cd_stock",
                "date": day.isoformat(),
                "backfill": _is_backfill(day, previous),
                "partial": partial,
                "kept": len(kept),
                "rows": written,
                "units": result.units,
                "replaced": replaced,
                "new_products": products.created,
            },
            rows_read=len(frame),
            rows_written=written,
        )
    return result


def _store_snapshots_replace(
    rows: pd.DataFrame, store_ids: list[int], day: dt.date, progress: Progress
) -> tuple[int, int]:
    """Replace the file's stores' snapshots of `day` with `rows`; move each
    store's stock_date forward. Returns (rows replaced, rows written)."""
    snapshots = StoreStockSnapshot._meta.db_table
    with connection.cursor() as cursor:
        store_sql, store_params = in_clause("store_id", store_ids)
        cursor.execute(
            f"DELETE FROM {snapshots} WHERE snapshot_date = %s AND {store_sql}",  # noqa: S608 - identifiers are ours
            [date_param(day), *store_params],
        )
        replaced = max(cursor.rowcount, 0)
    progress(50, "stage.saving_store_stock", rows_read=len(rows))

    def insert_progress(done: int, total: int) -> None:
        progress(50 + 45 * done / total, "stage.saving_store_stock", rows_written=done)

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
    return replaced, written


def store_stock_import(
    *,
    path: str | Path,
    snapshot_date: dt.date | None = None,
    backfill: bool = False,
    user: Any = None,
    progress: Progress = no_progress,
    file_name: str = "",
    job: Any = None,
    max_bytes: int | None = None,
) -> StockImportResult:
    """Stores' stock on a date (default today). For each store in the file,
    loading a date again replaces that store's snapshot of the date; other
    stores keep theirs. Store.stock_date stays the store's latest snapshot date:
    a store's current stock is that snapshot, and a SKU absent from it has 0.
    A date after today is refused; one before the latest snapshot of a store
    in the file needs `backfill` (SPEC v3 §5.7)."""
    day = snapshot_date or timezone.localdate()
    stock_date_check(day, None, backfill=backfill)
    progress(5, "stage.reading_file")
    frame = read_table(path, STORE_STOCK_COLUMNS, max_bytes=max_bytes)
    text_lengths_check(frame, TEXT_LIMITS)
    progress(30, "stage.updating_products_stores", rows_read=len(frame))
    with transaction.atomic():
        imports_lock()
        stores = stores_resolve(frame["store"].unique())
        frame["store_id"] = frame["store"].map(stores.id_by_label).astype("int64")
        _duplicates(frame, ["sku", "store_id"], "sku_store")
        products = products_upsert(frame)
        store_ids = sorted(set(frame["store_id"].tolist()))
        latest = Store.objects.filter(id__in=store_ids).aggregate(latest=Max("stock_date"))["latest"]
        latest = None if demo_present() else latest
        stock_date_check(day, latest, backfill=backfill)
        upload_order_check(job, dataset="store_stock", stores=store_ids, first=day, last=day)
        rows = pd.DataFrame(
            {
                "store_id": frame["store_id"].to_numpy(dtype="int64"),
                "product_id": frame["sku"].map(products.id_by_sku).to_numpy(dtype="int64"),
                "units": frame["quantity"].to_numpy(dtype="int64"),
                "snapshot_date": np.datetime64(day, "D"),
            }
        )
        replaced, written = _store_snapshots_replace(rows, store_ids, day, progress)
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
        upload_finish(
            user=user,
            job=job,
            progress=progress,
            object_repr=msg("inventory.audit_store_stock", date=day, file=file_name or Path(path).name),
            details={
                "kind": "store_stock",
                "date": day.isoformat(),
                "backfill": _is_backfill(day, latest),
                "rows": written,
                "stores": len(store_ids),
                "units": result.units,
                "replaced": replaced,
                "new_products": products.created,
                "new_stores": stores.created,
            },
            rows_read=len(frame),
            rows_written=written,
        )
    return result
