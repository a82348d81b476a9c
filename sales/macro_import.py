"""The macro sales import (SPEC §4.1–§4.3): a daily sales file into the weekly
macro layer. The file is read and validated whole (`sales.sales_file`), then,
in one transaction, products and stores are upserted, the weekly rows merged
into the stored ones (`sales.weekly_writer`), the stores' coverage moved
forward, the category summary filled again and the load recorded.

- `replace_range`: for every store in the file, the file's dates (first to
  last) are replaced: days the file does not mention inside that range
  become 0, days outside it (the uncovered part of a boundary week) are
  kept. Unchanged weekly rows are not rewritten, so re-uploading a file
  writes nothing.
- `append_range`: the file's day quantities are added to what is there."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from django.db import transaction

from fastdso.jobs import JobInputError, no_progress
from fastdso.messages import Message, msg
from fastdso.uploads import upload_finish
from sales.models import DAY_FIELDS, SalesLoad, StoreCoverage
from sales.partitions import partitions_ensure
from sales.queries import default_as_of_week
from sales.sales_file import (
    BASE_DAY_NUMBER,
    Progress,
    SalesFile,
    sales_file_catalogue,
    sales_file_read,
    sum_by_key,
)
from sales.summary import summary_fill
from sales.weekly_writer import weekly_write

MODES = (SalesLoad.Mode.REPLACE_RANGE, SalesLoad.Mode.APPEND_RANGE)


@dataclass
class MacroImportResult:
    load: SalesLoad
    mode: str
    rows_read: int
    weekly_rows: int  # weekly rows in the file
    rows_written: int  # weekly rows inserted or changed
    rows_cleared: int  # weekly rows of the replaced range set to 0 or removed
    sku_count: int
    store_count: int
    week_count: int
    first_date: dt.date
    last_date: dt.date
    new_products: int
    new_stores: int
    category_warnings: list[Message] = field(default_factory=list)

    def summary(self) -> dict[str, object]:
        """The job page's summary, by code (labels: the catalogues)."""
        return {
            "mode": str(self.mode),
            "rows_read": self.rows_read,
            "skus": self.sku_count,
            "stores": self.store_count,
            "weeks_loaded": self.week_count,
            "date_range": msg("date_range_value", first=self.first_date, last=self.last_date),
            "weekly_rows": self.weekly_rows,
            "weekly_rows_written": self.rows_written,
            "weekly_rows_cleared": self.rows_cleared,
            "new_products": self.new_products,
            "new_stores": self.new_stores,
            "category_warnings": len(self.category_warnings),
        }


def _macro_file_read(path: str | Path, *, progress: Progress, max_bytes: int | None) -> SalesFile:
    """The file read into weekly rows, then (PostgreSQL) its months' partitions
    created, each in a short transaction of its own: before the import's
    transaction, which must not hold the parent table's lock for its length."""
    data = sales_file_read(path, weekly=True, progress=progress, max_bytes=max_bytes)
    partitions_ensure(data.first_date, data.last_date)
    return data


def macro_sales_import(
    *,
    path: str | Path,
    mode: str = "replace_range",  # SalesLoad.Mode.REPLACE_RANGE
    user: Any = None,
    progress: Progress = no_progress,
    file_name: str = "",
    job: Any = None,
    max_bytes: int | None = None,
) -> MacroImportResult:
    """Load a daily sales file into the weekly macro layer (SPEC §4), in one transaction."""
    if mode not in MODES:
        raise JobInputError(msg("sales.unknown_mode", mode=mode))
    progress(1, "stage.reading_file")
    data = _macro_file_read(path, progress=progress, max_bytes=max_bytes)
    with transaction.atomic():
        catalogue = sales_file_catalogue(
            data, job=job, dataset="macro_sales", progress=progress, commutative=mode == SalesLoad.Mode.APPEND_RANGE
        )
        products, stores = catalogue.products, catalogue.stores
        product_ids, store_ids = catalogue.product_ids, catalogue.store_ids
        weekly = _weekly_frame(data, product_ids, store_ids)
        data.keys = data.days = np.zeros(0, dtype=np.int64)  # only the weekly frame is needed now
        progress(35, "stage.writing_weekly", rows_read=data.rows_read)
        written, cleared = weekly_write(
            weekly,
            mode=mode,
            store_ids=sorted(set(store_ids.tolist())),
            first_date=data.first_date,
            last_date=data.last_date,
            progress=progress,
        )
        store_count = len(set(store_ids.tolist()))
        coverage_extend(store_ids=sorted(set(store_ids.tolist())), last_date=data.last_date)
        progress(95, "stage.category_summary", rows_read=data.rows_read)
        as_of_week = default_as_of_week()
        if as_of_week is not None:  # the next run's cold start reads it instead of the weekly rows
            summary_fill(as_of_week)
        week_count = int(weekly["week"].nunique()) if len(weekly) else 0
        load = SalesLoad.objects.create(
            job=job,
            user=user if getattr(user, "is_authenticated", False) else None,
            file_name=(file_name or Path(path).name)[:255],
            mode=mode,
            first_date=data.first_date,
            last_date=data.last_date,
            rows_read=data.rows_read,
            rows_written=written,
            sku_count=len(data.skus),
            store_count=store_count,
            week_count=week_count,
        )
        result = MacroImportResult(
            load=load,
            mode=str(mode),
            rows_read=data.rows_read,
            weekly_rows=len(weekly),
            rows_written=written,
            rows_cleared=cleared,
            sku_count=len(data.skus),
            store_count=store_count,
            week_count=week_count,
            first_date=data.first_date,
            last_date=data.last_date,
            new_products=products.created,
            new_stores=stores.created,
            category_warnings=products.category_warnings,
        )
        _macro_finish(result, user=user, job=job, progress=progress)
    return result


