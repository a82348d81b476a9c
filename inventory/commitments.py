"""Effective stock (SPEC §5.7): snapshots plus what approved runs and plans
still promise. Pure pandas, no Django: `inventory.queries` reads the frames,
these functions combine them.

    CD available = CD snapshot − reserved by open runs
    store stock  = store snapshot + in transit (runs) + transfers in − transfers out (plans)
"""

from __future__ import annotations

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
