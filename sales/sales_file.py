"""Reading a sales file (SPEC §4.1): validated block by block (memory bounded
whatever its length) and summed in numpy per (SKU, store, week) with its seven
day columns, or per (SKU, store, date). Both sales imports read through it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from django.utils import timezone

from fastdso.db import imports_lock
from fastdso.files import Column, Kind, RowError, iter_table
from fastdso.jobs import JobInputError, no_progress, upload_order_check
from fastdso.messages import msg
from fastdso.uploads import text_length_errors
from inventory.models import TEXT_LIMITS
from inventory.services import ProductUpsertResult, StoreResolveResult, products_upsert, stores_resolve

Progress = Callable[..., None]

SALES_COLUMNS = [
    Column("sku"),
    Column("store"),
    Column("date", Kind.DATE),
    Column("quantity", Kind.INT),
    Column("product_name", required=False),
    Column("category", required=False),
]

# Dates a sales file may carry (anything else is a typing error, such as an
# XLSX serial 99999 = 2173-10-13): from 2000-01-01 to a week after today.
FIRST_VALID_DATE = dt.date(2000, 1, 1)
DAYS_AHEAD_ALLOWED = 7


def last_valid_sales_date() -> dt.date:
    return timezone.localdate() + dt.timedelta(days=DAYS_AHEAD_ALLOWED)


# Day numbers are counted from this Monday, so week numbers are never negative.
BASE_MONDAY = np.datetime64("1900-01-01", "D")
BASE_DAY_NUMBER = int(BASE_MONDAY.astype(np.int64))  # its number of days since 1970-01-01
_INT32_MAX = 2_147_483_647
# Partial weekly aggregates are summed into the running total when they
# exceed this many rows.
_COMPACT_ROWS = 1_000_000


@dataclass
class SalesFile:
    """A validated sales file, aggregated: what the writers need."""

    skus: list[str]  # by code
    stores: list[str]  # by code
    products: pd.DataFrame  # sku, product_name, category (first non-empty wins)
    keys: np.ndarray  # int64: sku code << 40 | store code << 20 | day or week number
    days: np.ndarray  # int32 (n, 7) day sums for weekly rows, (n, 1) for daily rows
    rows_read: int
    first_date: dt.date
    last_date: dt.date


class SalesAccumulator:
    """Sums quantities per (sku, store, week) with day columns, or per
    (sku, store, date), one block at a time."""

    def __init__(self, *, weekly: bool) -> None:
        self.weekly = weekly
        self.sku_codes: dict[str, int] = {}
        self.store_codes: dict[str, int] = {}
        self.product_parts: list[pd.DataFrame] = []
        self.parts: list[tuple[np.ndarray, np.ndarray]] = []
        self.part_rows = 0
        self.total: tuple[np.ndarray, np.ndarray] | None = None  # sorted unique keys, their day sums
        self.rows_read = 0
        self.first_day: int | None = None
        self.last_day: int | None = None
        self.errors: list[RowError] = []

    @staticmethod
    def _codes(values: pd.Series, known: dict[str, int]) -> np.ndarray:
        codes, uniques = pd.factorize(values)
        # A value's code is its place in `known` (codes are given in order):
        # looked up in bulk, only the values seen for the first time one by one.
        mapping = pd.Index(list(known), dtype=object).get_indexer(uniques).astype(np.int64)
        for i in np.flatnonzero(mapping < 0).tolist():
            mapping[i] = known.setdefault(uniques[i], len(known))
        return mapping[codes]

    def add(self, frame: pd.DataFrame) -> None:
        self.rows_read += len(frame)
        dates = frame["date"].to_numpy().astype("datetime64[D]")
        last = last_valid_sales_date()
        bad = (dates < np.datetime64(FIRST_VALID_DATE)) | (dates > np.datetime64(last))
        if bad.any():
            message = msg("sales.date_out_of_range", first=FIRST_VALID_DATE, last=last)
            for row, value in frame.loc[bad, "date"].head(1000).items():
                self.errors.append(RowError(int(row), "date", str(value.date()), message))
            return
        days = (dates - BASE_MONDAY).astype(np.int64)
        low, high = int(days.min()), int(days.max())
        self.first_day = low if self.first_day is None else min(self.first_day, low)
        self.last_day = high if self.last_day is None else max(self.last_day, high)
        named = frame[["product_name", "category"]].fillna("").ne("").any(axis=1)
        if named.any():
            self.product_parts.append(frame.loc[named, ["sku", "product_name", "category"]].drop_duplicates())
        length_errors, _ = text_length_errors(frame, TEXT_LIMITS, limit=1000)
        if length_errors:
            self.errors.extend(length_errors)
            return
        sku = self._codes(frame["sku"], self.sku_codes)
        store = self._codes(frame["store"], self.store_codes)
        if len(self.sku_codes) >= 1 << 23 or len(self.store_codes) >= 1 << 20:
            raise JobInputError(msg("sales.too_many_keys"))
        quantity = frame["quantity"].to_numpy(dtype=np.int64)
        if self.weekly:
            weekday = days % 7
            key = (sku << 40) | (store << 20) | (days // 7)
            self._add_part(key, quantity, weekday, 7)
        else:
            key = (sku << 40) | (store << 20) | days
            self._add_part(key, quantity, np.zeros(len(key), dtype=np.int64), 1)

    def _add_part(self, key: np.ndarray, quantity: np.ndarray, slot: np.ndarray, width: int) -> None:
        unique, inverse = np.unique(key, return_inverse=True)
        sums = np.bincount(inverse * width + slot, weights=quantity, minlength=len(unique) * width)
        self.parts.append((unique, int32_days(sums).reshape(-1, width)))
        self.part_rows += len(unique)
        if self.part_rows > _COMPACT_ROWS:
            self._compact()

    def _compact(self) -> None:
        if not self.parts:
            return
        new = _merge(self.parts)
        self.parts, self.part_rows = [], 0
        self.total = new if self.total is None else _merge_sorted(self.total, new)

    def result(self) -> SalesFile:
        if self.errors:
            self.errors.sort(key=lambda e: (e.row or 0, e.column))
            raise JobInputError(msg("files.refused", n=len(self.errors)), self.errors)
        self._compact()
        keys, days = self.total if self.total is not None else _merge([])
        self.total = None
        skus = list(self.sku_codes)
        products = pd.concat(
            [*self.product_parts, pd.DataFrame({"sku": skus, "product_name": "", "category": ""})],
            ignore_index=True,
        )
        return SalesFile(
            skus=skus,
            stores=list(self.store_codes),
            products=products,
            keys=keys,
            days=days,
            rows_read=self.rows_read,
            first_date=_to_date(self.first_day or 0),
            last_date=_to_date(self.last_day or 0),
        )


def _merge(parts: list[tuple[np.ndarray, np.ndarray]]) -> tuple[np.ndarray, np.ndarray]:
    """Sum day columns of equal keys across partial aggregates."""
    if not parts:
        return np.zeros(0, dtype=np.int64), np.zeros((0, 7), dtype=np.int32)
    if len(parts) == 1:
        return parts[0]
    keys = np.concatenate([k for k, _ in parts])
    days = np.concatenate([d for _, d in parts])
    parts.clear()  # free the partial arrays before summing
    return sum_by_key(keys, days)


def _merge_sorted(
    total: tuple[np.ndarray, np.ndarray], new: tuple[np.ndarray, np.ndarray]
) -> tuple[np.ndarray, np.ndarray]:
    """Add `new` (sorted unique keys, day sums) into `total` (the same): sums
    in place for keys already there, the others inserted in order. Memory:
    one more copy of the total at most (a concatenation and a sort of both
    would take three)."""
    keys, days = total
    new_keys, new_days = new
    position = np.searchsorted(keys, new_keys)
    hit = np.zeros(len(new_keys), dtype=bool)
    inside = position < len(keys)
    hit[inside] = keys[position[inside]] == new_keys[inside]
    if hit.any():
        at = position[hit]
        days[at] = int32_days(days[at].astype(np.int64) + new_days[hit])
    miss = ~hit
    if miss.any():
        keys = np.insert(keys, position[miss], new_keys[miss])
        days = np.insert(days, position[miss], new_days[miss], axis=0)
    return keys, days


def sum_by_key(keys: np.ndarray, days: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    unique, inverse = np.unique(keys, return_inverse=True)
    merged = np.zeros((len(unique), days.shape[1]), dtype=np.int32)
    for column in range(days.shape[1]):
        merged[:, column] = int32_days(np.bincount(inverse, weights=days[:, column], minlength=len(unique)))
    return unique, merged


def int32_days(sums: np.ndarray) -> np.ndarray:
    """Day sums as int32, what the table stores: half the memory of int64
    while a file is aggregated (SPEC §11a: 4.1M weekly rows)."""
    if len(sums) and np.abs(sums).max() > _INT32_MAX:
        raise JobInputError(msg("sales.day_overflow"))
    return np.rint(sums).astype(np.int32)


def _to_date(day_number: int) -> dt.date:
    return (BASE_MONDAY + np.timedelta64(day_number, "D")).astype(dt.date)


def sales_file_read(
    path: str | Path, *, weekly: bool, progress: Progress = no_progress, max_bytes: int | None = None
) -> SalesFile:
    """Validate and aggregate a sales file (sku, store, date, quantity, optional
    product_name, category). Raises FileRejected/JobInputError on bad input."""
    accumulator = SalesAccumulator(weekly=weekly)
    expected_rows = _estimated_rows(Path(path))
    for frame in iter_table(path, SALES_COLUMNS, max_bytes=max_bytes):
        accumulator.add(frame)
        share = min(1.0, accumulator.rows_read / expected_rows)
        progress(1 + 27 * share, "stage.reading_file", rows_read=accumulator.rows_read)
    return accumulator.result()


def _estimated_rows(path: Path) -> int:
    """Rows a file probably has, from the length of its first lines (for progress only)."""
    size = path.stat().st_size
    with path.open("rb") as stream:
        sample = stream.read(65536)
    lines = max(sample.count(b"\n"), 1)
    return max(1, int(size * lines / max(len(sample), 1)))


@dataclass
class SalesCatalogue:
    """The file's SKUs and stores in the catalogue: database ids by file code."""

    products: ProductUpsertResult
    stores: StoreResolveResult
    product_ids: np.ndarray  # int64, the product id of each SKU code
    store_ids: np.ndarray  # int64, the store id of each store code


def sales_file_catalogue(
    data: SalesFile, *, job: Any, dataset: str, progress: Progress, commutative: bool = False
) -> SalesCatalogue:
    """The first writes of both sales imports, inside their transaction: the
    imports lock, the file's products upserted and stores resolved, and the
    upload order checked (`fastdso.jobs.upload_order_check`)."""
    progress(30, "stage.updating_products_stores", rows_read=data.rows_read)
    imports_lock()
    products = products_upsert(data.products)
    stores = stores_resolve(data.stores)
    product_ids = np.array([products.id_by_sku[s] for s in data.skus], dtype=np.int64)
    store_ids = np.array([stores.id_by_label[s] for s in data.stores], dtype=np.int64)
    upload_order_check(
        job,
        dataset=dataset,
        stores=store_ids.tolist(),
        first=data.first_date,
        last=data.last_date,
        commutative=commutative,
    )
    return SalesCatalogue(products, stores, product_ids, store_ids)
