"""Stock commitments of approved runs and plans (SPEC §5.7): what the CD and the stores
hold for them until they ship, written under one lock."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import pandas as pd
from django.db import connection
from django.db.models import Max, OuterRef, Subquery, Sum
from django.utils import timezone

from fastdso.db import chunks, is_postgres, rows_insert
from fastdso.lifecycle import TransitionRefused
from fastdso.messages import Message, msg
from inventory import queries as inventory_queries
from inventory.models import (
    Product,
    StockCommitment,
    Store,
    StoreStockSnapshot,
)

# --- Stock commitments of approved runs and plans (SPEC §5.7) ------------------

COMMITMENT_TYPES = {
    "source": "text",
    "kind": "text",
    "product_id": "bigint",
    "store_id": "bigint",
    "units": "integer",
    "approved_on": "date",
}
SHORTFALLS_LISTED = 10


def commitments_lock() -> None:
    """Serialise approvals (PostgreSQL: a transaction-level advisory lock), so
    that two approvals at once cannot both take the same free units: the
    second reads the first one's commitments once it has committed. SQLite
    has one writer anyway (write transactions are IMMEDIATE)."""
    if is_postgres():
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext('fastdso.commitments'))")


def stock_commitments_open(
    *, source: str, cd: pd.DataFrame, stores: pd.DataFrame, approved_at: dt.datetime
) -> dict[str, int]:
    """Write the commitments of an approved run or plan, in bulk, inside the
    caller's transaction (the lifecycle service's).

    `cd`: DataFrame[product_id, units] to reserve at the CD (units > 0);
    `stores`: DataFrame[product_id, store_id, units, kind], signed units
    (in transit / transfer in > 0, donor out < 0). Refused (TransitionRefused,
    the SKUs named, nothing written) when the CD or a donor no longer has the
    units free: snapshot − what other open runs and plans already hold.
    """
    cd = cd[cd["units"] > 0].groupby("product_id", as_index=False)["units"].sum()
    stores = stores[stores["units"] != 0]
    commitments_lock()
    problems = _cd_shortfalls(cd) + _donor_shortfalls(stores)
    if problems:
        more = len(problems) - SHORTFALLS_LISTED
        raise TransitionRefused(
            "inventory.approve_short",
            id=source,
            n=len(problems),
            shown=problems[:SHORTFALLS_LISTED],
            more=msg("inventory.approve_short_more", n=more) if more > 0 else "",
        )
    day = timezone.localdate(approved_at)
    frame = pd.concat(
        [
            pd.DataFrame(
                {
                    "kind": str(StockCommitment.Kind.CD_RESERVED),
                    "product_id": cd["product_id"].astype("int64"),
                    "store_id": pd.array([pd.NA] * len(cd), dtype="Int64"),
                    "units": -cd["units"].astype("int64"),
                }
            ),
            pd.DataFrame(
                {
                    "kind": stores["kind"].astype(str),
                    "product_id": stores["product_id"].astype("int64"),
                    "store_id": stores["store_id"].astype("Int64"),
                    "units": stores["units"].astype("int64"),
                }
            ),
        ],
        ignore_index=True,
    )
    frame.insert(0, "source", source)
    frame["approved_on"] = day
    rows_insert(StockCommitment._meta.db_table, frame[list(COMMITMENT_TYPES)], types=COMMITMENT_TYPES)
    return {"cd_reserved": int(cd["units"].sum()), "store_units": int(stores["units"].abs().sum())}


def _sku_names(product_ids: Iterable[int]) -> dict[int, str]:
    return dict(Product.objects.filter(id__in=list(product_ids)).values_list("id", "sku"))


def _cd_shortfalls(cd: pd.DataFrame) -> list[Message]:
    """SKUs whose wanted CD units exceed what the CD still has free."""
    if cd.empty:
        return []
    free = inventory_queries.cd_stock(cd["product_id"].tolist(), effective=True)[["product_id", "units"]]
    check = cd.merge(free.rename(columns={"units": "free"}), on="product_id", how="left")
    check["free"] = check["free"].fillna(0).astype("int64")
    short = check[check["units"] > check["free"].clip(lower=0)]
    skus = _sku_names(short["product_id"])
    return [
        msg(
            "inventory.cd_shortfall",
            sku=str(skus.get(int(r.product_id), r.product_id)),
            units=int(r.units),
            free=max(int(r.free), 0),
        )
        for r in short.sort_values("product_id").itertuples(index=False)
    ]


def _donor_shortfalls(stores: pd.DataFrame) -> list[Message]:
    """(SKU, donor) pairs whose outgoing units exceed the donor's stock still free."""
    out = stores[stores["units"] < 0]
    if out.empty:
        return []
    out = out.groupby(["product_id", "store_id"], as_index=False)["units"].sum()
    out["units"] = -out["units"]
    free = inventory_queries.store_stock(
        out["product_id"].unique().tolist(), out["store_id"].unique().tolist(), effective=True
    )
    check = out.merge(
        free[["product_id", "store_id", "units"]].rename(columns={"units": "free"}),
        on=["product_id", "store_id"],
        how="left",
    )
    check["free"] = check["free"].fillna(0).astype("int64")
    short = check[check["units"] > check["free"].clip(lower=0)]
    skus = _sku_names(short["product_id"])
    names = dict(Store.objects.filter(id__in=short["store_id"].tolist()).values_list("id", "name"))
    return [
        msg(
            "inventory.donor_shortfall",
            sku=str(skus.get(int(r.product_id), r.product_id)),
            store=str(names.get(int(r.store_id), r.store_id)),
            units=int(r.units),
            free=max(int(r.free), 0),
        )
        for r in short.sort_values(["product_id", "store_id"]).itertuples(index=False)
    ]


