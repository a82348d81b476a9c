"""Sales writes: the macro sales import (SPEC §4.1–§4.3) and the legacy
subset sales import (SPEC §4.5). The web upload job and the command share them.

The macro import reads the file block by block (memory bounded whatever its
length), aggregates it to weekly rows with their seven day columns in numpy,
and then — only once the whole file has been validated — writes everything
in one transaction through a temporary table and set-based SQL:

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
from django.db import connection, transaction
from django.urls import reverse

from fastdso.audit import audit_record
from fastdso.files import Column, Kind, RowError, iter_table
from fastdso.jobs import JobInputError
from inventory.bulk import date_param, imports_lock, in_clause, is_postgres, temp_table_load
from inventory.models import Product
from inventory.services import products_upsert, stores_resolve, text_length_errors
from sales.models import DAY_FIELDS, DistributionRecord, SalesLoad, SalesWeeklyAgg

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
UPSERT_BATCH = 250_000
# Dates a sales file may carry (anything else is a typing error).
FIRST_VALID_DATE = dt.date(1990, 1, 1)
LAST_VALID_DATE = dt.date(2199, 12, 31)
# Day numbers are counted from this Monday, so week numbers are never negative.
_BASE_MONDAY = np.datetime64("1900-01-01", "D")
_INT32_MAX = 2_147_483_647
# Partial weekly aggregates are merged when they exceed this many rows.
_COMPACT_ROWS = 3_000_000


def _no_progress(*args: Any, **kwargs: Any) -> None:
    return None


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
    days: np.ndarray  # int64 (n, 7) day sums for weekly rows, (n, 1) for daily rows
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
        self.rows_read = 0
        self.first_day: int | None = None
        self.last_day: int | None = None
        self.errors: list[RowError] = []

    @staticmethod
    def _codes(values: pd.Series, known: dict[str, int]) -> np.ndarray:
        codes, uniques = pd.factorize(values)
        mapping = np.empty(len(uniques), dtype=np.int64)
        for i, value in enumerate(uniques):
            mapping[i] = known.setdefault(value, len(known))
        return mapping[codes]

    def add(self, frame: pd.DataFrame) -> None:
        self.rows_read += len(frame)
        dates = frame["date"].to_numpy().astype("datetime64[D]")
        bad = (dates < np.datetime64(FIRST_VALID_DATE)) | (dates > np.datetime64(LAST_VALID_DATE))
        if bad.any():
            for row, value in frame.loc[bad, "date"].head(1000).items():
                self.errors.append(RowError(int(row), "date", str(value.date()), "fecha fuera de rango (1990–2199)"))
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
            raise JobInputError("El archivo tiene demasiados SKUs o tiendas distintos.")
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
        self.parts.append((unique, np.rint(sums).astype(np.int64).reshape(-1, width)))
        self.part_rows += len(unique)
        if self.part_rows > _COMPACT_ROWS and len(self.parts) > 1:
            self.parts = [_merge(self.parts)]
            self.part_rows = len(self.parts[0][0])

    def result(self) -> SalesFile:
        if self.errors:
            self.errors.sort(key=lambda e: (e.row or 0, e.column))
            raise JobInputError(f"El archivo tiene {len(self.errors)} error(es); no se cargó nada.", self.errors)
        keys, days = _merge(self.parts)
        self.parts = []
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
        return np.zeros(0, dtype=np.int64), np.zeros((0, 7), dtype=np.int64)
    if len(parts) == 1:
        return parts[0]
    keys = np.concatenate([k for k, _ in parts])
    days = np.concatenate([d for _, d in parts])
    parts.clear()  # free the partial arrays before summing
    return _sum_by_key(keys, days)


def _sum_by_key(keys: np.ndarray, days: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    unique, inverse = np.unique(keys, return_inverse=True)
    merged = np.zeros((len(unique), days.shape[1]), dtype=np.int64)
    for column in range(days.shape[1]):
        merged[:, column] = np.rint(np.bincount(inverse, weights=days[:, column], minlength=len(unique)))
    return unique, merged


def _to_date(day_number: int) -> dt.date:
    return (_BASE_MONDAY + np.timedelta64(day_number, "D")).astype(dt.date)


def sales_file_read(
    path: str | Path, *, weekly: bool, progress: Progress = _no_progress, max_bytes: int | None = None
) -> SalesFile:
    """Validate and aggregate a sales file (sku, store, date, quantity, optional
    product_name, category). Raises FileRejected/JobInputError on bad input."""
    accumulator = _Accumulator(weekly=weekly)
    expected_rows = _estimated_rows(Path(path))
    for frame in iter_table(path, SALES_COLUMNS, max_bytes=max_bytes):
        accumulator.add(frame)
        share = min(1.0, accumulator.rows_read / expected_rows)
        progress(1 + 27 * share, "Leyendo y validando el archivo", rows_read=accumulator.rows_read)
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
    category_warnings: list[str] = field(default_factory=list)

    def summary(self) -> dict[str, object]:
        """The job page's summary (Spanish labels, the planners' words)."""
        return {
            "Modo": str(SalesLoad.Mode(self.mode).label),
            "Filas leídas": self.rows_read,
            "SKUs": self.sku_count,
            "Tiendas": self.store_count,
            "Semanas": self.week_count,
            "Rango de fechas": f"{self.first_date:%Y-%m-%d} → {self.last_date:%Y-%m-%d}",
            "Filas semanales en el archivo": self.weekly_rows,
            "Filas semanales escritas (nuevas o cambiadas)": self.rows_written,
            "Filas semanales del rango puestas en 0": self.rows_cleared,
            "Productos nuevos": self.new_products,
            "Tiendas nuevas": self.new_stores,
            "Advertencias de categoría": len(self.category_warnings),
        }


def macro_sales_import(
    *,
    path: str | Path,
    mode: str = SalesLoad.Mode.REPLACE_RANGE,
    user: Any = None,
    progress: Progress = _no_progress,
    file_name: str = "",
    job: Any = None,
    max_bytes: int | None = None,
) -> MacroImportResult:
    """Load a daily sales file into the weekly macro layer (SPEC §4), in one transaction."""
    if mode not in MODES:
        raise JobInputError(f"Modo desconocido «{mode}»: use replace_range o append_range.")
    progress(1, "Leyendo y validando el archivo")
    data = sales_file_read(path, weekly=True, progress=progress, max_bytes=max_bytes)
    with transaction.atomic():
        progress(30, "Actualizando productos y tiendas", rows_read=data.rows_read)
        imports_lock()
        products = products_upsert(data.products)
        stores = stores_resolve(data.stores)
        product_ids = np.array([products.id_by_sku[s] for s in data.skus], dtype=np.int64)
        store_ids = np.array([stores.id_by_label[s] for s in data.stores], dtype=np.int64)
        weekly = _weekly_frame(data, product_ids, store_ids)
        data.keys = data.days = np.zeros(0, dtype=np.int64)  # only the weekly frame is needed now
        progress(35, "Escribiendo ventas semanales", rows_read=data.rows_read)
        written, cleared = _weekly_write(
            weekly,
            mode=mode,
            store_ids=sorted(set(store_ids.tolist())),
            first_date=data.first_date,
            last_date=data.last_date,
            progress=progress,
        )
        store_count = len(set(store_ids.tolist()))
        week_count = int(weekly["week_start"].nunique()) if len(weekly) else 0
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
        audit_record(
            user=user,
            action="upload",
            obj=result.load,
            object_url=_job_url(job),
            details={
                "kind": "macro_sales",
                "mode": str(mode),
                "rows": data.rows_read,
                "skus": result.sku_count,
                "stores": result.store_count,
                "weeks": result.week_count,
                "first_date": data.first_date.isoformat(),
                "last_date": data.last_date.isoformat(),
                "rows_written": written,
                "rows_cleared": cleared,
                "new_products": products.created,
                "new_stores": stores.created,
                "category_warnings": len(products.category_warnings),
            },
        )
        progress(100, "Terminada", rows_read=data.rows_read, rows_written=written)
    return result


def _weekly_frame(data: SalesFile, product_ids: np.ndarray, store_ids: np.ndarray) -> pd.DataFrame:
    """Weekly rows with database ids, re-summed where two store labels of the
    file name the same store, without all-zero rows, sorted by key.
    Built with numpy, one copy per column: this is the biggest frame of a load."""
    keys, days = data.keys, data.days
    unique_stores, canonical = np.unique(store_ids, return_inverse=True)
    if len(unique_stores) < len(store_ids):  # two labels of the file, one store: sum their rows
        store_code = canonical.astype(np.int64)[(keys >> 20) & 0xFFFFF]
        keys, days = _sum_by_key((keys & ~np.int64(0xFFFFF << 20)) | (store_code << 20), days)
        store_ids = unique_stores
    keep = days.any(axis=1)
    if np.abs(days[keep]).max(initial=0) > _INT32_MAX:
        raise JobInputError("Las cantidades de un día suman más de lo que admite la base de datos.")
    keys, days = keys[keep], days[keep]
    product = product_ids[keys >> 40]
    store = store_ids[(keys >> 20) & 0xFFFFF]
    week = keys & 0xFFFFF
    order = np.lexsort((week, store, product))
    frame = pd.DataFrame(
        {
            "rn": np.arange(len(order), dtype=np.int64),
            "product_id": product[order],
            "store_id": store[order],
            "week_start": _BASE_MONDAY + (week[order] * 7).astype("timedelta64[D]"),
        }
    )
    for column, day in enumerate(DAY_FIELDS):
        frame[day] = days[order, column].astype(np.int32)
    return frame


def _uncovered_weeks(first: dt.date, last: dt.date) -> dict[str, list[dt.date]]:
    """For each day column, the boundary weeks in which that day lies outside
    [first, last] (replace_range must keep those days)."""
    uncovered: dict[str, list[dt.date]] = {day: [] for day in DAY_FIELDS}
    for week in sorted({first - dt.timedelta(days=first.weekday()), last - dt.timedelta(days=last.weekday())}):
        for offset, day in enumerate(DAY_FIELDS):
            date = week + dt.timedelta(days=offset)
            if date < first or date > last:
                uncovered[day].append(week)
    return uncovered


class _Sql:
    """A fragment of SQL with its parameters, in order."""

    def __init__(self, text: str = "", params: list[object] | None = None) -> None:
        self.text = text
        self.params = list(params or [])

    def __add__(self, other: _Sql | str) -> _Sql:
        if isinstance(other, str):
            return _Sql(self.text + other, self.params)
        return _Sql(self.text + other.text, self.params + other.params)


def _week_in(column: str, weeks: list[dt.date]) -> _Sql:
    return _Sql(f"{column} IN ({', '.join(['%s'] * len(weeks))})", [date_param(w) for w in weeks])


def _weekly_write(
    weekly: pd.DataFrame,
    *,
    mode: str,
    store_ids: list[int],
    first_date: dt.date,
    last_date: dt.date,
    progress: Progress,
) -> tuple[int, int]:
    """Merge the file's weekly rows into SalesWeeklyAgg. Returns (rows inserted
    or changed, rows of the replaced range cleared)."""
    postgres = is_postgres()
    with connection.cursor() as cursor:
        if postgres:  # room for the set-based joins below (this transaction only)
            cursor.execute("SET LOCAL work_mem = '256MB'")
    total = len(weekly)

    def copy_progress(done: int, of: int) -> None:
        progress(35 + 15 * done / max(of, 1), "Cargando filas semanales (tabla temporal)", rows_written=0)

    types = {"rn": "bigint", "product_id": "bigint", "store_id": "bigint", "week_start": "date"}
    types.update(dict.fromkeys(DAY_FIELDS, "integer"))
    tmp = temp_table_load(
        weekly,
        prefix="weekly",
        types=types,
        unique=("product_id", "store_id", "week_start"),
        index="rn",
        progress=copy_progress,
    )
    try:
        cleared = 0
        if mode == SalesLoad.Mode.REPLACE_RANGE:
            progress(50, "Reemplazando el rango de fechas del archivo")
            cleared = _replace_clear(tmp.name, store_ids, first_date, last_date)
        written = 0
        uncovered = _uncovered_weeks(first_date, last_date)
        progress(55, "Escribiendo ventas semanales", rows_written=0)
        for start in range(0, max(total, 1), UPSERT_BATCH):
            if not total:
                break
            statement = _upsert_sql(tmp.name, mode, uncovered, start, start + UPSERT_BATCH)
            with connection.cursor() as cursor:
                cursor.execute(statement.text, statement.params)
                written += max(cursor.rowcount, 0)
            done = min(start + UPSERT_BATCH, total)
            progress(55 + 40 * done / total, "Escribiendo ventas semanales", rows_written=written)
        if mode == SalesLoad.Mode.APPEND_RANGE and total:
            cleared = _append_clear(store_ids, first_date, last_date)
        if postgres and written + cleared >= 10_000:
            # Fresh statistics: the next import's anti-join and the planners'
            # reads must not be planned as if the table were still empty.
            with connection.cursor() as cursor:
                cursor.execute(f"ANALYZE {WEEKLY}")
    finally:
        tmp.drop()
    return written, cleared


def _new_day(day: str, mode: str, uncovered: dict[str, list[dt.date]], existing: str) -> _Sql:
    """The value a day column takes when a file row meets an existing row."""
    if mode == SalesLoad.Mode.APPEND_RANGE:
        return _Sql(f"{existing}.{day} + excluded.{day}")
    if not uncovered[day]:
        return _Sql(f"excluded.{day}")
    return (
        _Sql("CASE WHEN ")
        + _week_in(f"{existing}.week_start", uncovered[day])
        + (f" THEN {existing}.{day} ELSE excluded.{day} END")
    )


def _upsert_sql(tmp: str, mode: str, uncovered: dict[str, list[dt.date]], start: int, stop: int) -> _Sql:
    days = list(DAY_FIELDS)
    new = {day: _new_day(day, mode, uncovered, "t") for day in days}
    select_days = ", ".join(f"s.{d}" for d in days)
    sql = _Sql(
        f"INSERT INTO {WEEKLY} AS t (product_id, store_id, week_start, units, {', '.join(days)}, category) "  # noqa: S608 - identifiers are ours
        f"SELECT s.product_id, s.store_id, s.week_start, {' + '.join(f's.{d}' for d in days)}, {select_days}, "
        f"p.category FROM {tmp} s JOIN {PRODUCT} p ON p.id = s.product_id "
        f"WHERE s.rn >= %s AND s.rn < %s ORDER BY s.rn "
        f"ON CONFLICT (product_id, store_id, week_start) DO UPDATE SET ",
        [start, stop],
    )
    for day in days:
        sql = sql + f"{day} = " + new[day] + ", "
    units = _Sql("units = ")
    for i, day in enumerate(days):
        units = units + (" + " if i else "") + new[day]
    sql = sql + units + ", category = excluded.category"
    if mode == SalesLoad.Mode.REPLACE_RANGE:
        operator = "IS DISTINCT FROM" if is_postgres() else "IS NOT"
        sql = sql + f" WHERE ({', '.join(f't.{d}' for d in days)}) {operator} ("
        for i, day in enumerate(days):
            sql = sql + (", " if i else "") + new[day]
        sql = sql + ")"
    return sql


def _not_in_tmp(tmp: str) -> str:
    return (
        f"NOT EXISTS (SELECT 1 FROM {tmp} s WHERE s.product_id = {WEEKLY}.product_id "  # noqa: S608 - identifiers are ours
        f"AND s.store_id = {WEEKLY}.store_id AND s.week_start = {WEEKLY}.week_start)"
    )


def _range_filter(store_ids: list[int], first: dt.date, last: dt.date) -> _Sql:
    first_week = first - dt.timedelta(days=first.weekday())
    last_week = last - dt.timedelta(days=last.weekday())
    store_sql, store_params = in_clause(f"{WEEKLY}.store_id", store_ids)
    return _Sql(
        f"{store_sql} AND {WEEKLY}.week_start BETWEEN %s AND %s",
        [*store_params, date_param(first_week), date_param(last_week)],
    )


def _replace_clear(tmp: str, store_ids: list[int], first: dt.date, last: dt.date) -> int:
    """replace_range for rows the file does not have: in the file's stores and
    weeks, the covered days of every other existing row become 0 (rows left
    all zero are removed; unchanged rows are not touched)."""
    if not store_ids:
        return 0
    uncovered = _uncovered_weeks(first, last)
    # Days outside the range in the row's week are all 0 → after clearing the row is empty: delete it.
    kept_days_zero = _Sql("")
    for day in DAY_FIELDS:
        if uncovered[day]:
            kept_days_zero = kept_days_zero + " AND (NOT " + _week_in(f"{WEEKLY}.week_start", uncovered[day])
            kept_days_zero = kept_days_zero + f" OR {WEEKLY}.{day} = 0)"
    delete = _Sql(f"DELETE FROM {WEEKLY} WHERE ") + _range_filter(store_ids, first, last)  # noqa: S608 - identifiers are ours
    delete = delete + f" AND {_not_in_tmp(tmp)}" + kept_days_zero
    # The others (in a boundary week, with sales on days the file does not cover): clear the covered days.
    partial_weeks = sorted({w for weeks in uncovered.values() for w in weeks})
    cleared_total = 0
    with connection.cursor() as cursor:
        cursor.execute(delete.text, delete.params)
        cleared_total += max(cursor.rowcount, 0)
        if not partial_weeks:
            return cleared_total
        new = {}
        for day in DAY_FIELDS:
            if uncovered[day]:
                new[day] = _Sql("CASE WHEN ") + _week_in(f"{WEEKLY}.week_start", uncovered[day])
                new[day] = new[day] + f" THEN {WEEKLY}.{day} ELSE 0 END"
            else:
                new[day] = _Sql("0")
        update = _Sql(f"UPDATE {WEEKLY} SET ")  # noqa: S608 - identifiers are ours
        for day in DAY_FIELDS:
            update = update + f"{day} = " + new[day] + ", "
        update = update + "units = "
        for i, day in enumerate(DAY_FIELDS):
            update = update + (" + " if i else "") + new[day]
        update = update + " WHERE " + _range_filter(store_ids, first, last) + " AND "
        update = update + _week_in(f"{WEEKLY}.week_start", partial_weeks) + f" AND {_not_in_tmp(tmp)}"
        # Only rows with something to clear on a covered day.
        covered_nonzero = []
        for day in DAY_FIELDS:
            if uncovered[day]:
                covered_nonzero.append(
                    _Sql("(NOT ") + _week_in(f"{WEEKLY}.week_start", uncovered[day]) + f" AND {WEEKLY}.{day} <> 0)"
                )
            else:
                covered_nonzero.append(_Sql(f"{WEEKLY}.{day} <> 0"))
        update = update + " AND ("
        for i, condition in enumerate(covered_nonzero):
            update = update + (" OR " if i else "") + condition
        update = update + ")"
        cursor.execute(update.text, update.params)
        cleared_total += max(cursor.rowcount, 0)
    return cleared_total


def _append_clear(store_ids: list[int], first: dt.date, last: dt.date) -> int:
    """Returns may bring a week to all zero days: such rows are removed."""
    delete = _Sql(f"DELETE FROM {WEEKLY} WHERE ") + _range_filter(store_ids, first, last)  # noqa: S608 - identifiers are ours
    delete = delete + "".join(f" AND {WEEKLY}.{day} = 0" for day in DAY_FIELDS)
    with connection.cursor() as cursor:
        cursor.execute(delete.text, delete.params)
        return max(cursor.rowcount, 0)


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
    category_warnings: list[str] = field(default_factory=list)

    def summary(self) -> dict[str, object]:
        return {
            "Filas leídas": self.rows_read,
            "Registros (SKU, tienda, fecha)": self.records,
            "Registros escritos (nuevos o cambiados)": self.rows_written,
            "SKUs": self.sku_count,
            "Tiendas": self.store_count,
            "Rango de fechas": f"{self.first_date:%Y-%m-%d} → {self.last_date:%Y-%m-%d}",
            "Productos nuevos": self.new_products,
            "Tiendas nuevas": self.new_stores,
            "Advertencias de categoría": len(self.category_warnings),
        }


def legacy_sales_import(
    *,
    path: str | Path,
    user: Any = None,
    progress: Progress = _no_progress,
    file_name: str = "",
    job: Any = None,
    max_bytes: int | None = None,
) -> LegacyImportResult:
    """Load a subset sales file into DistributionRecord (raw history, SPEC §4.5):
    one row per SKU, store and date; a date loaded again replaces its units."""
    progress(1, "Leyendo y validando el archivo")
    data = sales_file_read(path, weekly=False, progress=progress, max_bytes=max_bytes)
    with transaction.atomic():
        progress(30, "Actualizando productos y tiendas", rows_read=data.rows_read)
        imports_lock()
        products = products_upsert(data.products)
        stores = stores_resolve(data.stores)
        product_ids = np.array([products.id_by_sku[s] for s in data.skus], dtype=np.int64)
        store_ids = np.array([stores.id_by_label[s] for s in data.stores], dtype=np.int64)
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
        progress(40, "Escribiendo ventas subset", rows_read=data.rows_read)
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
            object_repr=f"Ventas subset: {file_name or Path(path).name}",
            object_url=_job_url(job),
            details={"kind": "legacy_sales", "rows": data.rows_read, "records": len(frame), "rows_written": written},
        )
        progress(100, "Terminada", rows_read=data.rows_read, rows_written=written)
    return result
