"""Current stock reads (SPEC §2), in bulk, as DataFrames.

CD stock of a SKU = units in the latest CD snapshot (absent: 0).
Store stock = units in that store's own latest snapshot (absent: 0); each
store's latest date is kept on Store.stock_date by the stock import.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

import pandas as pd
from django.db import connection
from django.db.models import Count, F, Max, Min, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from fastdso.db import chunks, date_param, in_clause
from inventory import commitments
from inventory.models import CDStockSnapshot, Product, StockCommitment, Store, StoreStockSnapshot, store_name_key

CHUNK = 5000


def cd_stock_date() -> dt.date | None:
    return CDStockSnapshot.objects.aggregate(latest=Max("snapshot_date"))["latest"]


def cd_stock(product_id_list: Sequence[int], *, effective: bool = False) -> pd.DataFrame:
    """DataFrame[product_id, units] from the latest CD snapshot (absent products omitted: 0).

    `effective` (SPEC §5.7): units = snapshot − what open runs still reserve,
    with the columns snapshot_units, reserved_units and reserved_by
    ("DR-…: 12, DR-…: 3") beside; products with a reservation but no
    snapshot row appear with snapshot 0."""
    latest = cd_stock_date()
    rows: list[tuple[int, int]] = []
    if latest is not None:
        ids = list(product_id_list)
        for chunk in chunks(ids, CHUNK):
            rows.extend(
                CDStockSnapshot.objects.filter(snapshot_date=latest, product_id__in=chunk).values_list(
                    "product_id", "units"
                )
            )
    frame = pd.DataFrame(rows, columns=["product_id", "units"]).astype({"product_id": "int64", "units": "int64"})
    if not effective:
        return frame
    return commitments.cd_effective(frame, cd_reservations(product_id_list))


def cd_reservations(product_id_list: Sequence[int]) -> pd.DataFrame:
    """DataFrame[product_id, source, units]: CD units each open run still holds
    (units > 0), per product — its reservation ends with the first CD snapshot
    dated after its approval that counted the SKU (a `--partial` snapshot that
    copied it did not). One query per chunk of products."""
    latest = cd_stock_date()
    columns = ["product_id", "source", "units"]
    ids = sorted({int(i) for i in product_id_list})
    table, snapshots = StockCommitment._meta.db_table, CDStockSnapshot._meta.db_table
    # A SKU that a --partial import copied was counted before the snapshot's date:
    # its reservation lasts until the SKU itself is counted after the approval.
    count_join, date_clause, date_params = "", "", []
    if latest is not None:
        count_join = f" LEFT JOIN {snapshots} s ON s.product_id = c.product_id AND s.snapshot_date = %s"
        date_clause = " AND c.approved_on >= COALESCE(s.counted_on, s.snapshot_date, %s)"
        date_params = [date_param(latest)]
    rows: list[tuple] = []
    with connection.cursor() as cursor:
        for chunk in chunks(ids, CHUNK):
            clause, params = in_clause("c.product_id", chunk)
            cursor.execute(
                f"SELECT c.product_id, c.source, -SUM(c.units) FROM {table} c{count_join} "  # noqa: S608 - ours
                f"WHERE c.is_open = %s AND c.store_id IS NULL{date_clause} AND {clause} "
                "GROUP BY c.product_id, c.source",
                [*date_params, True, *date_params, *params],
            )
            rows.extend(cursor.fetchall())
    frame = pd.DataFrame(rows, columns=columns)
    return frame.astype({"product_id": "int64", "units": "int64", "source": object})


def store_commitments(product_id_list: Sequence[int], store_ids: Sequence[int] | None = None) -> pd.DataFrame:
    """DataFrame[product_id, store_id, units, sources]: the signed units that open
    runs and plans add to (in transit, destination) or take from (donor) each
    store's stock, until that store's first snapshot dated after the approval;
    `sources` lists their ids ("DR-…,TP-…"). One query per chunk of products."""
    columns = ["product_id", "store_id", "units", "sources"]
    ids = sorted({int(i) for i in product_id_list})
    if store_ids is not None and not list(store_ids):
        ids = []
    sources = (
        "string_agg(DISTINCT c.source, ',' ORDER BY c.source)"
        if connection.vendor == "postgresql"
        else "group_concat(DISTINCT c.source)"
    )
    store_clause, store_params = ("", []) if store_ids is None else in_clause("c.store_id", list(store_ids))
    store_clause = f" AND {store_clause}" if store_clause else ""
    rows: list[tuple] = []
    with connection.cursor() as cursor:
        for chunk in chunks(ids, CHUNK):
            clause, params = in_clause("c.product_id", chunk)
            cursor.execute(
                f"SELECT c.product_id, c.store_id, SUM(c.units), {sources} "  # noqa: S608 - identifiers are ours
                f"FROM {StockCommitment._meta.db_table} c JOIN {Store._meta.db_table} st ON st.id = c.store_id "
                "WHERE c.is_open = %s AND (st.stock_date IS NULL OR st.stock_date <= c.approved_on) "
                f"AND {clause}{store_clause} GROUP BY c.product_id, c.store_id",
                [True, *params, *store_params],
            )
            rows.extend(cursor.fetchall())
    frame = pd.DataFrame(rows, columns=columns).astype({"product_id": "int64", "store_id": "int64", "units": "int64"})
    frame["sources"] = commitments.sorted_sources(frame["sources"])
    return frame


def store_stock(
    product_id_list: Sequence[int], store_ids: Sequence[int] | None = None, *, effective: bool = False
) -> pd.DataFrame:
    """DataFrame[product_id, store_id, units] at each store's latest snapshot date.

    One query per chunk of products; pairs absent from the frame have 0.
    `effective` (SPEC §5.7): units = snapshot + what open runs and plans
    still move there (in transit, transfers in and out), with the columns
    snapshot_units, in_transit and in_transit_by beside.
    """
    frame = _store_snapshot(product_id_list, store_ids)
    if not effective:
        return frame
    return commitments.store_effective(frame, store_commitments(product_id_list, store_ids))


def _store_snapshot(product_id_list: Sequence[int], store_ids: Sequence[int] | None) -> pd.DataFrame:
    columns = ["product_id", "store_id", "units"]
    ids = list(product_id_list)
    if not ids:
        return pd.DataFrame({c: pd.Series(dtype="int64") for c in columns})
    snapshots = StoreStockSnapshot._meta.db_table
    stores = Store._meta.db_table
    store_clause, store_params = "", []
    if store_ids is not None:
        store_params = list(store_ids)
        if not store_params:
            return pd.DataFrame({c: pd.Series(dtype="int64") for c in columns})
        store_clause = f" AND s.store_id IN ({','.join(['%s'] * len(store_params))})"
    rows: list[tuple[int, int, int]] = []
    with connection.cursor() as cursor:
        for chunk in chunks(ids, CHUNK):
            placeholders = ",".join(["%s"] * len(chunk))
            cursor.execute(
                f"SELECT s.product_id, s.store_id, s.units FROM {snapshots} s "  # noqa: S608 - identifiers are ours
                f"JOIN {stores} st ON st.id = s.store_id AND st.stock_date = s.snapshot_date "
                f"WHERE s.product_id IN ({placeholders}){store_clause}",
                [*chunk, *store_params],
            )
            rows.extend(cursor.fetchall())
    return pd.DataFrame(rows, columns=columns).astype("int64")


def source_commitments(source: str) -> dict[str, int]:
    """What an approved run or plan still holds now (SPEC §5.7): CD units
    reserved, and units moving at stores (in transit, in and out), each until
    the snapshot that ends it. Two queries."""
    latest = cd_stock_date()
    rows = StockCommitment.objects.filter(source=source, is_open=True)
    cd_rows = rows.filter(store__isnull=True)
    if latest is not None:
        counted = CDStockSnapshot.objects.filter(snapshot_date=latest, product=OuterRef("product_id")).values(
            day=Coalesce("counted_on", "snapshot_date")
        )[:1]
        cd_rows = cd_rows.filter(approved_on__gte=Coalesce(Subquery(counted), Value(latest)))
    store_rows = rows.filter(store__isnull=False).filter(
        Q(store__stock_date__isnull=True) | Q(store__stock_date__lte=F("approved_on"))
    )
    cd_units = -(cd_rows.aggregate(total=Sum("units"))["total"] or 0)
    moving = store_rows.filter(units__gt=0).aggregate(total=Sum("units"))["total"] or 0
    return {"cd_units": int(cd_units), "store_units": int(moving)}


# --- Stock pages -------------------------------------------------------------


def cd_stock_rows() -> QuerySet[CDStockSnapshot]:
    """The current CD snapshot (its latest date), one row per SKU, for paging in the database."""
    return CDStockSnapshot.objects.filter(snapshot_date=Subquery(_latest_cd_date())).select_related("product")


def _latest_cd_date() -> QuerySet[CDStockSnapshot]:
    return CDStockSnapshot.objects.order_by("-snapshot_date").values("snapshot_date")[:1]


def store_stock_rows() -> QuerySet[StoreStockSnapshot]:
    """Each store's current snapshot (its own latest date, Store.stock_date) for paging in the database.
    A SKU absent from it has 0 there; it is simply not listed."""
    return StoreStockSnapshot.objects.filter(snapshot_date=F("store__stock_date")).select_related("store", "product")


def store_stock_dates() -> dict[str, Any]:
    """First and last of the stores' current snapshot dates, and how many stores have one."""
    return Store.objects.exclude(stock_date=None).aggregate(
        first=Min("stock_date"), last=Max("stock_date"), stores=Count("id")
    )


