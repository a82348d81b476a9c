"""Current stock reads (SPEC §2), in bulk, as DataFrames.

CD stock of a SKU = units in the latest CD snapshot (absent: 0).
Store stock = units in that store's own latest snapshot (absent: 0); each
store's latest date is kept on Store.stock_date by the stock import.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any, cast

import pandas as pd
from django.conf import settings
from django.db import connection
from django.db.models import Count, F, Max, Min, Q, QuerySet, Subquery

from fastdso.db import chunks, date_param, in_clause
from inventory import commitments
from inventory.models import (
    CDStockSnapshot,
    Product,
    StockCommitment,
    StockMovement,
    Store,
    StoreStockSnapshot,
    store_name_key,
)

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
    (units > 0), per product (SPEC v3 §5.7): what it promised less what
    shipped, plus what shipped after the CD's last count of the SKU (a
    `--partial` snapshot that copied a SKU did not count it)."""
    return _positions(product_id_list, stores=False).cd


def store_commitments(product_id_list: Sequence[int], store_ids: Sequence[int] | None = None) -> pd.DataFrame:
    """DataFrame[product_id, store_id, units, sources]: the signed units that open
    runs and plans, and goods on the way, add to (promised in, in transit,
    received after the count) or take from (promised out, shipped out after
    the count) each store's counted stock; `sources` lists their ids
    ("DR-…,TP-…"). A few grouped queries per chunk of products."""
    if store_ids is not None and not list(store_ids):
        return commitments.store_moves(pd.DataFrame())
    return commitments.store_moves(_positions(product_id_list, store_ids, cd=False).stores)


def _positions(
    product_id_list: Sequence[int] | None,
    store_ids: Sequence[int] | None = None,
    *,
    source: str | None = None,
    cd: bool = True,
    stores: bool = True,
) -> commitments.Positions:
    """Read what the rules of inventory.commitments.positions need, in bulk:
    the open commitments, the movements grouped per line, the CD count dates
    and the sources that confirmed a shipment. By product chunks, or for one
    source. With `store_ids`, the movements to other stores are left out: the
    CD frame is then incomplete, so callers that limit stores ask `cd=False`."""
    latest = cd_stock_date() if cd else None  # only the CD side reads the CD's count
    held_parts, in_parts, out_parts = [], [], []
    filters: list[tuple[str, list[Any]]] = []
    if source is not None and product_id_list is not None:
        for chunk in chunks(sorted({int(i) for i in product_id_list}), CHUNK):
            clause, params = in_clause("c.product_id", chunk)
            filters.append((f"c.source = %s AND {clause}", [source, *params]))
    elif source is not None:
        filters = [("c.source = %s", [source])]
    else:
        filters = [
            in_clause("c.product_id", chunk) for chunk in chunks(sorted({int(i) for i in product_id_list or []}), CHUNK)
        ]
    with connection.cursor() as cursor:
        for clause, params in filters:
            held_parts.append(_held_rows(cursor, clause, params, store_ids, cd=cd, stores=stores))
            in_parts.append(_moves_in_rows(cursor, clause.replace("c.", "m."), params, store_ids, latest, cd=cd))
            if stores:
                out_parts.append(_moves_out_rows(cursor, clause.replace("c.", "m."), params, store_ids))
    held = _frame(held_parts, commitments.HELD_COLUMNS)
    moves_in = _frame(in_parts, commitments.IN_COLUMNS)
    moves_out = _frame(out_parts, commitments.OUT_COLUMNS)
    if not cd:
        moves_in = moves_in.assign(shipped_cd=0, cd_uncounted=0)
    held = held.astype({"product_id": "int64", "units": "int64", "store_id": "Int64"})
    # The CD count dates and the confirmations only matter where something is held or moving.
    cd_ids = set(held.loc[held["store_id"].isna(), "product_id"].tolist())
    cd_ids |= set(moves_in.loc[moves_in["shipped_cd"] > 0, "product_id"].astype("int64").tolist())
    counted = _cd_count_dates(sorted(cd_ids), latest) if cd and cd_ids else pd.DataFrame(columns=["product_id"])
    counted = counted.assign(counted_on=pd.to_datetime(counted.get("counted_on")))
    confirmed = _confirmed_sources(sorted(set(held.loc[held["exported_on"].notna(), "source"])))
    return commitments.positions(held, moves_in, moves_out, counted, confirmed, settings.FASTDSO_CD_PICK_DAYS)