def stock_commitments_rewrite(*, source: str, cd: pd.DataFrame, stores: pd.DataFrame) -> int:
    """Make a run's or plan's commitments what its lines ask for now (after
    clear_demo removed some of its lines): the same frames as approving,
    `cd` DataFrame[product_id, units], `stores` DataFrame[product_id,
    store_id, units, kind]. Rows keep their state (open or released) and
    approval date; a row whose lines are all gone is deleted; no row is
    added (fewer lines never hold more). Returns the rows changed or deleted."""
    cd = cd[cd["units"] > 0].groupby("product_id", as_index=False)["units"].sum()
    stores = stores[stores["units"] != 0].groupby(["product_id", "store_id", "kind"], as_index=False)["units"].sum()
    wanted: dict[tuple[str, int, int | None], int] = {
        (str(StockCommitment.Kind.CD_RESERVED), int(r.product_id), None): -int(r.units)
        for r in cd.itertuples(index=False)
    }
    wanted.update(
        {(str(r.kind), int(r.product_id), int(r.store_id)): int(r.units) for r in stores.itertuples(index=False)}
    )
    changed = 0
    updates: list[StockCommitment] = []
    gone: list[int] = []
    for row in StockCommitment.objects.filter(source=source).only("pk", "kind", "product_id", "store_id", "units"):
        units = wanted.get((row.kind, row.product_id, row.store_id))
        if units is None:
            gone.append(row.pk)
        elif units != row.units:
            row.units = units
            updates.append(row)
    StockCommitment.objects.bulk_update(updates, ["units"], batch_size=1000)
    for chunk in chunks(gone, 5000):
        changed += StockCommitment.objects.filter(pk__in=chunk).delete()[0]
    return changed + len(updates)


def stock_commitments_release(*, source: str, released_at: dt.datetime) -> int:
    """Release at once every open commitment of a run or plan (cancel, close).
    Returns the units it had taken (from the CD, or from donors)."""
    open_rows = StockCommitment.objects.filter(source=source, is_open=True)
    taken = open_rows.filter(units__lt=0).aggregate(total=Sum("units"))["total"] or 0
    open_rows.update(is_open=False, released_at=released_at)
    return int(-taken)


def store_stock_dates_refresh(*, store_ids: Iterable[int] | None = None) -> int:
    """Set each store's `stock_date` to its latest snapshot that exists (None
    when it has none), after snapshots were deleted or re-dated outside an
    import (the admin; issue 33 §6). `store_ids` None: every store. One UPDATE."""
    latest = (
        StoreStockSnapshot.objects.filter(store=OuterRef("pk"))
        .order_by()
        .values("store")
        .annotate(latest=Max("snapshot_date"))
        .values("latest")[:1]
    )
    stores = Store.objects.all() if store_ids is None else Store.objects.filter(pk__in=list(store_ids))
    return stores.update(stock_date=Subquery(latest))
