"""Sales writes: the macro sales import (SPEC §4.1–§4.3) and the legacy
subset sales import (SPEC §4.5). The web upload job and the command share them.

The macro import reads the file block by block (memory bounded whatever its
length), aggregates it to weekly rows with their seven day columns in numpy,
and then — only once the whole file has been validated — compares those
rows with the ones already stored in the file's stores and weeks
(`sales.engine.weekly_merge`) and, in one transaction, inserts the new rows
(COPY on PostgreSQL), updates the changed ones and removes the emptied ones:

- `replace_range`: for every store in the file, the file's dates (first to
  last) are replaced: days the file does not mention inside that range
  become 0, days outside it (the uncovered part of a boundary week) are
  kept. Unchanged weekly rows are not rewritten, so re-uploading a file
  writes nothing.
- `append_range`: the file's day quantities are added to what is there.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone
from pyarrow import csv as pa_csv

from fastdso.audit import audit_record
from fastdso.db import (
    chunks,
    date_param,
    imports_lock,
    in_clause,
    indexes_rebuilt_after,
    int_columns_read,
    is_postgres,
    rows_insert,
    table_is_empty,
    temp_table_load,
)
from fastdso.files import Column, Kind, RowError, iter_table, read_table
from fastdso.jobs import JobInputError, no_progress, upload_order_check
from fastdso.messages import Message, msg
from inventory.models import Product
from inventory.queries import product_ids
from inventory.services import BATCH, products_upsert, stores_resolve, text_length_errors
from sales import engine
from sales.models import DAY_FIELDS, DistributionRecord, Promotion, SalesLoad, SalesWeeklyAgg, StoreCoverage
from sales.queries import default_as_of_week, monday
from sales.summary import bulk_write, summary_fill

Progress = Callable[..., None]

SALES_COLUMNS = [
    Column("sku"),
    Column("store"),
    Column("date", Kind.DATE),
    Column("quantity", Kind.INT),
    Column("product_name", required=False),
    Column("category", required=False),
]
MODES = (SalesLoad.Mode.REPLACE_RANGE, SalesLoad.Mode.APPEND_RANGE)

WEEKLY = SalesWeeklyAgg._meta.db_table
PRODUCT = Product._meta.db_table
# Dates a sales file may carry (anything else is a typing error, such as an
# XLSX serial 99999 = 2173-10-13): from 2000-01-01 to a week after today.
FIRST_VALID_DATE = dt.date(2000, 1, 1)
DAYS_AHEAD_ALLOWED = 7


def last_valid_sales_date() -> dt.date:
    return timezone.localdate() + dt.timedelta(days=DAYS_AHEAD_ALLOWED)


# Day numbers are counted from this Monday, so week numbers are never negative.
_BASE_MONDAY = np.datetime64("1900-01-01", "D")
_BASE_DAY_NUMBER = int(_BASE_MONDAY.astype(np.int64))  # its number of days since 1970-01-01
_INT32_MAX = 2_147_483_647
# Partial weekly aggregates are summed into the running total when they
# exceed this many rows.
_COMPACT_ROWS = 1_000_000


# --------------------------------------------------------------------------
# Reading: file → weekly day sums, block by block
# --------------------------------------------------------------------------


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


class _Accumulator:
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
        days = (dates - _BASE_MONDAY).astype(np.int64)
        low, high = int(days.min()), int(days.max())
        self.first_day = low if self.first_day is None else min(self.first_day, low)
        self.last_day = high if self.last_day is None else max(self.last_day, high)
        named = frame[["product_name", "category"]].fillna("").ne("").any(axis=1)
        if named.any():
            self.product_parts.append(frame.loc[named, ["sku", "product_name", "category"]].drop_duplicates())
        length_errors, _ = text_length_errors(frame, limit=1000)
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
        self.parts.append((unique, _int32_days(sums).reshape(-1, width)))
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
    return _sum_by_key(keys, days)


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
        days[at] = _int32_days(days[at].astype(np.int64) + new_days[hit])
    miss = ~hit
    if miss.any():
        keys = np.insert(keys, position[miss], new_keys[miss])
        days = np.insert(days, position[miss], new_days[miss], axis=0)
    return keys, days


def _sum_by_key(keys: np.ndarray, days: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    unique, inverse = np.unique(keys, return_inverse=True)
    merged = np.zeros((len(unique), days.shape[1]), dtype=np.int32)
    for column in range(days.shape[1]):
        merged[:, column] = _int32_days(np.bincount(inverse, weights=days[:, column], minlength=len(unique)))
    return unique, merged


def _int32_days(sums: np.ndarray) -> np.ndarray:
    """Day sums as int32, what the table stores: half the memory of int64
    while a file is aggregated (SPEC §11a: 4.1M weekly rows)."""
    if len(sums) and np.abs(sums).max() > _INT32_MAX:
        raise JobInputError(msg("sales.day_overflow"))
    return np.rint(sums).astype(np.int32)


def _to_date(day_number: int) -> dt.date:
    return (_BASE_MONDAY + np.timedelta64(day_number, "D")).astype(dt.date)


def sales_file_read(
    path: str | Path, *, weekly: bool, progress: Progress = no_progress, max_bytes: int | None = None
) -> SalesFile:
    """Validate and aggregate a sales file (sku, store, date, quantity, optional
    product_name, category). Raises FileRejected/JobInputError on bad input."""
    accumulator = _Accumulator(weekly=weekly)
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


def _job_url(job: Any) -> str:
    return reverse("job_detail", args=[job.pk]) if job is not None and job.pk else ""


# --------------------------------------------------------------------------
# Macro sales import
# --------------------------------------------------------------------------


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


def macro_sales_import(
    *,
    path: str | Path,
    mode: str = SalesLoad.Mode.REPLACE_RANGE,
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
    data = sales_file_read(path, weekly=True, progress=progress, max_bytes=max_bytes)
    with transaction.atomic():
        progress(30, "stage.updating_products_stores", rows_read=data.rows_read)
        imports_lock()
        products = products_upsert(data.products)
        stores = stores_resolve(data.stores)
        product_ids = np.array([products.id_by_sku[s] for s in data.skus], dtype=np.int64)
        store_ids = np.array([stores.id_by_label[s] for s in data.stores], dtype=np.int64)
        upload_order_check(
            job,
            dataset="macro_sales",
            stores=store_ids.tolist(),
            first=data.first_date,
            last=data.last_date,
            commutative=mode == SalesLoad.Mode.APPEND_RANGE,
        )
        weekly = _weekly_frame(data, product_ids, store_ids)
        data.keys = data.days = np.zeros(0, dtype=np.int64)  # only the weekly frame is needed now
        progress(35, "stage.writing_weekly", rows_read=data.rows_read)
        written, cleared = _weekly_write(
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
        _macro_audit(result, user=user, job=job)
        progress(100, "stage.done", rows_read=data.rows_read, rows_written=written)
    return result


def _macro_audit(result: MacroImportResult, *, user: Any, job: Any) -> None:
    audit_record(
        user=user,
        action="upload",
        obj=result.load,
        object_url=_job_url(job),
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
        keys, days = _sum_by_key((keys & ~np.int64(0xFFFFF << 20)) | (store_code << 20), days)
        store_ids = unique_stores
    keep = days.any(axis=1)  # day sums fit in int32: `_int32_days` checked them
    if not keep.all():
        keys, days = keys[keep], days[keep]
    del keep
    order = _unique_index_order(keys, product_ids, store_ids)
    keys = keys[order]
    frame = pd.DataFrame({"product_id": product_ids[keys >> 40]})
    frame["store_id"] = store_ids[(keys >> 20) & 0xFFFFF]
    frame["week"] = _BASE_DAY_NUMBER + (keys & 0xFFFFF) * 7
    del keys
    for column, day in enumerate(DAY_FIELDS):
        frame[day] = days[order, column]
    return frame


def _unique_index_order(keys: np.ndarray, product_ids: np.ndarray, store_ids: np.ndarray) -> np.ndarray:
    """The order of the file's keys by (product id, week, store id), ties in
    the file's order, as `np.lexsort` of the three gives it but as one int64
    sort: each id replaced by its rank (< 2²³ SKUs, < 2²⁰ stores: it fits),
    then a stable sort, which uses the runs the file's order already has.
    4.1M rows: ~0.3 s against ~2.1 s for the three-key lexsort."""
    product_rank = np.unique(product_ids, return_inverse=True)[1].astype(np.int64)  # equal ids, equal ranks
    store_rank = np.unique(store_ids, return_inverse=True)[1].astype(np.int64)
    sort_key = (product_rank[keys >> 40] << 40) | ((keys & 0xFFFFF) << 20) | store_rank[(keys >> 20) & 0xFFFFF]
    return np.argsort(sort_key, kind="stable")


# Bulk types of the weekly columns the import writes.
_WEEKLY_TYPES = {"product_id": "bigint", "store_id": "bigint", "week_start": "date", "units": "integer"}
_WEEKLY_TYPES.update(dict.fromkeys(DAY_FIELDS, "integer"))


def _with_week_start(frame: pd.DataFrame, **columns: Any) -> pd.DataFrame:
    """The frame with `week_start` as a date column (from the day number `week`)."""
    return frame.assign(week_start=frame["week"].to_numpy(np.int64).astype("datetime64[D]"), **columns)


def stored_rows_sql(store_ids: list[int], first: dt.date, last: dt.date, *, ids_in: str = "") -> tuple[str, list]:
    """The SELECT of `_stored_rows` (also explained by `bench --plans`)."""
    week = "week_start - DATE '1970-01-01'" if is_postgres() else "CAST(julianday(week_start) - 2440587.5 AS INTEGER)"
    where, params = _range_where(store_ids, first, last, WEEKLY)
    sql = f"SELECT id, product_id, store_id, {week}, {', '.join(DAY_FIELDS)} FROM {WEEKLY} WHERE {where}"  # noqa: S608
    if ids_in:
        sql += f" AND id IN ({ids_in})"
    return sql, params


def _stored_rows(store_ids: list[int], first: dt.date, last: dt.date, *, ids_in: str = "") -> pd.DataFrame:
    """id, product_id, store_id, week, mon..sun of every stored row of these
    stores in the weeks of [first, last]: what the file's rows are compared
    with. `ids_in`: a query of ours giving the only ids to read."""
    columns = ["id", "product_id", "store_id", "week", *DAY_FIELDS]
    if not store_ids:
        return pd.DataFrame({c: pd.Series(dtype=np.int64) for c in columns})
    sql, params = stored_rows_sql(store_ids, first, last, ids_in=ids_in)
    with connection.cursor() as cursor:
        if is_postgres():  # COPY out, parsed by pyarrow: no Python object per value
            blocks = []
            with cursor.cursor.copy(f"COPY ({sql}) TO STDOUT (FORMAT csv)", params) as copy:
                while block := copy.read():
                    blocks.append(bytes(block))
            if not blocks:
                return pd.DataFrame({c: pd.Series(dtype=np.int64) for c in columns})
            data = b"".join(blocks)
            del blocks
            table = pa_csv.read_csv(
                pa.py_buffer(data),
                read_options=pa_csv.ReadOptions(column_names=columns),
                convert_options=pa_csv.ConvertOptions(column_types=dict.fromkeys(columns, pa.int64())),
            )
            return table.to_pandas()
        cursor.execute(sql, params)
        parts = []
        while rows := cursor.fetchmany(500_000):
            parts.append(np.array(rows, dtype=np.int64))
    values = np.concatenate(parts) if parts else np.zeros((0, len(columns)), dtype=np.int64)
    return pd.DataFrame(values, columns=columns)


def _range_where(store_ids: list[int], first: dt.date, last: dt.date, table: str) -> tuple[str, list[object]]:
    """The file's stores and the weeks from the Monday of `first` to the Monday of `last`."""
    store_sql, store_params = in_clause(f"{table}.store_id", store_ids)
    where = f"{store_sql} AND {table}.week_start BETWEEN %s AND %s"
    return where, [*store_params, date_param(monday(first)), date_param(monday(last))]


