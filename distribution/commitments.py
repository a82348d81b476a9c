"""What a run planned with because of other runs and plans (SPEC §5.7). Pure pandas.

The generator plans with `CD available = snapshot − reserved` and `store
stock = snapshot + in transit` (inventory's effective reads). These
functions put the numbers beside each line; `distribution.explain` says them
when the line is shown: "CD 40 − 12 reservadas por DR-…: 12 = 28".
"""

from __future__ import annotations

import pandas as pd

# cd_snapshot: the CD snapshot the reservation was taken from (cd_stock is
# net of it, and never below 0); reserved_by: the runs holding CD units
# ("DR-…: 12, DR-…: 3"); in_transit_by: the runs and plans moving units to
# the store (store_stock already counts them).
NOTE_COLUMNS = ["cd_snapshot", "cd_reserved", "in_transit", "reserved_by", "in_transit_by"]
SOURCES_MAX = 300


def line_commitments(lines: pd.DataFrame, cd: pd.DataFrame, stock: pd.DataFrame) -> pd.DataFrame:
    """`lines` (the engine's) with the NOTE_COLUMNS of each affected store line.

    `cd`: inventory's effective CD frame (product_id, units, snapshot_units,
    reserved_units, reserved_by); `stock`: the effective store frame
    (product_id, store_id, units, snapshot_units, in_transit, in_transit_by).
    """
    out = lines.copy()
    for column in NOTE_COLUMNS:
        out[column] = "" if column.endswith("_by") else 0
    if out.empty:
        return out
    store_line = out["store_id"].notna()
    held = cd[cd["reserved_units"] != 0][["product_id", "snapshot_units", "reserved_units", "reserved_by"]]
    moving = stock[stock["in_transit"] != 0][["product_id", "store_id", "in_transit", "in_transit_by"]]
    if held.empty and moving.empty:
        return out

    keyed = out[store_line][["product_id", "store_id"]].astype("int64")
    keyed = keyed.merge(held, on="product_id", how="left").merge(moving, on=["product_id", "store_id"], how="left")
    keyed.index = out.index[store_line]
    out.loc[store_line, "cd_snapshot"] = keyed["snapshot_units"].fillna(0).astype("int64")
    out.loc[store_line, "cd_reserved"] = keyed["reserved_units"].fillna(0).astype("int64")
    out.loc[store_line, "in_transit"] = keyed["in_transit"].fillna(0).astype("int64")
    for column in ("reserved_by", "in_transit_by"):
        out.loc[store_line, column] = keyed[column].fillna("").astype(str).str.slice(0, SOURCES_MAX)
    return out


def held_by_source(reservations: pd.DataFrame) -> dict[str, int]:
    """CD units held per run, largest first: the run summary's "held by open runs"."""
    if reservations.empty:
        return {}
    totals = reservations.groupby("source")["units"].sum().sort_values(ascending=False, kind="stable")
    return {str(source): int(units) for source, units in totals.items() if units}
