"""The sales-series functions: the only way planner features read sales (SPEC §4.4).

Everything reads the macro layer (SalesWeeklyAgg), never DistributionRecord.
Each function touches only the SKUs or categories it is asked for, in one
indexed query per chunk, and returns a DataFrame. Weeks with no row are
absent from the frames and count as 0 units.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd
from django.db import connection
from django.db.models import Max, Min, Q

from fastdso.bounds import OutOfRange, bounded_date
from fastdso.db import chunks, in_clause, int_columns_packed, is_postgres, work_mem
from fastdso.jobs import JobInputError
from fastdso.messages import msg
from inventory.models import Product
from inventory.queries import product_ids
from sales.models import Promotion, SalesLoad, SalesWeeklyAgg, StoreCoverage
from sales.summary import category_window_sql, summary_ensure, summary_read

CHUNK = 5000
WEEKLY = SalesWeeklyAgg._meta.db_table
PRODUCT = Product._meta.db_table


def weekly_sql(
    select: str,
    *,
    span: tuple[dt.date, dt.date] | None = None,
    filters: Sequence[tuple[str, Sequence[object]]] = (),
    stores: Sequence[int] | None = None,
    products: bool = False,
    condition: str = "",
    group_by: str = "",
    tail: str = "",
    select_params: Sequence[object] = (),
    tail_params: Sequence[object] = (),
) -> tuple[str, list[object]]:
    """The one skeleton of the weekly reads: `SELECT {select}` over the macro
    rows `w` (joined to their products `p` when `products`), kept by the
    `filters` (column, values: an IN clause each), the window `span` (first
    and last Monday), the `stores` and a `condition` of ours, then grouped
    (`group_by`) and ended by `tail` (HAVING/ORDER/LIMIT). Parameters in the
    placeholders' order: `select_params`, the filters', the window's, the
    stores', `tail_params`."""
    sql = f"SELECT {select} FROM {WEEKLY} w"  # noqa: S608 - identifiers are ours
    if products:
        sql += f" JOIN {PRODUCT} p ON p.id = w.product_id"
    clauses: list[str] = []
    params: list[object] = list(select_params)
    for column, values in filters:
        clause, values_params = in_clause(column, list(values))
        clauses.append(clause)
        params += values_params
    if span is not None:
        clauses.append("w.week_start BETWEEN %s AND %s")
        params += [span[0], span[1]]
    if stores is not None:
        clause, store_params = in_clause("w.store_id", [int(s) for s in stores])
        clauses.append(clause)
        params += store_params
    if condition:
        clauses.append(condition)
    if clauses:
        sql += " WHERE " + " AND ".join(clauses)
    if group_by:
        sql += f" GROUP BY {group_by}"
    if tail:
        sql += f" {tail}"
    return sql, [*params, *tail_params]