STOCK_GAP_DAYS = 14  # stock and sales more than two weeks apart: the page and the API warn


def stock_date_gap(as_of_week: dt.date | None) -> dict[str, Any] | None:
    """When the latest stock snapshot (CD or any store) lies more than two
    weeks from the as-of week (before its Monday or after its Sunday): the
    snapshot date, the as-of week and the gap in days; else None. A run would
    plan today's stock against sales of another season."""
    if as_of_week is None:
        return None
    dates = [d for d in (cd_stock_date(), store_stock_dates()["last"]) if d is not None]
    if not dates:
        return None
    stock = max(dates)
    sunday = as_of_week + dt.timedelta(days=6)
    days = (stock - sunday).days if stock > sunday else (as_of_week - stock).days
    if days <= STOCK_GAP_DAYS:
        return None
    return {"stock_date": stock, "as_of_week": as_of_week, "days": days, "stock_after": stock > sunday}


# --- Catalogue selectors: the one way every app reads products and stores ------


def category_spellings() -> dict[str, str]:
    """The catalogue's spelling of each category, by its key (trimmed, case-
    folded): categories compare case-insensitively and the first spelling seen
    is kept (SPEC §4.3). One grouped query on the category index."""
    rows = (
        Product.objects.exclude(category=None)
        .exclude(category="")
        .values("category")
        .annotate(first=Min("id"))
        .order_by("first")
        .values_list("category", flat=True)
    )
    spellings: dict[str, str] = {}
    for name in rows:
        spellings.setdefault(category_key(name), name)
    return spellings