def _range_has_rows(store_ids: list[int], first: dt.date, last: dt.date) -> bool:
    if not store_ids:
        return False
    where, params = _range_where(store_ids, first, last, WEEKLY)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT 1 FROM {WEEKLY} WHERE {where} LIMIT 1", params)  # noqa: S608 - ours
        return cursor.fetchone() is not None


# New rows into an empty table from which its indexes are dropped and built
# again after the load: 0.4–0.6× of maintaining them at 4.1M rows; the
# threshold only keeps small first loads on the ordinary path (not measured).
INDEXES_REBUILT_FROM = 200_000

_RUN_BLOCK = 4096  # file rows per block when the database reports which rows came back unchanged


def _range_count(store_ids: list[int], first: dt.date, last: dt.date) -> int:
    where, params = _range_where(store_ids, first, last, WEEKLY)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM {WEEKLY} WHERE {where}", params)  # noqa: S608 - ours
        return int(cursor.fetchone()[0])


def _same_keys_paired(
    weekly: pd.DataFrame, store_ids: list[int], first: dt.date, last: dt.date
) -> tuple[pd.DataFrame, pd.DataFrame] | None:
    """PostgreSQL, replace_range, when the range holds exactly the file's
    keys (a re-upload, a file correcting some quantities): the stored rows
    are read as numpy arrays (binary COPY: about half the time of copying
    the file into the database and joining, on 4.1M rows), put in the file's
    order and paired row by row. Returns what `_unchanged_pairs_dropped`
    returns, or None when the keys differ (that function decides then)."""
    if _range_count(store_ids, first, last) != len(weekly):
        return None
    sql, params = stored_rows_sql(store_ids, first, last)
    ids, product, store, week, *day_columns = int_columns_read(sql, params, [8, 8, 8, 4, *[4] * len(DAY_FIELDS)])
    keys = (weekly["product_id"].to_numpy(), weekly["week"].to_numpy(), weekly["store_id"].to_numpy())
    if not _keys_equal((product, week, store), keys):
        order = _stored_in_file_order(product, week, store, keys[0], store_ids)
        ids, product, store, week = ids[order], product[order], store[order], week[order]
        day_columns = [column[order] for column in day_columns]
        if not _keys_equal((product, week, store), keys):
            return None
    changed = np.zeros(len(weekly), dtype=bool)
    for column, day in zip(day_columns, DAY_FIELDS, strict=True):
        changed |= column != weekly[day].to_numpy()
    stored = pd.DataFrame({"id": ids[changed], "product_id": product[changed], "store_id": store[changed]})
    stored["week"] = week[changed].astype(np.int64)
    for column, day in zip(day_columns, DAY_FIELDS, strict=True):
        stored[day] = column[changed].astype(np.int64)
    return weekly.loc[changed].reset_index(drop=True), stored