def _rows(sql: str, params: list[object]) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def monday(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def last_loaded_sale_date() -> dt.date | None:
    """The last sale date any macro upload covered (SPEC §4.3)."""
    latest = SalesLoad.objects.aggregate(latest=Max("last_date"))["latest"]
    if latest is None:
        # Rows loaded outside the upload pipeline (bulk benchmark loads): the
        # last week present is taken as complete.
        week = SalesWeeklyAgg.objects.aggregate(latest=Max("week_start"))["latest"]
        return week + dt.timedelta(days=6) if week else None
    return latest


COVERAGE_PERCENTILE = 20  # the date reached by at least 80% of the stores


def network_covered_until() -> dt.date | None:
    """The date the network's data reaches (SPEC §4.3): the 20th percentile,
    lower value, of covered_until over the stores with macro data — so a file
    for a few stores does not move it. Without coverage rows (weekly rows
    loaded outside the upload pipeline) the last loaded date."""
    dates = sorted(StoreCoverage.objects.values_list("covered_until", flat=True))
    if not dates:
        return last_loaded_sale_date()
    # numpy's percentile(method="lower"): the element at floor(p × (n − 1)).
    return dates[int(np.floor(COVERAGE_PERCENTILE / 100 * (len(dates) - 1)))]


def last_complete_week(until: dt.date) -> dt.date:
    """Monday of the last Monday–Sunday week that ends on or before `until`."""
    week = monday(until)
    return week if until.weekday() == 6 else week - dt.timedelta(days=7)


def default_as_of_week() -> dt.date | None:
    """Monday of the last complete week of the network's data (SPEC §4.3)."""
    until = network_covered_until()
    return None if until is None else last_complete_week(until)


class IncompleteWeek(JobInputError):
    """An as-of date in a week the data does not complete (message in Spanish):
    every service that resolves the as-of week refuses the request with it."""


def resolve_as_of_week(as_of: dt.date | None = None) -> dt.date | None:
    """The as-of week: the week containing `as_of` when given and complete,
    else the default. An incomplete week is refused (IncompleteWeek) with a
    message that names the last complete week."""
    if as_of is None:
        return default_as_of_week()
    try:
        bounded_date(as_of, "as_of")  # 9999-12-31 would overflow the week's end
    except OutOfRange as exc:
        raise IncompleteWeek(exc.as_message()) from None
    until = network_covered_until()
    week = monday(as_of)
    if until is None or week + dt.timedelta(days=6) <= until:
        return week
    last = last_complete_week(until)
    raise IncompleteWeek(
        msg(
            "sales.incomplete_week",
            day=as_of,
            first=week,
            last=week + dt.timedelta(days=6),
            until=until,
            complete_first=last,
            complete_last=last + dt.timedelta(days=6),
        )
    )


def stores_behind(as_of_week: dt.date | None) -> list[tuple[str, dt.date]]:
    """(store name, covered_until) of the stores whose data ends before the
    end of the as-of week ("datos hasta …"), earliest first."""
    if as_of_week is None:
        return []
    sunday = as_of_week + dt.timedelta(days=6)
    rows = (
        StoreCoverage.objects.filter(covered_until__lt=sunday)
        .order_by("covered_until", "store__name")
        .values_list("store__name", "covered_until")
    )
    return list(rows)


def window(weeks: int, as_of: dt.date | None = None) -> tuple[dt.date, dt.date] | None:
    """(first Monday, last Monday) of the `weeks` weeks ending at the as-of week,
    inclusive. `as_of` is already resolved by the caller's service (the week
    that contains it is used); None: the default as-of week."""
    if weeks < 1:
        raise ValueError("weeks must be at least 1")
    end = monday(as_of) if as_of is not None else default_as_of_week()
    if end is None:
        return None
    return end - dt.timedelta(weeks=weeks - 1), end


def week_starts(weeks: int, as_of: dt.date | None = None) -> list[dt.date]:
    span = window(weeks, as_of)
    if span is None:
        return []
    return [span[0] + dt.timedelta(weeks=i) for i in range(weeks)]


def weekly_category_mismatches() -> int:
    """Weekly rows whose category copy differs from their product's category
    (NULL-safe): 0 when every write path kept the copy in sync (SPEC §2)."""
    differs = "IS DISTINCT FROM" if is_postgres() else "IS NOT"
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT COUNT(*) FROM {WEEKLY} w JOIN {PRODUCT} p ON p.id = w.product_id "  # noqa: S608 - identifiers are ours
            f"WHERE w.category {differs} p.category"
        )
        return int(cursor.fetchone()[0])


def _category_window_rows(
    by: str, categories: Iterable[str], weeks: int, as_of: dt.date | None, stores: Sequence[int] | None
) -> pd.DataFrame:
    """DataFrame[category, `by`, units]: the categories' units over the window
    grouped by store or by week, optionally at some stores only (one grouped
    query on the category index)."""
    columns = ["category", by, "units"]
    category_list = sorted({str(c) for c in categories if c})
    span = window(weeks, as_of)
    rows: list[tuple] = []
    if category_list and span is not None and (stores is None or stores):
        rows = _rows(
            *weekly_sql(
                f"w.category, w.{by}, SUM(w.units)",
                filters=[("w.category", category_list)],
                span=span,
                stores=stores,
                group_by=f"w.category, w.{by}",
            )
        )
    return _frame(rows, columns, dates=["week_start"] if by == "week_start" else ())


def has_macro_sales() -> bool:
    return SalesWeeklyAgg.objects.exists()


def _frame(rows: list[tuple], columns: list[str], dates: Iterable[str] = ()) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=columns)
    for column in dates:
        frame[column] = pd.to_datetime(frame[column]).dt.date
    return frame


def _sku_window_rows(
    select: str,
    sku_list: list[str],
    span: tuple[dt.date, dt.date],
    *,
    stores: Sequence[int] | None = None,
    group_by: str = "",
    select_params: Sequence[object] = (),
) -> list[tuple]:
    """`SELECT {select}` over the weekly rows of the given SKUs in the window
    (`w` = SalesWeeklyAgg, `p` = Product), optionally for some stores and
    grouped: one indexed query per chunk of SKUs, never a scan of other SKUs."""
    rows: list[tuple] = []
    for sku_chunk in chunks(sku_list, CHUNK):
        rows += _rows(
            *weekly_sql(
                select,
                products=True,
                filters=[("p.sku", sku_chunk)],
                span=span,
                stores=stores,
                group_by=group_by,
                select_params=select_params,
            )
        )
    return rows