def category_key(name: str) -> str:
    return str(name).strip().casefold()


def category_resolve(name: str) -> str | None:
    """The catalogue's spelling of a category a user typed (any case, spaces around), or None."""
    return category_spellings().get(category_key(name)) if str(name or "").strip() else None


def product_categories() -> list[str]:
    """Distinct product categories, sorted (index on Product.category)."""
    return list(
        Product.objects.exclude(category=None)
        .exclude(category="")
        .order_by("category")
        .values_list("category", flat=True)
        .distinct()
    )


def product_ids(skus: Iterable[str]) -> dict[str, int]:
    """SKU → product id for the SKUs that exist (batched IN queries)."""
    wanted = sorted({str(s) for s in skus})
    found: dict[str, int] = {}
    for chunk in chunks(wanted, CHUNK):
        found.update(Product.objects.filter(sku__in=chunk).values_list("sku", "id"))
    return found


PRODUCT_COLUMNS = ["sku", "product_id", "product_name", "category", "pack_size"]


def products_by_sku(skus: Iterable[str]) -> pd.DataFrame:
    """DataFrame[sku, product_id, product_name, category, pack_size] of the SKUs
    that exist, sorted by SKU (batched IN queries; unknown SKUs are simply absent)."""
    wanted = sorted({str(s) for s in skus})
    rows: list[tuple[str, int, str, str | None, int]] = []
    for chunk in chunks(wanted, CHUNK):
        rows.extend(Product.objects.filter(sku__in=chunk).values_list("sku", "id", "name", "category", "pack_size"))
    frame = pd.DataFrame(rows, columns=PRODUCT_COLUMNS)
    return frame.sort_values("sku", kind="stable").reset_index(drop=True)