def _stored_in_file_order(
    product: np.ndarray, week: np.ndarray, store: np.ndarray, file_products: np.ndarray, store_ids: list[int]
) -> np.ndarray:
    """The order that sorts the stored rows as the file's (product, week,
    store), as `np.lexsort` gives it. The heap returns them nearly so (rows
    moved by deletes or updates): each id replaced by its place among the
    file's products (sorted in the file) and stores, one int64 stable sort
    uses the runs (~2 s less than the three-key lexsort on 4.1M rows). A
    stored id missing from the file gets a wrong place: the caller's key
    check then fails and the hash join decides."""
    products = file_products[np.flatnonzero(np.diff(file_products, prepend=file_products[:1] - 1))]
    first_week = int(week.min()) if len(week) else 0
    if len(products) >= 1 << 23 or len(store_ids) >= 1 << 20 or (len(week) and int(week.max()) - first_week >= 1 << 20):
        return np.lexsort((store, week, product))
    product_place = np.searchsorted(products, product).astype(np.int64)
    store_place = np.searchsorted(np.asarray(store_ids, dtype=np.int64), store).astype(np.int64)
    sort_key = (product_place << 40) | ((week.astype(np.int64) - first_week) << 20) | store_place
    return np.argsort(sort_key, kind="stable")