def weekly_sales(
    skus: Iterable[str],
    weeks: int,
    as_of: dt.date | None = None,
    stores: Sequence[int] | None = None,
) -> pd.DataFrame:
    """DataFrame[sku, product_id, store_id, week_start, units] of the given SKUs
    in the window, optionally for some stores only. Only those SKUs are read."""
    columns = ["sku", "product_id", "store_id", "week_start", "units"]
    sku_list = sorted({str(s) for s in skus})
    span = window(weeks, as_of)
    if not sku_list or span is None or (stores is not None and not stores):
        return _frame([], columns)
    if is_postgres() and len(sku_list) > PACKED_SKUS:  # bulk reads (the replay); a page's few SKUs: one query
        return _weekly_sales_packed(sku_list, span, stores)
    rows = _sku_window_rows("p.sku, w.product_id, w.store_id, w.week_start, w.units", sku_list, span, stores=stores)
    return _frame(rows, columns, dates=["week_start"])


PACKED_SKUS = 100  # SKUs per packed read: ≤ 500 stores × ~30 weeks each, ≤ ~50 MB a read


def _weekly_rows_packed(
    id_chunk: list[int], span: tuple[dt.date, dt.date], stores: Sequence[int] | None
) -> list[np.ndarray]:
    """product_id, store_id, days from the window's first Monday, units of some products."""
    clause, id_params = in_clause("w.product_id", id_chunk)
    sql = (
        "SELECT w.product_id, w.store_id, CAST(w.week_start - CAST(%s AS DATE) AS BIGINT), "  # noqa: S608 - ours
        f"CAST(w.units AS BIGINT) FROM {WEEKLY} w WHERE {clause} AND w.week_start BETWEEN %s AND %s"
    )
    params = [span[0], *id_params, span[0], span[1]]
    if stores is not None:
        store_clause, store_params = in_clause("w.store_id", list(stores))
        sql += f" AND {store_clause}"
        params += store_params
    return int_columns_packed(sql, params, [8, 8, 8, 8])


def _weekly_sales_packed(
    sku_list: list[str], span: tuple[dt.date, dt.date], stores: Sequence[int] | None
) -> pd.DataFrame:
    """`weekly_sales` on PostgreSQL: the rows come packed in one binary value per
    PACKED_SKUS SKUs (`int_columns_packed`), by product id, without a Python
    tuple per row — the replay of the top 2,000 SKUs of 500 stores reads ~10M."""
    sku_by_id = {product_id: sku for sku, product_id in product_ids(sku_list).items()}
    parts = []
    with work_mem(SUMMARY_WORK_MEM, jit=False):
        for id_chunk in chunks(sorted(sku_by_id), PACKED_SKUS):
            parts.append(_weekly_rows_packed(id_chunk, span, stores))
    product, store, day, units = [
        np.concatenate([p[i] for p in parts]) if parts else np.zeros(0, np.int64) for i in range(4)
    ]
    weeks = pd.Series(np.datetime64(span[0], "D") + day.astype("timedelta64[D]"))
    return pd.DataFrame(
        {
            "sku": pd.Series(product).map(sku_by_id).astype("str"),
            "product_id": product,
            "store_id": store,
            "week_start": weeks.dt.date if len(weeks) else pd.Series([], dtype=object),
            "units": units,
        }
    )


def category_store_units(
    categories: Iterable[str],
    weeks: int,
    as_of: dt.date | None = None,
    stores: Sequence[int] | None = None,
) -> pd.DataFrame:
    """DataFrame[category, store_id, units, avg_weekly_units]: each category's
    units per store over the window, and that divided by `weeks`."""
    frame = _category_window_rows("store_id", categories, weeks, as_of, stores)
    frame["units"] = frame["units"].astype("int64")
    frame["avg_weekly_units"] = frame["units"] / weeks
    return frame


def category_weekly_units(
    categories: Iterable[str],
    weeks: int,
    as_of: dt.date | None = None,
) -> pd.DataFrame:
    """DataFrame[category, product_id, store_id, week_start, units]: the weekly
    rows of every SKU of the given categories over the window (the replay sums
    its own category windows from these, week by week: units per store and how
    many of the category's SKUs sold there). One query on the category index."""
    columns = ["category", "product_id", "store_id", "week_start", "units"]
    category_list = sorted({str(c) for c in categories if c})
    span = window(weeks, as_of)
    rows: list[tuple] = []
    if category_list and span is not None:
        select = "w.category, w.product_id, w.store_id, w.week_start, w.units"
        rows = _rows(*weekly_sql(select, filters=[("w.category", category_list)], span=span))
    frame = _frame(rows, columns, dates=["week_start"])
    return frame.astype({"product_id": "int64", "store_id": "int64", "units": "int64"})