def _frame(parts: list[list[tuple]], columns: list[str]) -> pd.DataFrame:
    rows = [row for part in parts for row in part]
    frame = pd.DataFrame(rows, columns=columns)
    for column in columns:
        if column not in ("source", "kind", "exported_on", "stock_date", "store_id"):
            frame[column] = pd.to_numeric(frame[column]).fillna(0).astype("int64")
    return frame


def _store_filter(column: str, store_ids: Sequence[int] | None) -> tuple[str, list[Any]]:
    if store_ids is None:
        return "", []
    clause, params = in_clause(column, list(store_ids))
    return f" AND {clause}", params


def _held_rows(
    cursor: Any, clause: str, params: list[Any], store_ids: Sequence[int] | None, *, cd: bool, stores: bool
) -> list[tuple]:
    """Open commitment rows, with the store's count date and lead time."""
    kinds = []
    if cd:
        kinds.append("c.store_id IS NULL")
    if stores:
        store_clause, store_params = _store_filter("c.store_id", store_ids)
        kinds.append(f"(c.store_id IS NOT NULL{store_clause})")
    else:
        store_params = []
    cursor.execute(
        "SELECT c.source, c.kind, c.product_id, c.store_id, c.units, c.exported_on, st.stock_date, "  # noqa: S608
        f"st.lead_time_days FROM {StockCommitment._meta.db_table} c "
        f"LEFT JOIN {Store._meta.db_table} st ON st.id = c.store_id "
        f"WHERE c.is_open = %s AND {clause} AND ({' OR '.join(kinds)})",
        [True, *params, *store_params],
    )
    return cursor.fetchall()


def _still_matters(alias: str) -> str:
    """A grouped movement row matters while its source is open for that SKU."""
    return (
        f"EXISTS (SELECT 1 FROM {StockCommitment._meta.db_table} oc WHERE oc.is_open = %s "  # noqa: S608
        f"AND oc.source = {alias}.source AND oc.product_id = {alias}.product_id)"
    )


def _moves_in_rows(
    cursor: Any,
    clause: str,
    params: list[Any],
    store_ids: Sequence[int] | None,
    latest: dt.date | None,
    *,
    cd: bool = True,
) -> list[tuple]:
    """Movements per (source, product, destination): shipped (all, from the CD,
    not yet due at the store), received (all, after the store's count) and
    shipped from the CD after the CD's count of the SKU. Settled groups of
    closed sources are left out in the database."""
    shipped, received = str(StockMovement.Kind.SHIPPED), str(StockMovement.Kind.RECEIVED)
    store_clause, store_params = _store_filter("m.store_id", store_ids)
    if not cd:  # the CD side is not asked: nothing kept for it
        cd_join, cd_uncounted, cd_params = "", "1 = 0", cast(list[Any], [])
    elif latest is None:
        cd_join, cd_uncounted, cd_params = "", "1 = 1", []
    else:
        snapshots = CDStockSnapshot._meta.db_table
        cd_join = f" LEFT JOIN {snapshots} s ON s.product_id = m.product_id AND s.snapshot_date = %s"
        cd_uncounted, cd_params = "COALESCE(s.counted_on, %s) <= m.moved_on", [date_param(latest)]
    sql = (
        "SELECT * FROM (SELECT m.source, m.product_id, m.store_id, "  # noqa: S608 - identifiers are ours
        "SUM(CASE WHEN m.kind = %s THEN m.units ELSE 0 END) AS shipped, "
        "SUM(CASE WHEN m.kind = %s AND m.origin_id IS NULL THEN m.units ELSE 0 END) AS shipped_cd, "
        "SUM(CASE WHEN m.kind = %s AND (st.stock_date IS NULL OR st.stock_date < m.due_on) "
        "THEN m.units ELSE 0 END) AS shipped_due, "
        "SUM(CASE WHEN m.kind = %s THEN m.units ELSE 0 END) AS received, "
        "SUM(CASE WHEN m.kind = %s AND (st.stock_date IS NULL OR st.stock_date < m.moved_on) "
        "THEN m.units ELSE 0 END) AS received_uncounted, "
        f"SUM(CASE WHEN m.kind = %s AND m.origin_id IS NULL AND {cd_uncounted} "
        "THEN m.units ELSE 0 END) AS cd_uncounted "
        f"FROM {StockMovement._meta.db_table} m JOIN {Store._meta.db_table} st ON st.id = m.store_id{cd_join} "
        f"WHERE {clause}{store_clause} GROUP BY m.source, m.product_id, m.store_id) g "
        f"WHERE g.shipped_due > 0 OR g.received_uncounted > 0 OR g.cd_uncounted > 0 OR {_still_matters('g')}"
    )
    cursor.execute(
        sql,
        [shipped, shipped, shipped, received, received, shipped, *cd_params, *cd_params, *params, *store_params, True],
    )
    return cursor.fetchall()