def _keys_equal(stored: tuple[np.ndarray, ...], file: tuple[np.ndarray, ...]) -> bool:
    return all(np.array_equal(a, b) for a, b in zip(stored, file, strict=True))


def _unchanged_pairs_dropped(
    weekly: pd.DataFrame, store_ids: list[int], first: dt.date, last: dt.date
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """PostgreSQL, replace_range over stored rows: the database pairs every
    stored row of the range with an equal file row (same key, same seven
    days), and only the file rows without such a pair and the stored rows
    without one are read back (a re-upload: none). A pair equal on every day
    changes nothing under replace_range, so `weekly_merge` on what is left
    decides exactly as on everything."""
    types = {"rn": "bigint", **{c: t for c, t in _WEEKLY_TYPES.items() if c != "units"}}
    frame = _with_week_start(weekly, rn=np.arange(len(weekly), dtype=np.int64))
    tmp = temp_table_load(frame[list(types)], prefix="weekly", types=types)
    del frame
    pairs = f"{tmp.name}_pairs"
    where, params = _range_where(store_ids, first, last, "s")
    days_equal = " AND ".join(f"f.{d} = s.{d}" for d in DAY_FIELDS)
    try:
        with connection.cursor() as cursor:
            # One hash join: every stored row of the range, with the file row equal to it (if any).
            cursor.execute(
                f"CREATE TEMPORARY TABLE {pairs} AS SELECT s.id, f.rn FROM {WEEKLY} s "  # noqa: S608 - ours
                f"LEFT JOIN {tmp.name} f ON f.product_id = s.product_id AND f.week_start = s.week_start "
                f"AND f.store_id = s.store_id AND {days_equal} WHERE {where}",
                params,
            )
            cursor.execute(f"ANALYZE {pairs}")
            # Which file rows were paired, as counts per block of row numbers:
            # a full block needs no detail, so a re-upload returns a few hundred rows.
            cursor.execute(
                f"SELECT rn / {_RUN_BLOCK}, COUNT(*) FROM {pairs} WHERE rn IS NOT NULL GROUP BY 1"  # noqa: S608
            )
            counts = dict(cursor.fetchall())
            unchanged = np.zeros(len(weekly), dtype=bool)
            partial = []
            for block, count in counts.items():
                start, stop = block * _RUN_BLOCK, min((block + 1) * _RUN_BLOCK, len(weekly))
                if count == stop - start:
                    unchanged[start:stop] = True
                else:
                    partial.append(int(block))
            if partial:
                block_sql, block_params = in_clause(f"rn / {_RUN_BLOCK}", partial)
                cursor.execute(f"SELECT rn FROM {pairs} WHERE rn IS NOT NULL AND {block_sql}", block_params)  # noqa: S608
                unchanged[np.array([row[0] for row in cursor.fetchall()], dtype=np.int64)] = True
        stored = _stored_rows(store_ids, first, last, ids_in=f"SELECT id FROM {pairs} WHERE rn IS NULL")  # noqa: S608 - ours
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {pairs}")
        tmp.drop()
    return weekly.loc[~unchanged].reset_index(drop=True), stored


def _weekly_write(
    weekly: pd.DataFrame,
    *,
    mode: str,
    store_ids: list[int],
    first_date: dt.date,
    last_date: dt.date,
    progress: Progress,
) -> tuple[int, int]:
    """Apply the file's weekly rows to SalesWeeklyAgg: only new rows are
    inserted, only changed rows updated, rows left without sales removed.
    Returns (rows inserted or changed, stored rows of the range cleared)."""
    progress(36, "stage.reading_range")
    if is_postgres():  # room for the hash join and the sort below (this transaction only)
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL work_mem = '256MB'")
    if mode == SalesLoad.Mode.REPLACE_RANGE and is_postgres() and _range_has_rows(store_ids, first_date, last_date):
        paired = _same_keys_paired(weekly, store_ids, first_date, last_date)
        weekly, stored = paired or _unchanged_pairs_dropped(weekly, store_ids, first_date, last_date)
    else:
        stored = _stored_rows(store_ids, first_date, last_date)
    progress(42, "stage.comparing", rows_written=0)
    try:
        changes = engine.weekly_merge(weekly, stored, mode=mode, first_date=first_date, last_date=last_date)
    except engine.WeeklyOverflow as exc:
        raise JobInputError(msg(exc.code)) from exc
    del stored
    total = len(changes.inserts) + len(changes.updates) + len(changes.deletes)

    def write_progress(done: int, _of: int) -> None:
        progress(45 + 50 * done / max(total, 1), "stage.writing_weekly", rows_written=done)

    if total:
        with bulk_write(total):  # the import fills the category summary again at its end
            _weekly_changes_apply(changes, write_progress)
    if is_postgres() and total >= 10_000:
        # Fresh statistics: the next import's read and the planners' reads
        # must not be planned as if the table were still empty.
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {WEEKLY}")
    return changes.written, changes.cleared


def _weekly_changes_apply(changes: engine.WeeklyChanges, write_progress: Callable[[int, int], None]) -> None:
    if len(changes.inserts) >= INDEXES_REBUILT_FROM and table_is_empty(WEEKLY):
        # The first load (a retailer's history): build the indexes once from
        # the loaded rows rather than maintain them row by row (SPEC §11a).
        with indexes_rebuilt_after(WEEKLY):
            _weekly_insert(changes.inserts, write_progress)
    elif len(changes.inserts):
        _weekly_insert(changes.inserts, write_progress)
    if len(changes.updates):
        offset = len(changes.inserts)
        _weekly_update(changes.updates, lambda done, of: write_progress(offset + done, of))
    if len(changes.deletes):
        _weekly_delete(changes.deletes)


def _weekly_insert(inserts: pd.DataFrame, progress: Callable[[int, int], None]) -> None:
    """New rows straight into the table (COPY on PostgreSQL): the imports lock
    keeps any other load from adding the same keys meanwhile."""
    categories = _product_categories(inserts["product_id"].unique().tolist())
    # Columns added in place: this frame can hold millions of rows.
    inserts["week_start"] = inserts["week"].to_numpy(np.int64).astype("datetime64[D]")
    inserts["category"] = inserts["product_id"].map(categories)
    columns = [*_WEEKLY_TYPES, "category"]
    rows_insert(WEEKLY, inserts[columns], types={**_WEEKLY_TYPES, "category": "text"}, progress=progress)


CATEGORY_CHUNK = 2000  # product ids per IN list of the category reads and writes


def _product_categories(product_ids: list[int]) -> pd.Series:
    """Product.category by product id (the weekly rows keep a copy)."""
    pairs: list[tuple[int, str | None]] = []
    for chunk in chunks(product_ids, CATEGORY_CHUNK):
        pairs += Product.objects.filter(pk__in=chunk).values_list("id", "category")
    return pd.Series(dict(pairs), dtype=object)


def _weekly_update(updates: pd.DataFrame, progress: Callable[[int, int], None]) -> None:
    types = {"id": "bigint", "units": "integer", **dict.fromkeys(DAY_FIELDS, "integer")}
    tmp = temp_table_load(updates[list(types)], prefix="weekly_upd", types=types, unique=("id",), progress=progress)
    try:
        assignments = ", ".join(f"{c} = s.{c}" for c in (*DAY_FIELDS, "units"))
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {WEEKLY} SET {assignments}, "  # noqa: S608 - identifiers are ours
                f"category = (SELECT p.category FROM {PRODUCT} p WHERE p.id = {WEEKLY}.product_id) "
                f"FROM {tmp.name} s WHERE {WEEKLY}.id = s.id"
            )
    finally:
        tmp.drop()