def top_skus(n: int, weeks: int, as_of: dt.date | None = None) -> list[str]:
    """The `n` SKUs with the most units sold over the window (ties by SKU):
    the replay's "top N SKUs" scope. One grouped query on the week index."""
    span = window(weeks, as_of)
    if span is None or n < 1:
        return []
    sql, params = weekly_sql(
        "p.sku",
        products=True,
        span=span,
        group_by="p.sku",
        tail="HAVING SUM(w.units) > 0 ORDER BY SUM(w.units) DESC, p.sku LIMIT %s",
        tail_params=[int(n)],
    )
    return [str(row[0]) for row in _rows(sql, params)]


def category_store_summary(
    categories: Iterable[str], weeks: int, as_of: dt.date | None = None, *, fill_summary: bool = False
) -> pd.DataFrame:
    """DataFrame[category, store_id, units, skus]: each category's units per store
    over the window, and how many of its SKUs sold there (units summed over the
    window > 0): what the cold start's per-SKU basis needs (SPEC §5.3)."""
    columns = ["category", "store_id", "units", "skus"]
    category_list = sorted({str(c) for c in categories if c})
    span = window(weeks, as_of)
    rows: list[tuple] = []
    if category_list and span is not None:
        kept = summary_read(category_list, weeks, span[1])  # the summary imports keep (sales.summary)
        if kept is None and fill_summary and summary_ensure(span[1], weeks):
            kept = summary_read(category_list, weeks, span[1])
        if kept is not None:
            return kept
        cat_clause, cat_params = in_clause("w.category", category_list)
        with connection.cursor() as cursor:
            cursor.execute(category_window_sql(cat_clause), [*cat_params, span[0], span[1]])
            rows = cursor.fetchall()
    frame = _frame(rows, columns)
    return frame.astype({"store_id": "int64", "units": "int64", "skus": "int64"})


def category_store_rates(
    category: str, weeks: int, as_of: dt.date | None = None, stores: Sequence[int] | None = None
) -> pd.DataFrame:
    """DataFrame[store_id, avg_weekly_units]: the category's units per store / weeks."""
    frame = category_store_units([category], weeks, as_of, stores)
    return frame[["store_id", "avg_weekly_units"]].reset_index(drop=True)


def category_sku_units(
    categories: Iterable[str],
    weeks: int,
    as_of: dt.date | None = None,
    stores: Sequence[int] | None = None,
) -> pd.DataFrame:
    """DataFrame[category, product_id, sku, units]: units per SKU of the given
    categories over the window (for Top-N picks and category proxies)."""
    columns = ["category", "product_id", "sku", "units"]
    category_list = sorted({str(c) for c in categories if c})
    span = window(weeks, as_of)
    rows: list[tuple] = []
    if category_list and span is not None and (stores is None or stores):
        rows = _rows(
            *weekly_sql(
                "w.category, w.product_id, p.sku, SUM(w.units)",
                products=True,
                filters=[("w.category", category_list)],
                span=span,
                stores=stores,
                group_by="w.category, w.product_id, p.sku",
            )
        )
    frame = _frame(rows, columns)
    frame["units"] = frame["units"].astype("int64")
    return frame


def sku_weekly_totals(
    skus: Iterable[str],
    weeks: int,
    as_of: dt.date | None = None,
    stores: Sequence[int] | None = None,
) -> pd.DataFrame:
    """DataFrame[sku, product_id, week_start, units]: like `weekly_sales`, summed
    over the (selected) stores in the database — one row per SKU-week that has
    at least one macro row. For SKU-level features (purchase forecast) that
    would otherwise pull one row per store. Only the given SKUs are read."""
    columns = ["sku", "product_id", "week_start", "units"]
    sku_list = sorted({str(s) for s in skus})
    span = window(weeks, as_of)
    if not sku_list or span is None or (stores is not None and not stores):
        return _frame([], columns)
    rows = _sku_window_rows(
        "p.sku, w.product_id, w.week_start, SUM(w.units)",
        sku_list,
        span,
        stores=stores,
        group_by="p.sku, w.product_id, w.week_start",
    )
    frame = _frame(rows, columns, dates=["week_start"])
    frame["units"] = frame["units"].astype("int64")
    return frame