def _moves_out_rows(cursor: Any, clause: str, params: list[Any], store_ids: Sequence[int] | None) -> list[tuple]:
    """Shipments out of a store (transfer plans) per (source, product, origin):
    all, and those after the origin's count."""
    store_clause, store_params = _store_filter("m.origin_id", store_ids)
    sql = (
        "SELECT * FROM (SELECT m.source, m.product_id, m.origin_id AS store_id, "  # noqa: S608 - ours
        "SUM(m.units) AS shipped_out, "
        "SUM(CASE WHEN so.stock_date IS NULL OR so.stock_date <= m.moved_on THEN m.units ELSE 0 END) "
        "AS out_uncounted "
        f"FROM {StockMovement._meta.db_table} m JOIN {Store._meta.db_table} so ON so.id = m.origin_id "
        f"WHERE m.kind = %s AND {clause}{store_clause} GROUP BY m.source, m.product_id, m.origin_id) g "
        f"WHERE g.out_uncounted > 0 OR {_still_matters('g')}"
    )
    cursor.execute(sql, [str(StockMovement.Kind.SHIPPED), *params, *store_params, True])
    return cursor.fetchall()


def _cd_count_dates(product_ids: list[int], latest: dt.date | None) -> pd.DataFrame:
    """DataFrame[product_id, counted_on]: when the CD last counted each SKU — the
    latest snapshot's date, or the older count a `--partial` import copied
    (NaT: no CD snapshot at all)."""
    frame = pd.DataFrame({"product_id": pd.Series(product_ids, dtype="int64")})
    if latest is None:
        return frame.assign(counted_on=pd.NaT)
    copied: dict[int, dt.date] = {}
    for chunk in chunks(list(product_ids), CHUNK):
        copied.update(
            CDStockSnapshot.objects.filter(
                snapshot_date=latest, product_id__in=chunk, counted_on__lt=latest
            ).values_list("product_id", "counted_on")
        )
    frame["counted_on"] = pd.to_datetime(frame["product_id"].map(copied)).fillna(pd.Timestamp(latest))
    return frame


def _confirmed_sources(sources: list[str]) -> set[str]:
    """The sources (of those given) with at least one shipment confirmed."""
    found: set[str] = set()
    for chunk in chunks(list(sources), CHUNK):
        found.update(
            StockMovement.objects.filter(kind=StockMovement.Kind.SHIPPED, source__in=chunk)
            .values_list("source", flat=True)
            .distinct()
        )
    return found