def _weekly_delete(ids: np.ndarray) -> None:
    tmp = temp_table_load(pd.DataFrame({"id": ids}), prefix="weekly_del", types={"id": "bigint"}, unique=("id",))
    try:
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {WEEKLY} WHERE id IN (SELECT id FROM {tmp.name})")  # noqa: S608 - ours
    finally:
        tmp.drop()


# --------------------------------------------------------------------------
# Legacy subset sales import (DistributionRecord)
# --------------------------------------------------------------------------


@dataclass
class LegacyImportResult:
    rows_read: int
    records: int  # distinct (sku, store, date) rows in the file
    rows_written: int  # inserted or changed
    sku_count: int
    store_count: int
    first_date: dt.date
    last_date: dt.date
    new_products: int
    new_stores: int
    category_warnings: list[Message] = field(default_factory=list)

    def summary(self) -> dict[str, object]:
        return {
            "rows_read": self.rows_read,
            "records": self.records,
            "records_written": self.rows_written,
            "skus": self.sku_count,
            "stores": self.store_count,
            "date_range": msg("date_range_value", first=self.first_date, last=self.last_date),
            "new_products": self.new_products,
            "new_stores": self.new_stores,
            "category_warnings": len(self.category_warnings),
        }


def legacy_sales_import(
    *,
    path: str | Path,
    user: Any = None,
    progress: Progress = no_progress,
    file_name: str = "",
    job: Any = None,
    max_bytes: int | None = None,
) -> LegacyImportResult:
    """Load a subset sales file into DistributionRecord (raw history, SPEC §4.5):
    one row per SKU, store and date; a date loaded again replaces its units."""
    progress(1, "stage.reading_file")
    data = sales_file_read(path, weekly=False, progress=progress, max_bytes=max_bytes)
    with transaction.atomic():
        progress(30, "stage.updating_products_stores", rows_read=data.rows_read)
        imports_lock()
        products = products_upsert(data.products)
        stores = stores_resolve(data.stores)
        product_ids = np.array([products.id_by_sku[s] for s in data.skus], dtype=np.int64)
        store_ids = np.array([stores.id_by_label[s] for s in data.stores], dtype=np.int64)
        upload_order_check(
            job, dataset="legacy_sales", stores=store_ids.tolist(), first=data.first_date, last=data.last_date
        )
        keys = data.keys
        frame = pd.DataFrame(
            {
                "product_id": product_ids[keys >> 40],
                "store_id": store_ids[(keys >> 20) & 0xFFFFF],
                "sale_date": _BASE_MONDAY + (keys & 0xFFFFF).astype("timedelta64[D]"),
                "units": data.days[:, 0],
            }
        )
        frame = frame.groupby(["product_id", "store_id", "sale_date"], as_index=False)["units"].sum()
        table = DistributionRecord._meta.db_table
        types = {"product_id": "bigint", "store_id": "bigint", "sale_date": "date", "units": "integer"}
        progress(40, "stage.writing_subset", rows_read=data.rows_read)
        tmp = temp_table_load(frame, prefix="legacy", types=types, unique=("product_id", "store_id", "sale_date"))
        job_id = job.pk if job is not None and job.pk else None
        distinct = "IS DISTINCT FROM" if is_postgres() else "IS NOT"
        try:
            with connection.cursor() as cursor:
                cursor.execute(
                    f"INSERT INTO {table} AS t (product_id, store_id, sale_date, units, job_id) "  # noqa: S608
                    f"SELECT s.product_id, s.store_id, s.sale_date, s.units, %s FROM {tmp.name} s WHERE 1 = 1 "
                    f"ORDER BY s.product_id, s.store_id, s.sale_date "
                    f"ON CONFLICT (product_id, store_id, sale_date) DO UPDATE SET units = excluded.units, "
                    f"job_id = excluded.job_id WHERE t.units {distinct} excluded.units",
                    [job_id],
                )
                written = max(cursor.rowcount, 0)
        finally:
            tmp.drop()
        result = LegacyImportResult(
            rows_read=data.rows_read,
            records=len(frame),
            rows_written=written,
            sku_count=len(data.skus),
            store_count=len(set(store_ids.tolist())),
            first_date=data.first_date,
            last_date=data.last_date,
            new_products=products.created,
            new_stores=stores.created,
            category_warnings=products.category_warnings,
        )
        audit_record(
            user=user,
            action="upload",
            object_repr=msg("sales.audit_subset", file=file_name or Path(path).name),
            object_url=_job_url(job),
            details={"kind": "legacy_sales", "rows": data.rows_read, "records": len(frame), "rows_written": written},
        )
        progress(100, "stage.done", rows_read=data.rows_read, rows_written=written)
    return result


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