def sku_store_units(
    skus: Iterable[str],
    weeks: int,
    as_of: dt.date | None = None,
    stores: Sequence[int] | None = None,
) -> pd.DataFrame:
    """DataFrame[product_id, store_id, units]: units of the given SKUs per store summed
    over the window (one row per pair with rows; absent pairs sold 0). The same rows
    as `weekly_sales`, aggregated by the database: what planners need for a rate."""
    columns = ["product_id", "store_id", "units"]
    sku_list = sorted({str(s) for s in skus})
    span = window(weeks, as_of)
    rows: list[tuple] = []
    if sku_list and span is not None and (stores is None or stores):
        rows = _sku_window_rows(
            "w.product_id, w.store_id, SUM(w.units)",
            sku_list,
            span,
            stores=stores,
            group_by="w.product_id, w.store_id",
        )
    return pd.DataFrame(rows, columns=columns).astype("int64")


SUMMARY_V3 = ["first_week", "last_week", "units_to_last", "weeks_to_last"]


def weekly_sales_summary(
    skus: Iterable[str],
    weeks: int,
    as_of: dt.date | None = None,
    recent: int = 1,
) -> pd.DataFrame:
    """DataFrame[sku, product_id, store_id, selling_weeks, units, recent_1..recent_N,
    first_week, last_week, units_to_last, weeks_to_last]:
    per (SKU, store) with any row in the window, the weeks with units > 0, the
    window's units, and the units of each of the last `recent` weeks
    (recent_1 = the as-of week, recent_2 the week before; no row = 0); the
    window's first and last weeks with units > 0 (0 = the window's first week,
    -1: none) and the units up to and including that last week (SPEC v3 §5.2).

    The same facts as `weekly_sales` grouped in the database: one row per
    (SKU, store) instead of one per week, for engines that need only these
    (the distribution generator). Only the given SKUs are read.
    """
    if recent < 1 or recent > weeks:
        raise ValueError("recent must be between 1 and weeks")
    recent_columns = [f"recent_{i}" for i in range(1, recent + 1)]
    base = ["sku", "product_id", "store_id", "selling_weeks", "units", *recent_columns]
    read = [*base[1:], "first_week", "last_week", "last_negative_week"]
    sku_list = sorted({str(s) for s in skus})
    span = window(weeks, as_of)
    if not sku_list or span is None:
        return pd.DataFrame({c: pd.Series(dtype="object" if c == "sku" else "int64") for c in base + SUMMARY_V3})
    # By product id, without joining the products: filtering the join on
    # 2,000 SKU texts cost 0.33 s on the 10M-row table, the ids 0.06 s.
    sku_by_id = {product_id: sku for sku, product_id in product_ids(sku_list).items()}
    ids = sorted(sku_by_id)
    parts = [_int_frame(*weekly_sales_summary_sql(chunk, span, recent), read) for chunk in chunks(ids, CHUNK)]
    frame = pd.concat(parts, ignore_index=True) if parts else _int_frame("", [], read)
    frame = _units_to_last(frame, span)
    frame.insert(0, "sku", frame["product_id"].map(sku_by_id).astype(object))
    return frame[base + SUMMARY_V3]


def _week_index_sql() -> str:
    """The week's index from the window's first week (one %s: that Monday)."""
    if is_postgres():
        return "((w.week_start - CAST(%s AS DATE)) / 7)"
    return "CAST((julianday(w.week_start) - julianday(%s)) / 7 AS INTEGER)"


def _units_to_last(frame: pd.DataFrame, span: tuple[dt.date, dt.date]) -> pd.DataFrame:
    """units_to_last = the window's units less the returns after the last sale:
    only pairs with a negative week after their last sale (rare) are read again."""
    frame["units_to_last"] = frame["units"]
    frame["weeks_to_last"] = frame["last_week"] + 1
    late = frame[frame["last_negative_week"] > frame["last_week"]]
    if not late.empty:
        sql, params = weekly_sql(
            f"w.product_id, w.store_id, CAST({_week_index_sql()} AS BIGINT), CAST(w.units AS BIGINT)",
            filters=[("w.product_id", sorted(set(late["product_id"].astype(int).tolist())))],
            span=span,
            condition="w.units < 0",
            select_params=[span[0]],
        )
        rows = _int_frame(sql, params, ["product_id", "store_id", "week", "units"])
        rows = rows.merge(frame[["product_id", "store_id", "last_week"]], on=["product_id", "store_id"])
        after = rows[rows["week"] > rows["last_week"]].groupby(["product_id", "store_id"])["units"].sum()
        keys = pd.MultiIndex.from_frame(frame[["product_id", "store_id"]])
        frame["units_to_last"] = frame["units"] - pd.Series(keys.map(after)).fillna(0).astype("int64").to_numpy()
    return frame.drop(columns="last_negative_week")