def stores_frame() -> pd.DataFrame:
    """DataFrame[store_id, name, stock_date] of every store, by name."""
    rows = list(Store.objects.order_by("name", "id").values_list("id", "name", "stock_date"))
    return pd.DataFrame(rows, columns=["store_id", "name", "stock_date"])


def products_by_id(product_ids: Iterable[int]) -> pd.DataFrame:
    """DataFrame[product_id, sku, category] of the given product ids (batched IN queries)."""
    rows: list[tuple[int, str, str | None]] = []
    for chunk in chunks(sorted({int(i) for i in product_ids}), CHUNK):
        rows.extend(Product.objects.filter(id__in=chunk).values_list("id", "sku", "category"))
    return pd.DataFrame(rows, columns=["product_id", "sku", "category"])


def product_display_mins(product_ids: Iterable[int]) -> dict[int, int]:
    """Product id → display minimum (SPEC v3 §5.2), of the products with one > 0."""
    found: dict[int, int] = {}
    for chunk in chunks(sorted({int(i) for i in product_ids}), CHUNK):
        found.update(Product.objects.filter(id__in=chunk, display_min__gt=0).values_list("id", "display_min"))
    return found


def store_planning_frame() -> pd.DataFrame:
    """DataFrame[store_id, name, active, like_store_id, size_factor] of every
    store (SPEC v3 §4.7), by name."""
    fields = ("id", "name", "active", "like_store_id", "size_factor")
    rows = list(Store.objects.order_by("name", "id").values_list(*fields))
    return pd.DataFrame(rows, columns=["store_id", "name", "active", "like_store_id", "size_factor"])


def store_names(store_ids: Iterable[int] | None = None) -> dict[int, str]:
    """Store id → name, of `store_ids` (every store when None)."""
    stores = Store.objects.all() if store_ids is None else Store.objects.filter(id__in=list(store_ids))
    return dict(stores.values_list("id", "name"))


def store_codes(store_ids: Iterable[int] | None = None) -> dict[int, str | None]:
    """Store id → code (None when the store has none), of `store_ids` (every store when None)."""
    stores = Store.objects.all() if store_ids is None else Store.objects.filter(id__in=list(store_ids))
    return dict(stores.values_list("id", "code"))


def store_exact_q(value: str, prefix: str = "") -> Q:
    """The store named exactly `value` (compared as files are: trimmed, inner
    spaces collapsed, case-insensitively) or whose code is exactly `value`.
    `prefix` is the path to the store ("store__", "origin_store__")."""
    value = value.strip()
    return Q(**{f"{prefix}name_key": store_name_key(value)}) | Q(**{f"{prefix}code": value})


def store_search_q(text: str, prefix: str = "") -> Q:
    """Stores whose name or code contains `text` (the separate search box)."""
    text = text.strip()
    return Q(**{f"{prefix}name__icontains": text}) | Q(**{f"{prefix}code__icontains": text})


def product_search(text: str, limit: int = 20) -> list[Product]:
    """Products whose SKU is `text`, else whose SKU contains it or whose name contains it.

    SKUs are text: "00012345" only matches "00012345" exactly, and "12345"
    lists it among the candidates.
    """
    text = text.strip()
    if not text:
        return []
    exact = list(Product.objects.filter(sku=text))
    if exact:
        return exact
    return list(Product.objects.filter(Q(sku__icontains=text) | Q(name__icontains=text)).order_by("sku")[:limit])