# --------------------------------------------------------------------------
# Promotions calendar (SPEC v3 §4.6)
# --------------------------------------------------------------------------

# A promotions file's own header names: `name` is the promotion's, not a product's.
PROMOTION_ALIASES = {
    "name": "name",
    "nombre": "name",
    "promocion": "name",
    "promoción": "name",
    "desde": "start_date",
    "inicio": "start_date",
    "fecha_inicio": "start_date",
    "fecha_desde": "start_date",
    "hasta": "end_date",
    "fin": "end_date",
    "fecha_fin": "end_date",
    "fecha_hasta": "end_date",
}
PROMOTION_COLUMNS = [
    Column("sku"),
    Column("start_date", Kind.DATE),
    Column("end_date", Kind.DATE),
    Column("store", required=False),
    Column("name", required=False, max_length=Promotion._meta.get_field("name").max_length),
]
# Dates a promotion may carry: from 2000 to the end of the year after next, at most a year long.
PROMOTION_YEARS_AHEAD = 2
PROMOTION_MAX_DAYS = 366
PROMOTION_MODES = ("append_rows", "replace_range")


def promotion_dates_bounds() -> tuple[dt.date, dt.date]:
    return FIRST_VALID_DATE, dt.date(timezone.localdate().year + PROMOTION_YEARS_AHEAD, 12, 31)