def weekly_sales_summary_sql(
    product_id_list: Sequence[int], span: tuple[dt.date, dt.date], recent: int
) -> tuple[str, list[object]]:
    """The grouped read of `weekly_sales_summary` for some products (also
    explained by `bench --plans`): product_id, store_id, selling_weeks,
    units, recent_1..recent_N, first_week, last_week, last_negative_week, all bigint."""
    recent_sql = ", ".join(
        "CAST(SUM(CASE WHEN w.week_start = %s THEN w.units ELSE 0 END) AS BIGINT)" for _ in range(recent)
    )
    recent_params = [span[1] - dt.timedelta(weeks=i) for i in range(recent)]
    week = _week_index_sql()
    weeks_sql = (
        f"CAST(COALESCE(MIN(CASE WHEN w.units > 0 THEN {week} END), -1) AS BIGINT), "
        f"CAST(COALESCE(MAX(CASE WHEN w.units > 0 THEN {week} END), -1) AS BIGINT), "
        f"CAST(COALESCE(MAX(CASE WHEN w.units < 0 THEN {week} END), -1) AS BIGINT)"
    )
    return weekly_sql(
        "w.product_id, w.store_id, CAST(SUM(CASE WHEN w.units > 0 THEN 1 ELSE 0 END) AS BIGINT), "
        f"CAST(SUM(w.units) AS BIGINT), {recent_sql}, {weeks_sql}",
        filters=[("w.product_id", list(product_id_list))],
        span=span,
        group_by="w.product_id, w.store_id",
        select_params=[*recent_params, span[0], span[0], span[0]],
    )


def store_sales_weeks(store_ids: Sequence[int]) -> dict[int, int]:
    """Store id → weeks with any units > 0 (SPEC v3 §4.7: a store with fewer
    than `new_store_weeks` of them is opening), for the given stores."""
    ids = sorted({int(i) for i in store_ids})
    if not ids:
        return {}
    sql, params = weekly_sql(
        "w.store_id, COUNT(DISTINCT w.week_start)", stores=ids, condition="w.units > 0", group_by="w.store_id"
    )
    return {int(store): int(weeks) for store, weeks in _rows(sql, params)}


PROMOTION_COLUMNS = ["product_id", "store_id", "start_date", "end_date", "name"]


def promoted_week_units(product_id_list: Sequence[int], weeks: int, as_of: dt.date) -> pd.DataFrame:
    """DataFrame[product_id, store_id, week_start, units] of the weekly rows of the
    given products in the `weeks` weeks ending at `as_of` that a promotion covers
    (SPEC v3 §4.6: one of the week's days in its dates, at its store or every
    store), joined in the database: the category lift reads these and the
    pairs' totals, not every weekly row of the promoted products."""
    columns = ["product_id", "store_id", "week", "units"]
    span = window(weeks, as_of)
    ids = sorted({int(i) for i in product_id_list})
    if span is None or not ids:
        frame = _int_frame("", [], columns)
    else:
        promotion = Promotion._meta.db_table
        week_end = "w.week_start + 6" if is_postgres() else "date(w.week_start, '+6 days')"
        parts = []
        for chunk in chunks(ids, CHUNK):
            clause, params = in_clause("w.product_id", chunk)
            sql = (
                f"SELECT DISTINCT w.product_id, w.store_id, CAST({_week_index_sql()} AS BIGINT), "  # noqa: S608
                f"CAST(w.units AS BIGINT) FROM {WEEKLY} w JOIN {promotion} p ON p.product_id = w.product_id "
                f"AND (p.store_id IS NULL OR p.store_id = w.store_id) AND p.start_date <= {week_end} "
                f"AND p.end_date >= w.week_start WHERE {clause} AND w.week_start BETWEEN %s AND %s"
            )
            parts.append(_int_frame(sql, [span[0], *params, span[0], span[1]], columns))
        frame = pd.concat(parts, ignore_index=True)
    week_start = pd.Timestamp(span[0]) + pd.to_timedelta(frame["week"] * 7, unit="D") if span else frame["week"]
    return frame.assign(week_start=week_start)[["product_id", "store_id", "week_start", "units"]]