def stock_position(
    product_id_list: Sequence[int], store_ids: Sequence[int] | None = None, *, cd: bool = True
) -> pd.DataFrame:
    """What every place holds of these products, said apart (SPEC v3 §5.7, §8):
    DataFrame[product_id, store_id, on_hand, reserved, in_transit, available].

    `store_id` is NA on the CD's row of each product. on_hand: the latest
    count (the CD's; each store's own latest snapshot). reserved: what the
    count still includes but is promised or already gone — open runs' and
    plans' units not shipped, and units shipped after the count. in_transit
    (stores): what the count does not include yet but is coming — promised to
    the store, on the way, or received after the count. available = on_hand −
    reserved + in_transit: the stock the generator plans with (§5.7). Pairs
    with nothing anywhere are left out; `store_ids` limits the store rows
    (`[]`: the CD only); `cd=False` leaves the CD rows out (a stores page)."""
    ids = sorted({int(i) for i in product_id_list})
    columns = ["product_id", "store_id", "on_hand", "reserved", "in_transit", "available"]
    store_ids = None if store_ids is None else list(store_ids)
    together = _positions(ids) if store_ids is None and cd else None  # one read for both
    if cd:
        on_hand = cd_stock(ids).rename(columns={"units": "on_hand"})
        cd_held = together.cd if together is not None else _positions(ids, stores=False).cd
        held = cd_held.groupby("product_id", as_index=False)["units"].sum()
        cd_rows = on_hand.merge(held.rename(columns={"units": "reserved"}), on="product_id", how="outer")
        cd_rows = cd_rows.assign(store_id=pd.array([pd.NA] * len(cd_rows), dtype="Int64"), in_transit=0)
    else:
        cd_rows = pd.DataFrame(columns=columns)
    snapshot = _store_snapshot(ids, store_ids).rename(columns={"units": "on_hand"})
    if together is not None:
        moving = together.stores
    elif store_ids is None or store_ids:
        moving = _positions(ids, store_ids, cd=False).stores
    else:  # only the CD was asked (store_ids=[])
        moving = pd.DataFrame(columns=["product_id", "store_id", "incoming", "outgoing"])
    moving = moving.groupby(["product_id", "store_id"], as_index=False)[["incoming", "outgoing"]].sum()
    moving = moving.rename(columns={"incoming": "in_transit", "outgoing": "reserved"})
    stores = snapshot.merge(moving, on=["product_id", "store_id"], how="outer")
    stores["store_id"] = stores["store_id"].astype("Int64")
    frame = pd.concat([cd_rows, stores], ignore_index=True) if len(cd_rows) else stores
    for column in ("on_hand", "reserved", "in_transit"):
        frame[column] = frame[column].fillna(0).astype("int64")
    frame["product_id"] = frame["product_id"].astype("int64")
    frame["store_id"] = frame["store_id"].astype("Int64")
    frame["available"] = frame["on_hand"] - frame["reserved"] + frame["in_transit"]
    return frame[columns].sort_values(["product_id", "store_id"], na_position="first").reset_index(drop=True)


def source_lines(source: str, product_id_list: Sequence[int] | None = None) -> pd.DataFrame:
    """Per destination line of one run or plan (SPEC v3 §5.7, the run page and
    the API): DataFrame[product_id, store_id, reserved, shipped, in_transit,
    received] — promised and not shipped, shipped, on the way, received.
    `product_id_list` limits it to those SKUs (a page of lines)."""
    lines = _positions(product_id_list, source=source, cd=False).lines
    return lines.drop(columns=["source"]).astype({"product_id": "int64", "store_id": "int64"})


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
    reserved, and units it adds at stores (promised, in transit, received
    after the count), each until what ends it."""
    held = _positions(None, source=source)
    cd_units = int(held.cd["units"].sum()) if not held.cd.empty else 0
    store_units = int(held.stores["incoming"].sum()) if not held.stores.empty else 0
    return {"cd_units": cd_units, "store_units": store_units}


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
    """The catalogue's spelling of a category a user typed, or None: any case,
    spaces around, and runs of spaces inside count as one ("pequeños
    electrodomésticos" typed with two spaces is the catalogue's category). The
    one resolver of every form, command and service (issue 30)."""
    wanted = " ".join(str(name or "").split()).casefold()
    if not wanted:
        return None
    spellings = category_spellings()
    if wanted in spellings:
        return spellings[wanted]
    return next((spelling for key, spelling in spellings.items() if " ".join(key.split()) == wanted), None)


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
