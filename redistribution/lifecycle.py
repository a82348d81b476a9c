"""The lifecycle of a transfer plan (SPEC §5.7): what is its own.

For `TP-…` ids: an approved plan lowers each donor's stock and raises each
destination's (inventory commitments) until that store's next snapshot;
release on cancel/close; the export kept when marked exported.
Registered in RedistributionConfig.ready.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd
from django.db.models import Sum

from fastdso.exports import to_csv_bytes, to_xlsx_bytes
from fastdso.lifecycle import PlanKind
from inventory.models import StockCommitment
from inventory.services import (
    stock_commitments_export,
    stock_commitments_open,
    stock_commitments_release,
    stock_ship_rest,
)
from redistribution.models import TransferLine, TransferPlan
from redistribution.services import plan_lines_frame


def _commitments(plan: TransferPlan) -> tuple[pd.DataFrame, pd.DataFrame]:
    """What the plan's lines hold: out of each donor, into each destination (nothing at the CD)."""
    rows = list(
        TransferLine.objects.filter(plan=plan, qty__gt=0)
        .values("product_id", "origin_store_id", "destination_store_id")
        .annotate(units=Sum("qty"))
        .order_by()
        .values_list("product_id", "origin_store_id", "destination_store_id", "units")
    )
    moves = pd.DataFrame(rows, columns=["product_id", "origin", "destination", "units"]).astype("int64")
    out = moves.rename(columns={"origin": "store_id"})[["product_id", "store_id", "units"]]
    out = out.assign(units=-out["units"], kind=str(StockCommitment.Kind.DONOR_OUT))
    into = moves.rename(columns={"destination": "store_id"})[["product_id", "store_id", "units"]]
    into = into.assign(kind=str(StockCommitment.Kind.IN_TRANSIT))
    stores = pd.concat([out, into], ignore_index=True)
    stores = stores.groupby(["product_id", "store_id", "kind"], as_index=False)["units"].sum()
    cd = pd.DataFrame({"product_id": pd.Series(dtype="int64"), "units": pd.Series(dtype="int64")})
    return cd, stores


def _approve(plan: TransferPlan, now: dt.datetime) -> dict[str, Any]:
    cd, stores = _commitments(plan)
    return stock_commitments_open(source=plan.plan_id, cd=cd, stores=stores, approved_at=now)


def _lines(plan: TransferPlan) -> pd.DataFrame:
    """DataFrame[product_id, origin_id, store_id (the destination), units] of the plan's moves."""
    rows = list(
        TransferLine.objects.filter(plan=plan, qty__gt=0)
        .values("product_id", "origin_store_id", "destination_store_id")
        .annotate(units=Sum("qty"))
        .order_by()
        .values_list("product_id", "origin_store_id", "destination_store_id", "units")
    )
    frame = pd.DataFrame(rows, columns=["product_id", "origin_id", "store_id", "units"]).astype("int64")
    return frame.astype({"origin_id": "Int64"})


def _exported(plan: TransferPlan, now: dt.datetime) -> None:
    stock_commitments_export(source=plan.plan_id, exported_at=now)


def _ship(plan: TransferPlan, now: dt.datetime) -> dict[str, Any]:
    return stock_ship_rest(source=plan.plan_id, lines=_lines(plan), shipped_at=now)


def _release(plan: TransferPlan, now: dt.datetime) -> int:
    return stock_commitments_release(source=plan.plan_id, released_at=now)


def _export(plan: TransferPlan, fmt: str) -> bytes:
    frame = plan_lines_frame(plan)
    if fmt == "xlsx":
        return to_xlsx_bytes(frame, text_columns=("sku", "plan_id"))
    return to_csv_bytes(frame)


KIND = PlanKind(
    prefix="TP-",
    model=TransferPlan,
    id_field="plan_id",
    approve=_approve,
    release=_release,
    export=_export,
    commitments=_commitments,
    exported=_exported,
    ship=_ship,
    lines=_lines,
)
