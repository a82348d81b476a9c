"""The macro merge-writer: compares a file's weekly rows with the ones already
stored in its stores and weeks (`sales.engine.weekly_merge`) and inserts the
new rows (COPY on PostgreSQL), updates the changed ones and removes the
emptied ones. Runs inside the import's transaction."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
from django.db import connection
from pyarrow import csv as pa_csv

from fastdso.db import (
    date_param,
    in_clause,
    indexes_rebuilt_after,
    int_columns_read,
    is_postgres,
    rows_insert,
    table_is_empty,
    temp_table_load,
)
from fastdso.jobs import JobInputError
from fastdso.messages import msg
from inventory.models import Product
from sales import engine
from sales.category_sync import product_categories
from sales.models import DAY_FIELDS, SalesLoad, SalesWeeklyAgg
from sales.partitions import weekly_analyze
from sales.queries import monday
from sales.sales_file import Progress
from sales.summary import bulk_write

WEEKLY = SalesWeeklyAgg._meta.db_table
PRODUCT = Product._meta.db_table

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

RUN_BLOCK = 4096  # file rows per block when the database reports which rows came back unchanged


def _range_count(store_ids: list[int], first: dt.date, last: dt.date) -> int:
    where, params = _range_where(store_ids, first, last, WEEKLY)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM {WEEKLY} WHERE {where}", params)  # noqa: S608 - ours
        return int(cursor.fetchone()[0])


def same_keys_paired(
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
        order = stored_in_file_order(product, week, store, keys[0], store_ids)
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


def stored_in_file_order(
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
                f"SELECT rn / {RUN_BLOCK}, COUNT(*) FROM {pairs} WHERE rn IS NOT NULL GROUP BY 1"  # noqa: S608
            )
            counts = dict(cursor.fetchall())
            unchanged = np.zeros(len(weekly), dtype=bool)
            partial = []
            for block, count in counts.items():
                start, stop = block * RUN_BLOCK, min((block + 1) * RUN_BLOCK, len(weekly))
                if count == stop - start:
                    unchanged[start:stop] = True
                else:
                    partial.append(int(block))
            if partial:
                block_sql, block_params = in_clause(f"rn / {RUN_BLOCK}", partial)
                cursor.execute(f"SELECT rn FROM {pairs} WHERE rn IS NOT NULL AND {block_sql}", block_params)  # noqa: S608
                unchanged[np.array([row[0] for row in cursor.fetchall()], dtype=np.int64)] = True
        stored = _stored_rows(store_ids, first, last, ids_in=f"SELECT id FROM {pairs} WHERE rn IS NULL")  # noqa: S608 - ours
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {pairs}")
        tmp.drop()
    return weekly.loc[~unchanged].reset_index(drop=True), stored


def weekly_write(
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
        paired = same_keys_paired(weekly, store_ids, first_date, last_date)
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
        weekly_analyze(first_date, last_date, rows=total)
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
    categories = product_categories(inserts["product_id"].unique().tolist())
    # Columns added in place: this frame can hold millions of rows.
    inserts["week_start"] = inserts["week"].to_numpy(np.int64).astype("datetime64[D]")
    inserts["category"] = inserts["product_id"].map(categories)
    columns = [*_WEEKLY_TYPES, "category"]
    rows_insert(WEEKLY, inserts[columns], types={**_WEEKLY_TYPES, "category": "text"}, progress=progress)


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