@dataclass
class PromotionImportResult:
    replace_range: bool
    rows_read: int
    promotions: int  # distinct (SKU, store, dates) in the file
    created: int
    renamed: int
    unchanged: int  # already stored as they are
    repeated: int  # rows the file gave twice
    removed: int  # overlapping the file's range, removed first (replace_range)
    sku_count: int
    store_count: int  # stores named (rows without a store count for every store)
    every_store: int  # promotions of every store
    first_date: dt.date
    last_date: dt.date
    category_warnings: list[Message] = field(default_factory=list)  # none: the file names no categories

    def summary(self) -> dict[str, object]:
        return {
            "mode": "replace_range" if self.replace_range else "append_rows",
            "rows_read": self.rows_read,
            "promotions_in_file": self.promotions,
            "promotions_created": self.created,
            "names_updated": self.renamed,
            "promotions_unchanged": self.unchanged,
            "repeated_rows": self.repeated,
            "promotions_removed": self.removed,
            "skus": self.sku_count,
            "stores": self.store_count,
            "promotions_every_store": self.every_store,
            "date_range": msg("date_range_value", first=self.first_date, last=self.last_date),
        }


def _promotion_rows(frame: pd.DataFrame) -> tuple[pd.DataFrame, list[RowError]]:
    """The file's rows with product_id and store_id (0: every store), and the
    row errors: unknown SKU or store, dates out of bounds, reversed or too long."""
    errors: list[RowError] = []
    rows = frame.copy()
    rows["name"] = rows["name"].fillna("").astype(str).str.strip()
    rows["store"] = rows["store"].fillna("").astype(str).str.strip()
    rows["start_date"] = rows["start_date"].dt.date
    rows["end_date"] = rows["end_date"].dt.date
    first, last = promotion_dates_bounds()
    for column in ("start_date", "end_date"):
        bad = (rows[column] < first) | (rows[column] > last)
        message = msg("date_out_of_range", first=first, last=last)
        errors += [RowError(int(r), column, f"{v:%Y-%m-%d}", message) for r, v in rows.loc[bad, column].items()]
    reversed_dates = rows["end_date"] < rows["start_date"]
    errors += [
        RowError(int(r), "end_date", f"{v:%Y-%m-%d}", msg("sales.end_before_start"))
        for r, v in rows.loc[reversed_dates, "end_date"].items()
    ]
    too_long = ~reversed_dates & ((rows["end_date"] - rows["start_date"]).map(lambda d: d.days) >= PROMOTION_MAX_DAYS)
    errors += [
        RowError(int(r), "end_date", f"{v:%Y-%m-%d}", msg("sales.promotion_too_long", n=PROMOTION_MAX_DAYS))
        for r, v in rows.loc[too_long, "end_date"].items()
    ]
    ids = product_ids(rows["sku"].unique())
    rows["product_id"] = rows["sku"].map(ids)
    errors += [
        RowError(int(r), "sku", str(v)[:200], msg("unknown_sku"))
        for r, v in rows.loc[rows["product_id"].isna(), "sku"].items()
    ]
    named = rows["store"] != ""
    stores = stores_resolve(rows.loc[named, "store"].unique(), create=False).id_by_label
    rows["store_id"] = rows["store"].map(stores).where(named, 0)
    errors += [
        RowError(int(r), "store", str(v)[:200], msg("inventory.unknown_store"))
        for r, v in rows.loc[rows["store_id"].isna(), "store"].items()
    ]
    return rows, errors


def _promotion_repeats(rows: pd.DataFrame) -> tuple[pd.DataFrame, int, list[RowError]]:
    """One row per (SKU, store, dates): identical rows collapse (counted); the
    same promotion twice under two names is an error (which name?)."""
    key = ["product_id", "store_id", "start_date", "end_date"]
    rows = rows.reset_index(names="row")
    distinct = rows.drop_duplicates([*key, "name"])
    repeated = len(rows) - len(distinct)
    clash = distinct.duplicated(key, keep="first")
    first_row = distinct.groupby(key, sort=False)["row"].transform("min")
    errors = [
        RowError(int(r), "name", str(n)[:200], msg("sales.promotion_repeated", row=int(f)))
        for r, n, f in zip(distinct.loc[clash, "row"], distinct.loc[clash, "name"], first_row[clash], strict=True)
    ]
    return distinct.drop_duplicates(key), repeated, errors