def promotions_frame(
    start: dt.date, end: dt.date, product_ids: Sequence[int] | None = None, categories: Sequence[str] | None = None
) -> pd.DataFrame:
    """DataFrame[product_id, store_id (None: every store), start_date, end_date,
    name] of the promotions overlapping [start, end] (SPEC v3 §4.6), of some
    products or of some categories' products."""
    rows = Promotion.objects.filter(start_date__lte=end, end_date__gte=start)
    if product_ids is not None:
        rows = rows.filter(product_id__in=sorted({int(i) for i in product_ids}))
    if categories is not None:
        rows = rows.filter(product__category__in=sorted(set(categories)))
    values = rows.values_list("product_id", "store_id", "start_date", "end_date", "name")
    return pd.DataFrame(list(values), columns=PROMOTION_COLUMNS)


SUMMARY_WORK_MEM = "64MB"  # a 2,000-SKU read groups ~170k (SKU, store) pairs: in memory, not spilled


def _int_frame(sql: str, params: list[object], columns: list[str]) -> pd.DataFrame:
    """The rows of `sql` (bigint columns, none NULL) as an int64 DataFrame:
    PostgreSQL packed into one binary value (`fastdso.db.int_columns_packed`:
    no Python object and no wire message per row), SQLite through the cursor."""
    if not sql:
        return pd.DataFrame({c: pd.Series(dtype="int64") for c in columns})
    if is_postgres():
        with work_mem(SUMMARY_WORK_MEM, jit=False):
            arrays = int_columns_packed(sql, params, [8] * len(columns))
        return pd.DataFrame(dict(zip(columns, arrays, strict=True)))
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    return pd.DataFrame(rows, columns=columns).astype("int64")


def products_with_sales(days: int = 90, until: dt.date | None = None) -> list[int]:
    """Ids of the products with units sold (> 0) in the `days` days ending at
    `until` (default: the last loaded sale date), at week granularity: a week
    counts when it overlaps those days. One query on the week index."""
    until = until or last_loaded_sale_date()
    if until is None:
        return []
    first_week = monday(until - dt.timedelta(days=days - 1))
    sql, params = weekly_sql("DISTINCT w.product_id", span=(first_week, monday(until)), condition="w.units > 0")
    return [row[0] for row in _rows(sql, params)]


def store_product_units(
    weeks: int, as_of: dt.date | None = None, product_ids: Sequence[int] | None = None
) -> pd.DataFrame:
    """DataFrame[product_id, store_id, units]: units per (product, store) summed
    over the window, for the given products (None: every product sold in the
    window). One grouped query per chunk of products."""
    columns = ["product_id", "store_id", "units"]
    span = window(weeks, as_of)
    if span is None or (product_ids is not None and not len(product_ids)):
        return pd.DataFrame({c: pd.Series(dtype="int64") for c in columns})
    id_chunks: list[list[int] | None] = [None]
    if product_ids is not None:
        ids = sorted({int(i) for i in product_ids})
        step = CHUNK * 10 if connection.vendor == "postgresql" else CHUNK
        id_chunks = list(chunks(ids, step))
    rows: list[tuple] = []
    parts: list[list[np.ndarray]] = []
    for chunk in id_chunks:
        sql, params = weekly_sql(
            "w.product_id, w.store_id, CAST(SUM(w.units) AS BIGINT)",
            filters=[("w.product_id", chunk)] if chunk is not None else [],
            span=span,
            group_by="w.product_id, w.store_id",
        )
        if is_postgres():  # packed: no Python tuple per (product, store) (~3M at 500 stores)
            with work_mem(SUMMARY_WORK_MEM, jit=False):
                parts.append(int_columns_packed(sql, params, [8, 8, 8]))
            continue
        rows += _rows(sql, params)
    if parts:
        return pd.DataFrame({c: np.concatenate([p[i] for p in parts]) for i, c in enumerate(columns)})
    # numpy builds an integer frame from many tuples far faster than pandas does
    return pd.DataFrame(np.array(rows, dtype="int64").reshape(-1, len(columns)), columns=columns)


def network_weekly_units(
    weeks: int,
    as_of: dt.date | None = None,
    product_ids: Sequence[int] | None = None,
    stores: Sequence[int] | None = None,
) -> pd.DataFrame:
    """DataFrame[week_start, units]: total units per week over the window, every
    week present (0 when nothing sold), optionally for some products / stores."""
    starts = week_starts(weeks, as_of)
    if not starts:
        return pd.DataFrame({"week_start": pd.Series(dtype=object), "units": pd.Series(dtype="int64")})
    totals: dict[dt.date, int] = {}
    if (product_ids is None or len(product_ids)) and (stores is None or len(stores)):
        sql, params = weekly_sql(
            "w.week_start, SUM(w.units)",
            filters=[("w.product_id", [int(v) for v in product_ids])] if product_ids is not None else [],
            span=(starts[0], starts[-1]),
            stores=stores,
            group_by="w.week_start",
        )
        for week_start, units in _rows(sql, params):
            totals[pd.Timestamp(week_start).date()] = int(units or 0)
    return pd.DataFrame({"week_start": starts, "units": [totals.get(w, 0) for w in starts]})


