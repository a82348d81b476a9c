"""Effective stock (SPEC §5.7): snapshots plus what approved runs and plans
still promise. Pure pandas, no Django: `inventory.queries` reads the frames,
these functions combine them.

    CD available = CD snapshot − reserved by open runs
    store stock  = store snapshot + in transit (runs) + transfers in − transfers out (plans)
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd


def sorted_sources(sources: pd.Series) -> pd.Series:
    """ "DR-2,DR-1" → "DR-1,DR-2" (the database may concatenate in any order)."""
    text = sources.fillna("").astype(str)
    several = text.str.contains(",", regex=False)
    if several.any():
        text = text.where(~several, text[several].str.split(",").map(sorted).str.join(","))
    return text


def cd_effective(snapshot: pd.DataFrame, reservations: pd.DataFrame) -> pd.DataFrame:
    """DataFrame[product_id, units, snapshot_units, reserved_units, reserved_by]:
    units = snapshot − reserved; reserved_by = "DR-…: 12, DR-…: 3" (largest first)."""
    base = snapshot[["product_id", "units"]].rename(columns={"units": "snapshot_units"})
    if reservations.empty:
        out = base.assign(reserved_units=0, reserved_by="")
    else:
        held = reservations.sort_values(["product_id", "units", "source"], ascending=[True, False, True])
        held = held.assign(text=held["source"].astype(str) + ": " + held["units"].astype(str))
        per_product = held.groupby("product_id", sort=False).agg(
            reserved_units=("units", "sum"), reserved_by=("text", ", ".join)
        )
        out = base.merge(per_product.reset_index(), on="product_id", how="outer")
    out["snapshot_units"] = out["snapshot_units"].fillna(0).astype("int64")
    out["reserved_units"] = out["reserved_units"].fillna(0).astype("int64")
    out["reserved_by"] = out["reserved_by"].fillna("").astype(str)
    out["units"] = out["snapshot_units"] - out["reserved_units"]
    return out[["product_id", "units", "snapshot_units", "reserved_units", "reserved_by"]].reset_index(drop=True)


def store_effective(snapshot: pd.DataFrame, moves: pd.DataFrame) -> pd.DataFrame:
    """DataFrame[product_id, store_id, units, snapshot_units, in_transit, in_transit_by]:
    units = snapshot + the signed units open runs and plans move there."""
    keys = ["product_id", "store_id"]
    base = snapshot[[*keys, "units"]].rename(columns={"units": "snapshot_units"})
    if moves.empty:
        out = base.assign(in_transit=0, in_transit_by="")
    else:
        moving = moves[[*keys, "units", "sources"]].rename(columns={"units": "in_transit", "sources": "in_transit_by"})
        out = base.merge(moving, on=keys, how="outer")
    out["snapshot_units"] = out["snapshot_units"].fillna(0).astype("int64")
    out["in_transit"] = out["in_transit"].fillna(0).astype("int64")
    out["in_transit_by"] = out["in_transit_by"].fillna("").astype(str)
    out["units"] = out["snapshot_units"] + out["in_transit"]
    columns = [*keys, "units", "snapshot_units", "in_transit", "in_transit_by"]
    return out[columns].astype({"product_id": "int64", "store_id": "int64"}).reset_index(drop=True)


def positive_effective(positive: pd.DataFrame, moves: pd.DataFrame) -> pd.DataFrame:
    """Store Health's read: the positive snapshot rows plus the moves, pairs still > 0.
    A pair absent from `positive` counts from 0 (health treats negative stock as 0)."""
    effective = store_effective(positive, moves)
    effective = effective[effective["units"] > 0]
    return effective[["product_id", "store_id", "units"]].reset_index(drop=True)


# --- v3 (SPEC §5.7): reservations follow the goods ------------------------------------
#
# A run's or plan's promise (its open StockCommitment rows) is reduced by what
# shipped (StockMovement). What a line still promises stays held until the
# run or plan is closed or cancelled; only when its source has no shipment
# confirmation at all does a count dated `pick_days` after the export (plus
# the store's lead time at a destination) end it. What shipped is counted
# out of its origin until a count of the origin dated after the ship date (a
# count of the same day may have been taken before the truck left: the safe
# side is to keep it out one more day), in transit until a receipt or a
# count of the destination dated on or after shipped_on + lead time (§5.7),
# and what was received is counted in until a count dated on or after the
# receipt. The readers (inventory.queries) group
# the movements in SQL; these functions only combine the frames.

HELD_COLUMNS = ["source", "kind", "product_id", "store_id", "units", "exported_on", "stock_date", "lead_time"]
IN_COLUMNS = [
    "source",
    "product_id",
    "store_id",
    "shipped",
    "shipped_cd",
    "shipped_due",
    "received",
    "received_uncounted",
    "cd_uncounted",
]
OUT_COLUMNS = ["source", "product_id", "store_id", "shipped_out", "out_uncounted"]
LINE_COLUMNS = ["source", "product_id", "store_id", "reserved", "shipped", "in_transit", "received"]
CD_KIND, IN_KIND, OUT_KIND = "cd_reserved", "in_transit", "donor_out"


def _dates(values: pd.Series) -> pd.Series:
    return pd.to_datetime(values, errors="coerce")


def _pick_ended(frame: pd.DataFrame, count_date: pd.Series, confirmed: set[str], days: pd.Series | int) -> pd.Series:
    """Rows whose source never confirmed a shipment, was exported, and whose
    place was counted at least `days` after the export: the goods left."""
    exported = _dates(frame["exported_on"])
    deadline = exported + pd.to_timedelta(days, unit="D")
    return (~frame["source"].isin(confirmed)) & exported.notna() & count_date.notna() & (count_date >= deadline)


@dataclass(frozen=True)
class Positions:
    """cd: DataFrame[product_id, source, units] — CD units each source still holds.
    stores: DataFrame[product_id, store_id, source, incoming, outgoing] — units a
    source still adds to (on order, in transit, received after the count) or
    takes from (promised out, shipped out after the count) a store's count.
    lines: DataFrame[source, product_id, store_id, reserved, shipped, in_transit,
    received] — per destination line."""

    cd: pd.DataFrame
    stores: pd.DataFrame
    lines: pd.DataFrame


def positions(
    held: pd.DataFrame,
    moves_in: pd.DataFrame,
    moves_out: pd.DataFrame,
    counted: pd.DataFrame,
    confirmed: set[str],
    pick_days: int,
) -> Positions:
    """What open runs and plans still hold, and what is on the way (SPEC v3 §5.7).

    `held`: open commitment rows (HELD_COLUMNS; store_id NA for the CD; the
    store's stock_date and lead_time beside). `moves_in`: movements per
    (source, product, destination) (IN_COLUMNS, grouped by the reader).
    `moves_out`: shipments per (source, product, origin store) (OUT_COLUMNS).
    `counted`: DataFrame[product_id, counted_on], the CD count date of each
    product (NaT: no CD snapshot). `confirmed`: sources with a shipment."""
    if held.empty and moves_in.empty and moves_out.empty:
        # Nothing open and nothing moving (the usual case between runs): the
        # same empty frames, without ~60 pandas operations on empty frames.
        return _positions_of_nothing(held, moves_in, moves_out, counted, pick_days)
    return _positions(held, moves_in, moves_out, counted, confirmed, pick_days)


_NOTHING: dict[tuple[str, ...], Positions] = {}


def _positions_of_nothing(
    held: pd.DataFrame, moves_in: pd.DataFrame, moves_out: pd.DataFrame, counted: pd.DataFrame, pick_days: int
) -> Positions:
    """`positions` of empty inputs, computed once per input schema and copied."""
    key = tuple(f"{c}:{t}" for frame in (held, moves_in, moves_out) for c, t in frame.dtypes.items())
    if key not in _NOTHING:
        _NOTHING[key] = _positions(held, moves_in, moves_out, counted.iloc[0:0], set(), pick_days)
    kept = _NOTHING[key]
    return Positions(cd=kept.cd.copy(), stores=kept.stores.copy(), lines=kept.lines.copy())


def _positions(
    held: pd.DataFrame,
    moves_in: pd.DataFrame,
    moves_out: pd.DataFrame,
    counted: pd.DataFrame,
    confirmed: set[str],
    pick_days: int,
) -> Positions:
    held = held.copy()
    store_row = held["store_id"].notna()
    cd = _cd_held(held[~store_row], moves_in, counted, confirmed, pick_days)
    incoming, lines = _store_incoming(held[store_row & (held["kind"] == IN_KIND)], moves_in, confirmed, pick_days)
    outgoing = _store_outgoing(held[store_row & (held["kind"] == OUT_KIND)], moves_out, confirmed, pick_days)
    keys = ["product_id", "store_id", "source"]
    stores = incoming.merge(outgoing, on=keys, how="outer")
    for column in ("incoming", "outgoing"):
        stores[column] = stores[column].fillna(0).astype("int64")
    stores = stores[(stores["incoming"] > 0) | (stores["outgoing"] > 0)]
    stores = stores.astype({"product_id": "int64", "store_id": "int64"})
    return Positions(cd=cd, stores=stores[[*keys, "incoming", "outgoing"]].reset_index(drop=True), lines=lines)


def _cd_held(
    rows: pd.DataFrame, moves_in: pd.DataFrame, counted: pd.DataFrame, confirmed: set[str], pick_days: int
) -> pd.DataFrame:
    keys = ["source", "product_id"]
    alloc = (
        rows.assign(alloc=-rows["units"].astype("int64"))
        .groupby(keys, as_index=False)
        .agg(alloc=("alloc", "sum"), exported_on=("exported_on", "first"))
    )
    moved = moves_in.groupby(keys, as_index=False)[["shipped_cd", "cd_uncounted"]].sum()
    frame = alloc.merge(moved, on=keys, how="outer")
    frame = frame.merge(counted, on="product_id", how="left")
    for column in ("alloc", "shipped_cd", "cd_uncounted"):
        frame[column] = frame[column].fillna(0).astype("int64")
    pending = (frame["alloc"] - frame["shipped_cd"]).clip(lower=0)
    pending = pending.where(~_pick_ended(frame, _dates(frame["counted_on"]), confirmed, pick_days), 0)
    frame["units"] = pending + frame["cd_uncounted"]
    frame = frame[frame["units"] > 0]
    out = frame[["product_id", "source", "units"]].astype({"product_id": "int64", "units": "int64"})
    return out.reset_index(drop=True)


def _store_incoming(
    rows: pd.DataFrame, moves_in: pd.DataFrame, confirmed: set[str], pick_days: int
) -> tuple[pd.DataFrame, pd.DataFrame]:
    keys = ["source", "product_id", "store_id"]
    alloc = rows.groupby(keys, as_index=False).agg(
        alloc=("units", "sum"),
        exported_on=("exported_on", "first"),
        stock_date=("stock_date", "first"),
        lead_time=("lead_time", "first"),
    )
    alloc = alloc.astype({"product_id": "int64", "store_id": "int64"})
    moved = moves_in.astype({"product_id": "int64", "store_id": "int64"})
    frame = alloc.merge(moved.drop(columns=["shipped_cd", "cd_uncounted"]), on=keys, how="outer")
    numbers = ["alloc", "shipped", "shipped_due", "received", "received_uncounted"]
    for column in numbers:
        frame[column] = frame[column].fillna(0).astype("int64")
    lead = frame["lead_time"].fillna(0).astype("int64")
    pending = (frame["alloc"] - frame["shipped"]).clip(lower=0)
    ended = _pick_ended(frame, _dates(frame["stock_date"]), confirmed, lead + pick_days)
    frame["reserved"] = pending.where(~ended, 0)
    # Receipts settle the oldest shipments first: those already counted at the store.
    arrived = frame["shipped"] - frame["shipped_due"]
    frame["in_transit"] = (frame["shipped_due"] - (frame["received"] - arrived).clip(lower=0)).clip(lower=0)
    frame["incoming"] = frame["reserved"] + frame["in_transit"] + frame["received_uncounted"]
    lines = frame[LINE_COLUMNS].reset_index(drop=True)
    return frame[["product_id", "store_id", "source", "incoming"]], lines


def _store_outgoing(rows: pd.DataFrame, moves_out: pd.DataFrame, confirmed: set[str], pick_days: int) -> pd.DataFrame:
    keys = ["source", "product_id", "store_id"]
    alloc = (
        rows.assign(alloc=-rows["units"].astype("int64"))
        .groupby(keys, as_index=False)
        .agg(alloc=("alloc", "sum"), exported_on=("exported_on", "first"), stock_date=("stock_date", "first"))
    )
    alloc = alloc.astype({"product_id": "int64", "store_id": "int64"})
    frame = alloc.merge(moves_out.astype({"product_id": "int64", "store_id": "int64"}), on=keys, how="outer")
    for column in ("alloc", "shipped_out", "out_uncounted"):
        frame[column] = frame[column].fillna(0).astype("int64")
    pending = (frame["alloc"] - frame["shipped_out"]).clip(lower=0)
    pending = pending.where(~_pick_ended(frame, _dates(frame["stock_date"]), confirmed, pick_days), 0)
    frame["outgoing"] = pending + frame["out_uncounted"]
    return frame[["product_id", "store_id", "source", "outgoing"]]


def store_moves(stores: pd.DataFrame) -> pd.DataFrame:
    """positions().stores as the signed frame `store_effective` reads:
    DataFrame[product_id, store_id, units, sources]."""
    if stores.empty:
        return pd.DataFrame(
            {
                "product_id": pd.Series(dtype="int64"),
                "store_id": pd.Series(dtype="int64"),
                "units": pd.Series(dtype="int64"),
                "sources": pd.Series(dtype=object),
            }
        )
    signed = stores.assign(units=stores["incoming"] - stores["outgoing"])
    grouped = signed.sort_values("source").groupby(["product_id", "store_id"], as_index=False)
    out = grouped.agg(units=("units", "sum"), sources=("source", lambda s: ",".join(dict.fromkeys(s))))
    return out.astype({"product_id": "int64", "store_id": "int64", "units": "int64"})