def _macro_finish(result: MacroImportResult, *, user: Any, job: Any, progress: Progress) -> None:
    upload_finish(
        user=user,
        job=job,
        progress=progress,
        obj=result.load,
        rows_read=result.rows_read,
        rows_written=result.rows_written,
        details={
            "kind": "macro_sales",
            "mode": result.mode,
            "rows": result.rows_read,
            "skus": result.sku_count,
            "stores": result.store_count,
            "weeks": result.week_count,
            "first_date": result.first_date.isoformat(),
            "last_date": result.last_date.isoformat(),
            "rows_written": result.rows_written,
            "rows_cleared": result.rows_cleared,
            "new_products": result.new_products,
            "new_stores": result.new_stores,
            "category_warnings": len(result.category_warnings),
        },
    )


def coverage_extend(*, store_ids: list[int], last_date: dt.date) -> None:
    """covered_until(store) = the latest last date of the loads that included
    the store (SPEC §4.3): moved forward only, for the file's stores only."""
    if not store_ids:
        return
    current = dict(StoreCoverage.objects.filter(store_id__in=store_ids).values_list("store_id", "covered_until"))
    rows = [
        StoreCoverage(store_id=store_id, covered_until=last_date)
        for store_id in store_ids
        if current.get(store_id) is None or current[store_id] < last_date
    ]
    StoreCoverage.objects.bulk_create(
        rows, batch_size=1000, update_conflicts=True, unique_fields=["store"], update_fields=["covered_until"]
    )


def _weekly_frame(data: SalesFile, product_ids: np.ndarray, store_ids: np.ndarray) -> pd.DataFrame:
    """Weekly rows with database ids (`week`: day number of the Monday),
    re-summed where two store labels of the file name the same store, without
    all-zero rows, sorted as the unique index (product, week, store).
    Built with numpy, one column at a time, the file's aggregate released as
    it goes: this is the biggest frame of a load (SPEC §11a: memory)."""
    keys, days = data.keys, data.days
    data.keys = data.days = np.zeros(0, dtype=np.int64)
    unique_stores, canonical = np.unique(store_ids, return_inverse=True)
    if len(unique_stores) < len(store_ids):  # two labels of the file, one store: sum their rows
        store_code = canonical.astype(np.int64)[(keys >> 20) & 0xFFFFF]
        keys, days = sum_by_key((keys & ~np.int64(0xFFFFF << 20)) | (store_code << 20), days)
        store_ids = unique_stores
    keep = days.any(axis=1)  # day sums fit in int32: `int32_days` checked them
    if not keep.all():
        keys, days = keys[keep], days[keep]
    del keep
    order = unique_index_order(keys, product_ids, store_ids)
    keys = keys[order]
    frame = pd.DataFrame({"product_id": product_ids[keys >> 40]})
    frame["store_id"] = store_ids[(keys >> 20) & 0xFFFFF]
    frame["week"] = BASE_DAY_NUMBER + (keys & 0xFFFFF) * 7
    del keys
    for column, day in enumerate(DAY_FIELDS):
        frame[day] = days[order, column]
    return frame


def unique_index_order(keys: np.ndarray, product_ids: np.ndarray, store_ids: np.ndarray) -> np.ndarray:
    """The order of the file's keys by (product id, week, store id), ties in
    the file's order, as `np.lexsort` of the three gives it but as one int64
    sort: each id replaced by its rank (< 2²³ SKUs, < 2²⁰ stores: it fits),
    then a stable sort, which uses the runs the file's order already has.
    4.1M rows: ~0.3 s against ~2.1 s for the three-key lexsort."""
    product_rank = np.unique(product_ids, return_inverse=True)[1].astype(np.int64)  # equal ids, equal ranks
    store_rank = np.unique(store_ids, return_inverse=True)[1].astype(np.int64)
    sort_key = (product_rank[keys >> 40] << 40) | ((keys & 0xFFFFF) << 20) | store_rank[(keys >> 20) & 0xFFFFF]
    return np.argsort(sort_key, kind="stable")