def _stored_promotions(first: dt.date, last: dt.date) -> pd.DataFrame:
    """Promotions that start and end inside [first, last]: the only ones a file row can equal."""
    rows = Promotion.objects.filter(start_date__gte=first, end_date__lte=last).values_list(
        "id", "product_id", "store_id", "start_date", "end_date", "name"
    )
    frame = pd.DataFrame(list(rows), columns=["id", "product_id", "store_id", "start_date", "end_date", "old_name"])
    frame["store_id"] = frame["store_id"].fillna(0).astype("int64")
    frame["product_id"] = frame["product_id"].astype("int64")
    return frame


def promotions_import(
    *,
    path: str | Path,
    replace_range: bool = False,
    user: Any = None,
    progress: Progress = no_progress,
    file_name: str = "",
    job: Any = None,
    max_bytes: int | None = None,
) -> PromotionImportResult:
    """Load a promotions calendar (SPEC v3 §4.6): `sku`, `start_date`,
    `end_date`, optional `store` (empty: every store) and `name`. Rows are
    added; a row equal to a stored one (SKU, store, dates) is not stored again
    (a new name replaces the old one). `replace_range` first removes every
    promotion overlapping the file's first-to-last date. Unknown SKUs or
    stores, bad dates: the whole file is refused."""
    progress(5, "stage.reading_file")
    frame = read_table(path, PROMOTION_COLUMNS, max_bytes=max_bytes, aliases=PROMOTION_ALIASES)
    rows, errors = _promotion_rows(frame)
    known = rows[rows["product_id"].notna() & rows["store_id"].notna()]
    known = known.astype({"product_id": "int64", "store_id": "int64"})
    rows, repeated, repeat_errors = _promotion_repeats(known)
    errors += repeat_errors
    if errors:
        errors.sort(key=lambda e: (e.row or 0, e.column))
        raise JobInputError(msg("files.refused", n=len(errors)), errors[:100_000], len(errors))
    first, last = min(rows["start_date"]), max(rows["end_date"])
    progress(40, "stage.saving_promotions", rows_read=len(frame))
    with transaction.atomic():
        imports_lock()
        removed = _promotions_overlapping(first, last).delete()[0] if replace_range else 0
        created, renamed, unchanged = _promotions_write(rows, first, last)
        result = PromotionImportResult(
            replace_range=replace_range,
            rows_read=len(frame),
            promotions=len(rows),
            created=created,
            renamed=renamed,
            unchanged=unchanged,
            repeated=repeated,
            removed=removed,
            sku_count=int(rows["product_id"].nunique()),
            store_count=int(rows.loc[rows["store_id"] != 0, "store_id"].nunique()),
            every_store=int((rows["store_id"] == 0).sum()),
            first_date=first,
            last_date=last,
        )
        _promotions_audit(result, user=user, job=job, file_name=file_name or Path(path).name)
        progress(100, "stage.done", rows_read=len(frame), rows_written=created + renamed)
    return result


def _promotions_overlapping(first: dt.date, last: dt.date) -> Any:
    return Promotion.objects.filter(start_date__lte=last, end_date__gte=first)


def _promotions_write(rows: pd.DataFrame, first: dt.date, last: dt.date) -> tuple[int, int, int]:
    """Insert the new promotions, rename the stored ones whose name changed.
    Returns (created, renamed, unchanged)."""
    key = ["product_id", "store_id", "start_date", "end_date"]
    merged = rows.merge(_stored_promotions(first, last), on=key, how="left")
    new = merged["id"].isna()
    renamed = ~new & (merged["name"] != merged["old_name"])
    Promotion.objects.bulk_create(
        [
            Promotion(product_id=int(p), store_id=(int(s) or None), start_date=a, end_date=b, name=n)
            for p, s, a, b, n in merged.loc[new, [*key, "name"]].itertuples(index=False)
        ],
        batch_size=BATCH,
    )
    Promotion.objects.bulk_update(
        [Promotion(pk=int(pk), name=n) for pk, n in merged.loc[renamed, ["id", "name"]].itertuples(index=False)],
        ["name"],
        batch_size=BATCH,
    )
    return int(new.sum()), int(renamed.sum()), int((~new & ~renamed).sum())


def _promotions_audit(result: PromotionImportResult, *, user: Any, job: Any, file_name: str) -> None:
    audit_record(
        user=user,
        action="upload",
        object_repr=msg("sales.audit_promotions", file=file_name),
        object_url=_job_url(job),
        details={
            "kind": "promotions",
            "mode": "replace_range" if result.replace_range else "append_rows",
            "rows": result.rows_read,
            "promotions": result.promotions,
            "created": result.created,
            "renamed": result.renamed,
            "unchanged": result.unchanged,
            "removed": result.removed,
            "skus": result.sku_count,
            "first_date": result.first_date.isoformat(),
            "last_date": result.last_date.isoformat(),
        },
    )