def last_sale_weeks(product_ids: Sequence[int], stores: Sequence[int] | None = None) -> pd.DataFrame:
    """DataFrame[product_id, store_id, week_start]: the last week with units
    sold (> 0) of each product at each store, over all loaded history."""
    columns = ["product_id", "store_id", "week_start"]
    ids = sorted({int(i) for i in product_ids})
    if not ids or (stores is not None and not len(stores)):
        return _frame([], columns)
    rows: list[tuple] = []
    for chunk in chunks(ids, CHUNK):
        rows += _rows(
            *weekly_sql(
                "w.product_id, w.store_id, MAX(w.week_start)",
                filters=[("w.product_id", chunk)],
                stores=stores,
                condition="w.units > 0",
                group_by="w.product_id, w.store_id",
            )
        )
    return _frame(rows, columns, dates=["week_start"])


def sales_data_version() -> tuple[object, object]:
    """(newest SalesLoad id, newest week loaded): changes whenever sales change
    (for cache keys). One query on two primary-key/indexed maxima."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT (SELECT MAX(id) FROM {SalesLoad._meta.db_table}), (SELECT MAX(week_start) FROM {WEEKLY})"  # noqa: S608
        )
        return tuple(cursor.fetchone())


def first_loaded_sale_date() -> dt.date | None:
    """The first sale date any macro upload covered (charts start there, not at empty weeks)."""
    first = SalesLoad.objects.aggregate(first=Min("first_date"))["first"]
    if first is None:
        return SalesWeeklyAgg.objects.aggregate(first=Min("week_start"))["first"]
    return first


def category_week_totals(
    categories: Iterable[str],
    weeks: int,
    as_of: dt.date | None = None,
    stores: Sequence[int] | None = None,
) -> pd.DataFrame:
    """DataFrame[category, week_start, units]: each category's units per week
    over the window (every SKU of it), optionally at some stores only — the
    series the purchase forecast's seasonal index reads (SPEC v3 §6). One
    grouped query on the category index."""
    frame = _category_window_rows("week_start", categories, weeks, as_of, stores)
    frame["units"] = frame["units"].astype("int64")
    return frame


def promoted_sku_weeks(
    product_id_list: Sequence[int],
    weeks: int,
    as_of: dt.date | None = None,
    stores: Sequence[int] | None = None,
) -> pd.DataFrame:
    """DataFrame[product_id, week_start]: the (SKU, week)s of the window that a
    promotion covers on any day (SPEC v3 §4.6) at any of the selected stores
    (a promotion without store covers every store; `stores` None: any store).
    One query per chunk of products."""
    columns = ["product_id", "week_start"]
    span = window(weeks, as_of)
    ids = sorted({int(i) for i in product_id_list})
    if not ids or span is None or (stores is not None and not stores):
        return pd.DataFrame(columns=columns)
    first, last = span[0], span[1] + dt.timedelta(days=6)
    rows: list[tuple] = []
    for chunk in chunks(ids, CHUNK):
        query = Promotion.objects.filter(product_id__in=chunk, end_date__gte=first, start_date__lte=last)
        if stores is not None:
            query = query.filter(Q(store__isnull=True) | Q(store_id__in=list(stores)))
        rows.extend(query.values_list("product_id", "start_date", "end_date"))
    if not rows:
        return pd.DataFrame(columns=columns)
    # Week w is covered iff monday(start) ≤ w ≤ monday(end): expand each
    # promotion to its range of week indexes (no product × week cross join).
    product = np.array([r[0] for r in rows], dtype=np.int64)
    first_index = np.array([(monday(r[1]) - span[0]).days // 7 for r in rows], dtype=np.int64).clip(0, weeks - 1)
    last_index = np.array([(monday(r[2]) - span[0]).days // 7 for r in rows], dtype=np.int64).clip(0, weeks - 1)
    counts = last_index - first_index + 1
    offsets = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
    week_index = np.repeat(first_index, counts) + offsets
    mondays = np.array([span[0] + dt.timedelta(weeks=i) for i in range(weeks)], dtype=object)
    frame = pd.DataFrame({"product_id": np.repeat(product, counts), "week_start": mondays[week_index]})
    return frame.drop_duplicates().reset_index(drop=True)
