"""Store Health reads (SPEC §8) and Stock Query: bulk reads, the health rules
of `health.engine`, and the cache of the result.

The cache rule (tested in tests/health/test_data_version.py)
-----------------------------------------------------------
The cached result is keyed by the *data version* (`health_data_version`): a
hash of the maximum ids/dates of everything Store Health reads — sales loads
and weeks (`sales.queries.sales_data_version`), CD and store snapshots, store
stock dates, stores, distribution runs — plus the id of the newest finished
Job (any kind but the health refresh itself) and of the newest admin edit in
the audit log. Hence the rule every write path must keep:

    **every write to the data Store Health reads either leaves a finished Job
    or an admin audit event, or changes one of the maxima above.**

Uploads, runs and plans run as Jobs (the web and the management commands
alike); the Django admin records an audit event. A new write path that does
neither would leave the dashboard stale for up to HEALTH_CACHE_SECONDS: add
it to the test of every write path in tests/health/test_data_version.py.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd
from django.core.cache import cache
from django.db import connection
from django.db.models import Subquery

from distribution.models import DistributionLine, DistributionRun
from fastdso.db import chunks, in_clause, int_columns_packed
from fastdso.jobs import job_service_down
from fastdso.models import AuditEvent, Job
from health import engine
from health.engine import HealthParams
from inventory.commitments import positive_effective
from inventory.models import CDStockSnapshot, Product, StockCommitment, Store, StoreStockSnapshot
from inventory.queries import (
    CHUNK,
    cd_stock_date,
    stock_position,
    store_commitments,
    store_stock_dates,
    stores_frame,
)
from redistribution.models import TransferPlan
from sales import queries as sales_queries

logger = logging.getLogger(__name__)

# --- Store Health (the dashboard) ---------------------------------------------
#
# Caching. Health is computed in pandas from a handful of bulk queries (the
# scope, positive store stock of the scope, the demand window, product
# names) and the result is cached, so that paging, sorting and filtering the
# dashboard and the alert list never recompute it. The key is the *data
# version*: two small queries that read the maximum ids/dates of everything health
# depends on (sales loads and weeks, CD and store snapshots, store stock
# dates, stores, runs, finished jobs, admin edits), plus the parameters. New
# data gives a new key, so the cache is never stale and needs no invalidation;
# old keys simply expire. Two layers: the Django cache (shared by processes,
# survives restarts) and a small per-process memo that spares unpickling a
# large frame on every request. When the data changes, pages keep showing the
# previous result (marked as being updated) while a background job computes
# the new one; only the very first computation runs inside a request.

HEALTH_CACHE_SECONDS = 6 * 3600
HEALTH_REFRESH_LOCK_SECONDS = 30 * 60  # one refresh job per data version (retried after this)
HEALTH_REFRESH_JOB = "store_health_refresh"
NETWORK_CHART_WEEKS = 26
_HEALTH_MEMO: OrderedDict[str, HealthData] = OrderedDict()
_HEALTH_MEMO_SIZE = 2  # a frame of 700k alerts is ~30 MB: keep few per process


@dataclass
class HealthData:
    """Everything the Store Health pages show, computed once per data version."""

    params: HealthParams
    alerts: pd.DataFrame  # one row per alert, sorted by severity: see ALERT_COLUMNS
    stores: pd.DataFrame  # per store: store_id, name, stock_date, active, buckets…, alerts, stockout_pct
    kpis: dict[str, int]
    dates: dict[str, Any]
    network_sales: pd.DataFrame  # week_start, units (last NETWORK_CHART_WEEKS weeks)
    computed_at: dt.datetime = field(default_factory=lambda: dt.datetime.now(tz=dt.UTC))
    stale: bool = False  # an earlier result shown while the refresh job computes the new one


ALERT_COLUMNS = [
    "store_id",
    "store",
    "product_id",
    "sku",
    "name",
    "category",
    "stock",
    "weekly_demand",
    "woc",
    "bucket",
    "alert",
]


def recent_runs(limit: int = 5) -> list[DistributionRun]:
    """The newest distribution runs, with what the dashboard shows of them."""
    fields = ("run_id", "status", "created_at", "line_count", "scope_sku_count", "total_allocated", "user__username")
    return list(DistributionRun.objects.select_related("user").only(*fields)[:limit])


def recent_plans(limit: int = 5) -> list[TransferPlan]:
    """The newest redistribution plans, with what the dashboard shows of them."""
    fields = ("plan_id", "mode", "scope", "category", "created_at", "line_count", "total_units", "user__username")
    return list(TransferPlan.objects.select_related("user").only(*fields)[:limit])


def recent_jobs(limit: int = 5) -> list[Job]:
    return list(
        Job.objects.select_related("user").only("kind", "status", "file_name", "created_at", "user__username")[:limit]
    )


def run_product_ids(last_runs: int) -> list[int]:
    """Products in the lines of the `last_runs` newest distribution runs (one query)."""
    if last_runs <= 0:
        return []
    runs = DistributionRun.objects.order_by("-created_at", "-id").values("id")[:last_runs]
    return list(
        DistributionLine.objects.filter(run_id__in=Subquery(runs)).values_list("product_id", flat=True).distinct()
    )


def store_stock_positive(product_id_list: Sequence[int], *, effective: bool = True) -> pd.DataFrame:
    """DataFrame[product_id, store_id, units] of the pairs with units > 0 at
    each store's latest snapshot. For health, 0 and negative stock are the same
    as absent (nothing to sell), so only positive rows are read. `effective`
    (SPEC §5.7): plus what approved runs and plans still move there
    (inventory's store commitments, the same rule the planners read)."""
    stock = _store_stock_positive(product_id_list)
    if not effective:
        return stock
    moves = store_commitments(product_id_list)
    return stock if moves.empty else positive_effective(stock, moves)


def _store_stock_positive(product_id_list: Sequence[int]) -> pd.DataFrame:
    columns = ["product_id", "store_id", "units"]
    ids = sorted({int(i) for i in product_id_list})
    rows: list[tuple[int, int, int]] = []
    step = CHUNK * 10 if connection.vendor == "postgresql" else CHUNK
    if connection.vendor == "postgresql":  # packed: no Python tuple per row (4.3M rows at 500 stores)
        parts = [
            int_columns_packed(
                f"SELECT s.product_id, s.store_id, s.units FROM {StoreStockSnapshot._meta.db_table} s "  # noqa: S608
                f"JOIN {Store._meta.db_table} st ON st.id = s.store_id AND st.stock_date = s.snapshot_date "
                f"WHERE {clause} AND s.units > 0",
                params,
                [8, 8, 4],
            )
            for clause, params in (in_clause("s.product_id", chunk) for chunk in chunks(ids, step))
        ]
        return pd.DataFrame(
            {
                c: np.concatenate([p[i] for p in parts]).astype("int64") if parts else np.zeros(0, "int64")
                for i, c in enumerate(columns)
            }
        )
    with connection.cursor() as cursor:
        for chunk in chunks(ids, step):
            clause, params = in_clause("s.product_id", chunk)
            cursor.execute(
                f"SELECT s.product_id, s.store_id, s.units FROM {StoreStockSnapshot._meta.db_table} s "  # noqa: S608
                f"JOIN {Store._meta.db_table} st ON st.id = s.store_id AND st.stock_date = s.snapshot_date "
                f"WHERE {clause} AND s.units > 0",
                params,
            )
            rows.extend(cursor.fetchall())
    return _int_frame(rows, columns)


def _int_frame(rows: list[tuple], columns: list[str]) -> pd.DataFrame:
    """A frame of integer columns from fetched rows (numpy builds it much faster than pandas)."""
    array = np.array(rows, dtype="int64").reshape(-1, len(columns))
    return pd.DataFrame(array, columns=columns)


def health_scope_sources(params: HealthParams, until: dt.date | None = None) -> tuple[list[int], list[int]]:
    """The two sources of the Store Health scope: products sold in the last
    `sales_days` days of loaded data (macro layer, never DistributionRecord),
    and products in the lines of the `last_runs` newest runs."""
    until = until or sales_queries.last_loaded_sale_date()
    return sales_queries.products_with_sales(params.sales_days, until=until), run_product_ids(params.last_runs)


def health_data_version(params: HealthParams) -> str:
    """A short key that changes whenever anything Store Health reads changes (two queries)."""
    tables = {
        "cd": CDStockSnapshot._meta.db_table,
        "ss": StoreStockSnapshot._meta.db_table,
        "store": Store._meta.db_table,
        "run": DistributionRun._meta.db_table,
        "job": Job._meta.db_table,
        "audit": AuditEvent._meta.db_table,
        "cm": StockCommitment._meta.db_table,
    }
    sql = (  # noqa: S608 - identifiers are ours
        "SELECT (SELECT MAX(id) FROM {cd}), (SELECT MAX(snapshot_date) FROM {cd}), (SELECT MAX(id) FROM {ss}), "
        "(SELECT MAX(stock_date) FROM {store}), (SELECT MIN(stock_date) FROM {store}), "
        "(SELECT COUNT(*) FROM {store}), (SELECT MAX(id) FROM {store}), (SELECT MAX(id) FROM {run}), "
        "(SELECT MAX(id) FROM {job} WHERE status = %s AND kind <> %s), "
        "(SELECT MAX(id) FROM {audit} WHERE action IN (%s, %s, %s)), "
        "(SELECT MAX(id) FROM {cm}), (SELECT COUNT(*) FROM {cm} WHERE is_open = %s)"
    ).format(**tables)
    with connection.cursor() as cursor:
        cursor.execute(sql, [Job.Status.DONE, HEALTH_REFRESH_JOB, "admin_add", "admin_change", "admin_delete", True])
        row = cursor.fetchone()
    versions = [str(v) for v in (*sales_queries.sales_data_version(), *row)]
    raw = repr((connection.alias, connection.settings_dict.get("NAME"), versions, asdict(params)))
    return hashlib.sha256(raw.encode()).hexdigest()[:24]


def _health_key(params: HealthParams) -> str:
    return f"fastdso:store-health:v2:{health_data_version(params)}"


def _latest_key(params: HealthParams) -> str:
    """Points at the newest computed key for these parameters (for stale reads)."""
    digest = hashlib.sha256(repr(asdict(params)).encode()).hexdigest()[:16]
    return f"fastdso:store-health:v2:latest:{digest}"


def _cached(key: str) -> HealthData | None:
    data = _HEALTH_MEMO.get(key)
    if data is None:
        data = cache.get(key)
        if data is None:
            return None
        _HEALTH_MEMO[key] = data
        while len(_HEALTH_MEMO) > _HEALTH_MEMO_SIZE:
            _HEALTH_MEMO.popitem(last=False)
    _HEALTH_MEMO.move_to_end(key)
    return data


def store_health_data(params: HealthParams | None = None, *, allow_stale: bool = True) -> HealthData:
    """The Store Health result for the current data, from cache when it is current.

    On new data (a new version key) with an earlier result at hand, the
    earlier result is returned marked `stale` and a background job
    ("store_health_refresh") computes the new one, so no page waits for the
    computation; with no earlier result it is computed here.

    Redis down (the cache and the job service): the result is computed here
    from the database and kept in this process's memo only, so the
    dashboard is still served (issue 33).
    """
    params = params or HealthParams()
    try:
        return _store_health_data(params, allow_stale=allow_stale)
    except Exception as exc:
        if not job_service_down(exc):
            raise
        logger.warning("Store Health: the cache or the job service is down (%s); computing from the database", exc)
    key = _health_key(params)
    data = _HEALTH_MEMO.get(key)
    if data is None:
        data = compute_store_health(params)
        _memo_put(key, data)
    return data


def _memo_put(key: str, data: HealthData) -> None:
    _HEALTH_MEMO.pop(key, None)
    _HEALTH_MEMO[key] = data
    while len(_HEALTH_MEMO) > _HEALTH_MEMO_SIZE:
        _HEALTH_MEMO.popitem(last=False)


def _store_health_data(params: HealthParams, *, allow_stale: bool) -> HealthData:
    key = _health_key(params)
    data = _cached(key)
    if data is not None:
        return data
    if allow_stale:
        previous = cache.get(_latest_key(params))
        stale = _cached(previous) if previous else None
        if stale is not None and _stores_gone(stale):
            stale = None  # e.g. right after clear_demo: never show stores that no longer exist
        if stale is not None:
            if cache.add(f"{key}:refreshing", 1, HEALTH_REFRESH_LOCK_SECONDS):
                from fastdso.jobs import job_start

                # At most one refresh waits: it reads the data current when it runs.
                if not Job.objects.filter(kind=HEALTH_REFRESH_JOB, status=Job.Status.QUEUED).exists():
                    job_start(
                        kind=HEALTH_REFRESH_JOB,
                        params={
                            "last_runs": params.last_runs,
                            "as_of": params.as_of.isoformat() if params.as_of else None,
                        },
                    )
            fresh = _cached(key)  # the job ran inline (FASTDSO_JOBS_SYNC) or has just finished
            return fresh if fresh is not None else replace(stale, stale=True)
    return store_health_refresh(params)


def _stores_gone(data: HealthData) -> bool:
    """Does an earlier result show a store that was deleted since (one query)?"""
    shown = {int(v) for v in data.stores["store_id"].tolist()} if "store_id" in data.stores else set()
    if not shown:
        return False
    return Store.objects.filter(id__in=shown).count() < len(shown)


def store_health_refresh(params: HealthParams | None = None) -> HealthData:
    """Compute Store Health for the current data and cache it (the refresh job
    calls this; an upload job may call it too, to warm the dashboard)."""
    params = params or HealthParams()
    key = _health_key(params)
    data = compute_store_health(params)
    cache.set(key, data, HEALTH_CACHE_SECONDS)
    cache.set(_latest_key(params), key, HEALTH_CACHE_SECONDS * 4)
    _HEALTH_MEMO.pop(key, None)
    _HEALTH_MEMO[key] = data
    while len(_HEALTH_MEMO) > _HEALTH_MEMO_SIZE:
        _HEALTH_MEMO.popitem(last=False)
    return data


def health_cache_clear() -> None:
    """Forget the per-process memo (tests; the Django cache keys expire by themselves)."""
    _HEALTH_MEMO.clear()


def compute_store_health(params: HealthParams) -> HealthData:
    """Read in bulk, run the health rules, and shape what the pages need."""
    loaded_last = last_sale_date = sales_queries.last_loaded_sale_date()
    as_of_week = sales_queries.default_as_of_week()
    if params.as_of is not None and as_of_week is not None:
        # A chosen week: demand and the "sold recently" scope end with that week.
        as_of_week = min(sales_queries.monday(params.as_of), as_of_week)
        last_sale_date = as_of_week + dt.timedelta(days=6)
    sold, from_runs = health_scope_sources(params, last_sale_date)
    scope = engine.scope_product_ids(sold, from_runs)
    scope_list = scope.tolist()
    stock = store_stock_positive(scope_list)
    # Every product sold in the demand window is in scope when the window lies
    # inside the sales-scope span (the usual case: 8 weeks within 90 days), so
    # the window is read whole (one range scan) instead of by a long id list.
    window = sales_queries.window(params.demand_weeks, as_of_week) if as_of_week else None
    inside = (
        window is not None
        and last_sale_date is not None
        and window[0] >= sales_queries.monday(last_sale_date - dt.timedelta(days=params.sales_days - 1))
    )
    demand = sales_queries.store_product_units(
        params.demand_weeks, as_of_week, product_ids=None if inside else scope_list
    )
    frame = engine.store_health(scope_list, stock, demand, params)
    counts = engine.alert_counts(frame)

    summary = engine.store_summary(frame)
    store_rows = stores_frame()
    summary = store_rows.merge(summary, on="store_id", how="inner").sort_values(
        ["stockout_pct", engine.STOCKOUT, "name"], ascending=[False, False, True], kind="stable"
    )

    alerts = _alert_frame(frame[frame["alert"].notna()], store_rows)

    cd_date = cd_stock_date()
    stock_dates = store_stock_dates()
    kpis = {
        "stores": len(summary),
        "stores_total": len(store_rows),
        "scope_skus": len(scope),
        "scope_from_sales": len(sold),
        "scope_from_runs": len(set(from_runs)),
        "active_pairs": len(frame),
        "stockouts": counts[engine.OUT_OF_STOCK_WITH_DEMAND],
        "below_min": counts[engine.BELOW_MIN_WOC],
        "above_max": counts[engine.ABOVE_MAX_WOC],
        "no_demand": counts[engine.NO_DEMAND],
        "ok": counts[engine.OK],
        "alerts": len(alerts),
    }
    dates = {
        "last_sale_date": loaded_last,
        "as_of_week": as_of_week,
        "stores_behind": sales_queries.stores_behind(as_of_week),  # SPEC §4.3: "datos hasta …"
        "demand_window": sales_queries.window(params.demand_weeks, as_of_week) if as_of_week else None,
        "cd_stock_date": cd_date,
        "store_stock_first": stock_dates["first"],
        "store_stock_last": stock_dates["last"],
        "stores_with_stock": stock_dates["stores"],
    }
    network = sales_queries.network_weekly_units(NETWORK_CHART_WEEKS, as_of_week)
    first_sale = sales_queries.first_loaded_sale_date()
    if first_sale is not None:  # the chart starts with the loaded data, not with empty weeks before it
        network = network[network["week_start"] >= sales_queries.monday(first_sale)].reset_index(drop=True)
    return HealthData(
        params=params,
        alerts=alerts,
        stores=summary.reset_index(drop=True),
        kpis=kpis,
        dates=dates,
        network_sales=network,
    )


def _alert_frame(alerts: pd.DataFrame, stores: pd.DataFrame) -> pd.DataFrame:
    """Alert rows with store name, SKU, name and category, sorted by severity
    then demand, in compact dtypes for the cache: 32-bit numbers and
    categoricals built from the (small) store and product tables, never from
    per-row strings. Categories are sorted, so sorting by them is alphabetical."""
    ids = alerts["product_id"].unique().tolist()
    rows: list[tuple] = []
    for chunk in chunks(ids, CHUNK):
        rows.extend(Product.objects.filter(id__in=chunk).values_list("id", "sku", "name", "category"))
    products = pd.DataFrame(rows, columns=["product_id", "sku", "name", "category"]).sort_values("sku")
    position = pd.Index(products["product_id"].astype("int64")).get_indexer(alerts["product_id"])
    text: dict[str, pd.Categorical] = {}
    for column in ("sku", "name", "category"):
        codes, uniques = pd.factorize(products[column], sort=True)
        text[column] = pd.Categorical.from_codes(codes[position], categories=pd.Index(uniques, dtype=object))
    stores = stores.sort_values("name")
    store_position = pd.Index(stores["store_id"].astype("int64")).get_indexer(alerts["store_id"])
    store_names = pd.Categorical.from_codes(
        store_position, categories=pd.Index(stores["name"], dtype=object), ordered=True
    )
    severity = {engine.OUT_OF_STOCK_WITH_DEMAND: 0, engine.BELOW_MIN_WOC: 1, engine.ABOVE_MAX_WOC: 2}
    result = pd.DataFrame(
        {
            "store_id": alerts["store_id"].to_numpy("int32"),
            "store": store_names,
            "product_id": alerts["product_id"].to_numpy("int32"),
            **text,
            "stock": alerts["stock"].to_numpy("int32"),
            "weekly_demand": alerts["weekly_demand"].to_numpy("float32"),
            "woc": alerts["woc"].to_numpy("float32"),
            "bucket": alerts["bucket"].array,  # categoricals stay categoricals (1 byte a row)
            "alert": alerts["alert"].array,
            "_severity": alerts["alert"].map(severity).to_numpy("int8"),
        }
    )
    result = result.sort_values(
        ["_severity", "weekly_demand", "stock", "sku"], ascending=[True, False, False, True], kind="stable"
    )
    return result[ALERT_COLUMNS].reset_index(drop=True)


# --- Stock Query (one SKU) -----------------------------------------------------

STOCK_QUERY_CHART_WEEKS = 26


@dataclass
class StockQueryResult:
    product: Product
    cd_stock: int  # available: counted − reserved (SPEC §5.7)
    cd_stock_date: dt.date | None
    as_of_week: dt.date | None
    demand_window: tuple[dt.date, dt.date] | None
    stores: (
        pd.DataFrame
    )  # every store: store_id, name, stock_date, stock, weekly_demand, woc, bucket, alert, last_sale_week
    weeks: list[dt.date]  # the chart's weeks
    network_units: list[int]  # units per chart week, whole network
    store_units: dict[int, list[int]]  # units per chart week, per store that sold in the chart window
    cd_on_hand: int = 0  # the CD's latest count
    cd_reserved: int = 0  # of it, promised to open runs or already shipped after the count


def stock_query(product: Product, params: HealthParams | None = None) -> StockQueryResult:
    """CD stock, and per store: stock, weekly demand, WOC, health bucket, last sale week,
    plus the weekly series for the chart. A handful of queries, whatever the store count.
    The demand window ends at `params.as_of` (default: the last complete loaded week)."""
    params = params or HealthParams()
    as_of = sales_queries.default_as_of_week()
    if params.as_of is not None and as_of is not None:
        as_of = min(sales_queries.monday(params.as_of), as_of)
    chart_weeks = max(STOCK_QUERY_CHART_WEEKS, params.demand_weeks)
    sales = sales_queries.weekly_sales([product.sku], chart_weeks, as_of)
    weeks = sales_queries.week_starts(chart_weeks, as_of)
    span = sales_queries.window(params.demand_weeks, as_of) if as_of else None

    in_window = sales[sales["week_start"] >= span[0]] if span else sales.iloc[0:0]
    demand = in_window.groupby(["product_id", "store_id"], as_index=False)["units"].sum()
    # SPEC §5.7: the same available stock as the dashboard and the planners, said apart:
    # on hand (the count), reserved, in transit, available = on hand − reserved + in transit.
    position = stock_position([product.pk])
    cd = position[position["store_id"].isna()]
    at_stores = position[position["store_id"].notna()].astype({"store_id": "int64"})
    stock = at_stores[["product_id", "store_id", "available"]].rename(columns={"available": "units"})
    state = engine.store_health([product.pk], stock, demand, params).drop(columns="product_id")
    stores = stores_frame()
    last = sales_queries.last_sale_weeks([product.pk]).rename(columns={"week_start": "last_sale_week"})
    stores = stores.merge(state, on="store_id", how="left").merge(
        last[["store_id", "last_sale_week"]], on="store_id", how="left"
    )
    parts = at_stores[["store_id", "on_hand", "reserved", "in_transit"]]
    stores = stores.merge(parts, on="store_id", how="left")
    for column in ("stock", "on_hand", "reserved", "in_transit"):
        stores[column] = stores[column].fillna(0).astype("int64")
    stores["weekly_demand"] = stores["weekly_demand"].fillna(0.0)
    stores["sku"] = product.sku

    by_week = sales.groupby("week_start")["units"].sum()
    store_units: dict[int, list[int]] = {}
    for store_id, group in sales.groupby("store_id"):
        series = group.groupby("week_start")["units"].sum()
        store_units[int(store_id)] = [int(series.get(w, 0)) for w in weeks]
    return StockQueryResult(
        product=product,
        cd_stock=int(cd["available"].sum()),
        cd_on_hand=int(cd["on_hand"].sum()),
        cd_reserved=int(cd["reserved"].sum()),
        cd_stock_date=cd_stock_date(),
        as_of_week=as_of,
        demand_window=span,
        stores=stores,
        weeks=weeks,
        network_units=[int(by_week.get(w, 0)) for w in weeks],
        store_units=store_units,
    )
