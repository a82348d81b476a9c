"""What a run planned with because of other runs and plans (SPEC §5.7). Pure pandas.

The generator plans with `CD available = snapshot − reserved` and `store
stock = snapshot + in transit` (inventory's effective reads). These
functions put the numbers beside each line, and say them in its
explanation: "CD 40 − 12 reservadas por DR-… = 28".
"""

from __future__ import annotations

import pandas as pd

NOTE_COLUMNS = ["cd_reserved", "in_transit", "reserved_by"]


def _text(values: pd.Series) -> pd.Series:
    return values.astype("int64").astype(str)


def line_commitments(lines: pd.DataFrame, cd: pd.DataFrame, stock: pd.DataFrame) -> pd.DataFrame:
    """`lines` (the engine's) with cd_reserved, in_transit, reserved_by, and the
    explanation of each affected store line extended to name the runs/plans.

    `cd`: inventory's effective CD frame (product_id, units, snapshot_units,
    reserved_units, reserved_by); `stock`: the effective store frame
    (product_id, store_id, units, snapshot_units, in_transit, in_transit_by).
    """
    out = lines.copy()
    for column, default in (("cd_reserved", 0), ("in_transit", 0), ("reserved_by", "")):
        out[column] = default
    if out.empty:
        return out
    store_line = out["store_id"].notna()
    held = cd[cd["reserved_units"] != 0][["product_id", "snapshot_units", "reserved_units", "reserved_by"]]
    moving = stock[stock["in_transit"] != 0][
        ["product_id", "store_id", "snapshot_units", "in_transit", "in_transit_by"]
    ]
    if held.empty and moving.empty:
        return out

    keyed = out[store_line][["product_id", "store_id"]].astype("int64")
    keyed = keyed.merge(held, on="product_id", how="left").merge(
        moving.rename(columns={"snapshot_units": "store_snapshot"}), on=["product_id", "store_id"], how="left"
    )
    keyed.index = out.index[store_line]
    reserved = keyed["reserved_units"].fillna(0).astype("int64")
    transit = keyed["in_transit"].fillna(0).astype("int64")
    out.loc[store_line, "cd_reserved"] = reserved
    out.loc[store_line, "in_transit"] = transit

    cd_part = pd.Series("", index=keyed.index, dtype=object)
    has_cd = reserved != 0
    if has_cd.any():
        snapshot = keyed.loc[has_cd, "snapshot_units"].astype("int64")
        cd_part[has_cd] = (
            "; CD "
            + _text(snapshot)
            + " − "
            + _text(reserved[has_cd])
            + " reservadas por "
            + keyed.loc[has_cd, "reserved_by"].astype(str)
            + " = "
            + _text(snapshot - reserved[has_cd])
        )
    store_part = pd.Series("", index=keyed.index, dtype=object)
    has_transit = transit != 0
    if has_transit.any():
        t = transit[has_transit]
        snapshot = keyed.loc[has_transit, "store_snapshot"].fillna(0).astype("int64")
        words = pd.Series(" en tránsito por ", index=t.index).where(t > 0, " comprometidas por ")
        sign = pd.Series(" + ", index=t.index).where(t > 0, " − ")
        store_part[has_transit] = (
            "; stock tienda "
            + _text(snapshot)
            + sign
            + _text(t.abs())
            + words
            + keyed.loc[has_transit, "in_transit_by"].astype(str)
            + " = "
            + _text(snapshot + t)
        )
    out.loc[store_line, "explanation"] = out.loc[store_line, "explanation"].astype(str) + cd_part + store_part
    cd_label = ("CD: " + keyed["reserved_by"].fillna("").astype(str)).where(has_cd, "")
    transit_label = ("tránsito: " + keyed["in_transit_by"].fillna("").astype(str)).where(has_transit, "")
    joiner = pd.Series(" · ", index=keyed.index).where(has_cd & has_transit, "")
    out.loc[store_line, "reserved_by"] = (cd_label + joiner + transit_label).str.slice(0, 300)
    return out


def held_by_source(reservations: pd.DataFrame) -> dict[str, int]:
    """CD units held per run, largest first: the run summary's "held by open runs"."""
    if reservations.empty:
        return {}
    totals = reservations.groupby("source")["units"].sum().sort_values(ascending=False, kind="stable")
    return {str(source): int(units) for source, units in totals.items() if units}
