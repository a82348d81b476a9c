"""The lifecycle of a distribution run (SPEC §5.7): what is its own.

fastdso.lifecycle holds the state machine and `run_transition`; this module
gives it, for `DR-…` ids, how to reserve a run's units (the CD side per SKU,
in transit per store), how to release them and how to build the export that
is kept when the run is marked exported. Registered in DistributionConfig.ready.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd
from django.db.models import Sum

from distribution.exports import run_order_bytes
from distribution.models import DistributionLine, DistributionRun
from fastdso.lifecycle import PlanKind
from fastdso.messages import Message, msg
from inventory.models import StockCommitment
from inventory.services import (
    stock_commitments_export,
    stock_commitments_open,
    stock_commitments_release,
    stock_ship_rest,
)


def _lines(run: DistributionRun) -> pd.DataFrame:
    """DataFrame[product_id, origin_id (NA: the CD), store_id, units]: what each line allocated."""
    rows = list(
        DistributionLine.objects.filter(run=run, store__isnull=False, allocated_qty__gt=0)
        .values("product_id", "store_id")
        .annotate(units=Sum("allocated_qty"))
        .order_by()
        .values_list("product_id", "store_id", "units")
    )
    frame = pd.DataFrame(rows, columns=["product_id", "store_id", "units"]).astype("int64")
    frame.insert(1, "origin_id", pd.array([pd.NA] * len(frame), dtype="Int64"))
    return frame


def _commitments(run: DistributionRun) -> tuple[pd.DataFrame, pd.DataFrame]:
    """What the run's lines hold: allocated units at the CD per SKU, in transit per store."""
    stores = _lines(run).drop(columns=["origin_id"])
    cd = stores.groupby("product_id", as_index=False)["units"].sum()
    stores["kind"] = str(StockCommitment.Kind.IN_TRANSIT)
    return cd, stores


def _approve(run: DistributionRun, now: dt.datetime) -> dict[str, Any]:
    """Reserve the run's allocated units at the CD and promise them to their stores."""
    cd, stores = _commitments(run)
    return stock_commitments_open(source=run.run_id, cd=cd, stores=stores, approved_at=now)


def _release(run: DistributionRun, now: dt.datetime) -> int:
    return stock_commitments_release(source=run.run_id, released_at=now)


def _exported(run: DistributionRun, now: dt.datetime) -> None:
    stock_commitments_export(source=run.run_id, exported_at=now)


def _ship(run: DistributionRun, now: dt.datetime) -> dict[str, Any]:
    return stock_ship_rest(source=run.run_id, lines=_lines(run), shipped_at=now)


def _export(run: DistributionRun, fmt: str) -> bytes:
    """The file sent to the warehouse: the run's order (distribution.exports)."""
    return run_order_bytes(run, fmt)


def _not_ready(run: DistributionRun) -> Message | None:
    if run.status != DistributionRun.Status.DONE:
        return msg("distribution.run_not_finished", id=run.run_id)
    return None


KIND = PlanKind(
    prefix="DR-",
    model=DistributionRun,
    id_field="run_id",
    approve=_approve,
    release=_release,
    export=_export,
    not_ready=_not_ready,
    commitments=_commitments,
    exported=_exported,
    ship=_ship,
    lines=_lines,
)
