"""Shipments and receipts (SPEC v3 §5.7): what left the CD and what arrived, by run or plan."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from fastdso.db import imports_lock, rows_insert
from fastdso.files import Column, Kind, RowError, read_table
from fastdso.jobs import JobInputError, no_progress
from fastdso.lifecycle import TransitionRefused
from fastdso.messages import Message, msg
from fastdso.uploads import text_lengths_check, upload_finish
from inventory import queries as inventory_queries
from inventory.masters import Progress, stores_resolve
from inventory.models import (
    TEXT_LIMITS,
    StockCommitment,
    StockMovement,
    Store,
)
from inventory.queries import product_ids
from inventory.reservations import commitments_lock

# --- Shipments and receipts (SPEC v3 §5.7) ----------------------------------------------

MOVEMENT_TYPES = {
    "kind": "text",
    "source": "text",
    "product_id": "bigint",
    "origin_id": "bigint",
    "store_id": "bigint",
    "units": "integer",
    "moved_on": "date",
    "due_on": "date",
    "backfill": "boolean",
    "job_id": "bigint",
}
LINE_KEYS = ["product_id", "origin_id", "store_id"]
BACKFILL_NEEDED = msg("inventory.backfill_needed")


def stock_commitments_export(*, source: str, exported_at: dt.datetime) -> None:
    """Note the export date on a run's or plan's commitments (the pick-days rule)."""
    StockCommitment.objects.filter(source=source, is_open=True).update(exported_on=timezone.localdate(exported_at))


def _shipped_so_far(sources: list[str], kind: str = str(StockMovement.Kind.SHIPPED)) -> pd.DataFrame:
    """DataFrame[source, product_id, origin_id, store_id, units] already confirmed."""
    rows = list(
        StockMovement.objects.filter(kind=kind, source__in=sources)
        .values("source", *LINE_KEYS)
        .annotate(done=Sum("units"))
        .order_by()
        .values_list("source", *LINE_KEYS, "done")
    )
    frame = pd.DataFrame(rows, columns=["source", *LINE_KEYS, "units"])
    return frame.astype({"product_id": "int64", "origin_id": "Int64", "store_id": "int64", "units": "int64"})


def _lead_times(store_ids: Iterable[int]) -> dict[int, int]:
    return dict(Store.objects.filter(id__in=list(store_ids)).values_list("id", "lead_time_days"))


def _movements_write(frame: pd.DataFrame) -> int:
    """Bulk insert of StockMovement rows (MOVEMENT_TYPES columns)."""
    frame = frame.assign(origin_id=frame["origin_id"].astype("Int64"), job_id=frame["job_id"].astype("Int64"))
    return rows_insert(StockMovement._meta.db_table, frame[list(MOVEMENT_TYPES)], types=MOVEMENT_TYPES)


def _with_due(frame: pd.DataFrame) -> pd.DataFrame:
    """due_on = moved_on + the destination's lead time (SPEC §4.7)."""
    lead = frame["store_id"].map(_lead_times(frame["store_id"].unique().tolist())).fillna(0).astype("int64")
    return frame.assign(due_on=pd.to_datetime(frame["moved_on"]) + pd.to_timedelta(lead, unit="D"))


def stock_ship_rest(*, source: str, lines: pd.DataFrame, shipped_at: dt.datetime) -> dict[str, int]:
    """Marking a run or plan shipped: every unit of its lines not yet confirmed
    ships today (inside the lifecycle's transaction)."""
    commitments_lock()
    done = _shipped_so_far([source]).drop(columns=["source"]).rename(columns={"units": "done"})
    lines = lines.astype({"product_id": "int64", "origin_id": "Int64", "store_id": "int64", "units": "int64"})
    rest = lines.merge(done, on=LINE_KEYS, how="left")
    rest["units"] = rest["units"] - rest["done"].fillna(0).astype("int64")
    rest = rest[rest["units"] > 0]
    if rest.empty:  # the lifecycle refuses it when the source was already shipped
        return {"shipped_units": 0, "shipped_lines": 0}
    rest = rest.assign(
        kind=str(StockMovement.Kind.SHIPPED),
        source=source,
        moved_on=pd.Timestamp(timezone.localdate(shipped_at)),
        backfill=False,
        job_id=pd.NA,
    )
    _movements_write(_with_due(rest))
    return {"shipped_units": int(rest["units"].sum()), "shipped_lines": len(rest)}


@dataclass
class MovementImportResult:
    kind: str  # shipments | receipts
    rows_read: int
    sources: list[str]
    units: int
    lines: int
    backfill: bool
    category_warnings: list[Message] = field(default_factory=list)

    def summary(self) -> dict[str, object]:
        return {
            "rows_read": self.rows_read,
            "sources": ", ".join(self.sources),
            "lines": self.lines,
            "units": self.units,
            "backfill": self.backfill,
        }


def _movement_columns(date_column: str) -> list[Column]:
    return [
        Column("run_id", required=False),
        Column("plan_id", required=False),
        Column("sku"),
        Column("store"),
        Column("origin", required=False),
        Column("qty", Kind.INT, min_value=1),
        Column(date_column, Kind.DATE),
    ]


SHIPMENT_COLUMNS = _movement_columns("shipped_on")
RECEIPT_COLUMNS = _movement_columns("received_on")


class _RowErrors:
    """Row errors collected over the checks; the file is refused if any."""

    def __init__(self) -> None:
        self.errors: list[RowError] = []

    def add(self, rows: pd.Series, column: str, values: pd.Series, message: Message | pd.Series) -> None:
        messages = message if isinstance(message, pd.Series) else pd.Series([message] * len(rows), index=rows.index)
        for row, value, problem in zip(rows.index[rows], values[rows], messages[rows], strict=True):
            self.errors.append(RowError(int(row), column, str(value)[:200], problem))

    def raise_if_any(self) -> None:
        if self.errors:
            self.errors.sort(key=lambda e: (e.row or 0, e.column))
            raise JobInputError(
                msg("files.rows_refused", n=len(self.errors)),
                self.errors[:100_000],
                total_errors=len(self.errors),
            )


def _movement_frame(frame: pd.DataFrame, date_column: str, errors: _RowErrors) -> tuple[pd.DataFrame, dict]:
    """The file's rows with source, product_id, store_id, origin_id resolved;
    unknown runs/plans, SKUs and stores, and future dates, become row errors."""
    from fastdso.lifecycle import lifecycle_kind

    run_id = frame["run_id"].fillna("").astype(str).str.strip()
    plan_id = frame["plan_id"].fillna("").astype(str).str.strip()
    frame = frame.assign(source=run_id.where(run_id != "", plan_id))
    errors.add(frame["source"] == "", "run_id", frame["source"], msg("inventory.source_missing"))
    errors.add((run_id != "") & (plan_id != ""), "plan_id", plan_id, msg("inventory.source_both"))
    objects: dict[str, Any] = {}
    for source in sorted(set(frame["source"]) - {""}):
        try:
            kind = lifecycle_kind(source)
        except TransitionRefused:
            continue
        obj = kind.model.objects.select_for_update().filter(**{kind.id_field: source}).first()
        if obj is not None:
            objects[source] = (kind, obj)
    errors.add(
        (frame["source"] != "") & ~frame["source"].isin(list(objects)),
        "run_id",
        frame["source"],
        msg("inventory.source_unknown"),
    )
    ids = product_ids(frame["sku"])
    frame["product_id"] = frame["sku"].map(ids).astype("Int64")
    errors.add(frame["product_id"].isna(), "sku", frame["sku"], msg("unknown_sku"))
    labels = stores_resolve(pd.concat([frame["store"], frame["origin"].fillna("")]), create=False).id_by_label
    frame["store_id"] = frame["store"].map(labels).astype("Int64")
    errors.add(frame["store_id"].isna(), "store", frame["store"], msg("inventory.unknown_store"))
    origin = frame["origin"].fillna("").astype(str).str.strip()
    frame["origin_id"] = origin.map(labels).astype("Int64")
    errors.add((origin != "") & frame["origin_id"].isna(), "origin", origin, msg("inventory.unknown_origin"))
    today = pd.Timestamp(timezone.localdate())
    errors.add(
        frame[date_column] > today,
        date_column,
        frame[date_column].dt.strftime("%Y-%m-%d"),
        msg("inventory.date_after_today"),
    )
    return frame, objects


def _line_match(frame: pd.DataFrame, objects: dict, errors: _RowErrors) -> pd.DataFrame:
    """Each row's line in its run or plan: (product, store) of a run; of a plan
    also the origin (given, or the only one the plan has for the pair)."""
    parts = []
    for source, (kind, obj) in objects.items():
        lines = kind.lines(obj)
        if lines is not None and not lines.empty:
            parts.append(lines.assign(source=source))
    lines = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=["source", *LINE_KEYS, "units"])
    lines = lines.astype({"product_id": "int64", "origin_id": "Int64", "store_id": "int64", "units": "int64"})
    pair = ["source", "product_id", "store_id"]
    origins = lines.groupby(pair, as_index=False).agg(origins=("origin_id", "nunique"), only=("origin_id", "first"))
    ok = frame[frame["product_id"].notna() & frame["store_id"].notna() & frame["source"].isin(list(objects))]
    keyed = ok[pair].astype({"product_id": "int64", "store_id": "int64"}).reset_index()
    keyed = keyed.merge(origins, on=pair, how="left").set_index("index")
    known = keyed["origins"].notna()
    errors.add(~known, "sku", frame.loc[keyed.index, "sku"], msg("inventory.no_such_line"))
    given = frame.loc[keyed.index, "origin_id"]
    several = known & given.isna() & (keyed["origins"] > 1)
    errors.add(
        several,
        "origin",
        frame.loc[keyed.index, "store"],
        msg("inventory.several_origins"),
    )
    frame.loc[keyed.index, "origin_id"] = given.where(given.notna(), keyed["only"]).astype("Int64")
    return lines


def _state_errors(frame: pd.DataFrame, objects: dict, states: tuple[str, ...], errors: _RowErrors, what: str) -> None:
    bad = {source: obj.state for source, (_kind, obj) in objects.items() if obj.state not in states}
    rows = frame["source"].isin(list(bad))
    messages = frame["source"].map(lambda s: msg(f"inventory.cannot_{what}", state=bad.get(s, "")))
    errors.add(rows, "run_id", frame["source"], messages)


def _movements_checked(
    frame: pd.DataFrame, date_column: str, shipping: bool, backfill: bool, errors: _RowErrors
) -> tuple[pd.DataFrame, dict[str, Any], pd.Series]:
    """The rows of a shipment or receipt file resolved and checked (states,
    lines, quantities, dates): (rows, their runs and plans by id, which rows
    are dated before the last count). Raises on any row error."""
    frame, objects = _movement_frame(frame, date_column, errors)
    states = ("exported", "shipped") if shipping else ("exported", "shipped", "closed")
    _state_errors(frame, objects, states, errors, "ship" if shipping else "receive")
    lines = _line_match(frame, objects, errors)
    # The rows that resolved are checked further: over-shipment and dates.
    resolved = frame[~frame.index.isin({e.row for e in errors.errors})]
    resolved = resolved.astype({"product_id": "int64", "store_id": "int64"})
    _quantity_errors(resolved, lines, sorted(objects), shipping, errors)
    last_count = _last_counts(resolved, shipping)
    old = last_count.notna() & (resolved[date_column] < last_count)
    if not backfill:
        errors.add(old, date_column, resolved[date_column].dt.strftime("%Y-%m-%d"), BACKFILL_NEEDED)
    errors.raise_if_any()
    return resolved, objects, old


def movements_import(
    *,
    path: str | Path,
    kind: str,
    backfill: bool = False,
    user: Any = None,
    progress: Progress = no_progress,
    file_name: str = "",
    job: Any = None,
    max_bytes: int | None = None,
) -> MovementImportResult:
    """A shipment confirmation file (`kind` "shipments": run_id or plan_id, sku,
    store, qty, shipped_on; `origin` for a plan whose SKU reaches the store
    from several stores) or a receipt file ("receipts": … received_on).

    Partial shipments are fine; a line shipped beyond its units, received
    beyond what shipped, a run or plan not exported, an unknown run, plan,
    SKU, store or line, a date after today, or (without `backfill`) a date
    before the latest count of the place it left (shipments: the CD, or a
    plan's origin) or reached (receipts: the store) is a row error, and any
    row error refuses the whole file. Shipments move an exported run or plan
    to shipped (audited). One transaction."""
    from fastdso.lifecycle import lifecycle_mark_shipped

    shipping = kind == "shipments"
    date_column = "shipped_on" if shipping else "received_on"
    progress(5, "stage.reading_file")
    frame = read_table(path, SHIPMENT_COLUMNS if shipping else RECEIPT_COLUMNS, max_bytes=max_bytes)
    text_lengths_check(frame, TEXT_LIMITS)
    errors = _RowErrors()
    progress(30, "stage.checking_lines", rows_read=len(frame))
    with transaction.atomic():
        imports_lock()
        commitments_lock()
        frame, objects, old = _movements_checked(frame, date_column, shipping, backfill, errors)
        key = ["source", *LINE_KEYS]

        progress(60, "stage.saving", rows_read=len(frame))
        rows = frame.assign(
            kind=str(StockMovement.Kind.SHIPPED if shipping else StockMovement.Kind.RECEIVED),
            units=frame["qty"].astype("int64"),
            moved_on=frame[date_column],
            backfill=old.to_numpy(),
            job_id=job.pk if job is not None and job.pk else pd.NA,
        )
        if not shipping:
            rows = rows.assign(origin_id=pd.NA)
        rows = _with_due(rows) if shipping else rows.assign(due_on=pd.NaT)
        _movements_write(rows)
        sources = sorted(set(frame["source"]))
        if shipping:
            for source in sources:
                _kind, obj = objects[source]
                lifecycle_mark_shipped(obj, object_id=source, user=user, details={"file": file_name or Path(path).name})
        result = MovementImportResult(
            kind=kind,
            rows_read=len(frame),
            sources=sources,
            units=int(rows["units"].sum()),
            lines=int(frame[key].drop_duplicates().shape[0]),
            backfill=bool(old.any()),
        )
        upload_finish(
            user=user,
            job=job,
            progress=progress,
            object_repr=msg(f"inventory.audit_{kind}", file=file_name or Path(path).name),
            details={
                "kind": kind,
                "rows": result.rows_read,
                "units": result.units,
                "sources": sources[:50],
                "backfill": result.backfill,
                "backfill_rows": int(old.sum()),
            },
            rows_read=len(frame),
            rows_written=len(rows),
        )
    return result


def _quantity_errors(
    frame: pd.DataFrame, lines: pd.DataFrame, sources: list[str], shipping: bool, errors: _RowErrors
) -> None:
    """Shipping a line beyond its units, or receiving beyond what shipped (with
    what earlier files confirmed), is a row error on each row of that line."""
    moved = _shipped_so_far(sources)
    if shipping:
        check_key = ["source", *LINE_KEYS]
        limit = lines.rename(columns={"units": "limit"})
        done = moved.rename(columns={"units": "done"})
        what = "inventory.ship_over"
    else:
        check_key = ["source", "product_id", "store_id"]
        limit = moved.groupby(check_key, as_index=False)["units"].sum().rename(columns={"units": "limit"})
        received = _shipped_so_far(sources, str(StockMovement.Kind.RECEIVED))
        done = received.groupby(check_key, as_index=False)["units"].sum().rename(columns={"units": "done"})
        what = "inventory.receive_over"
    if frame.empty:
        return
    totals = frame.groupby(check_key, dropna=False)["qty"].transform("sum")
    check = frame[check_key].reset_index().merge(limit, on=check_key, how="left").merge(done, on=check_key, how="left")
    check = check.set_index("index")
    check["limit"] = check["limit"].fillna(0).astype("int64")
    check["done"] = check["done"].fillna(0).astype("int64")
    over = totals + check["done"] > check["limit"]
    messages = pd.Series(
        [msg(what, total=t, limit=m, done=d) for t, m, d in zip(totals, check["limit"], check["done"], strict=True)],
        index=frame.index,
    )
    errors.add(over, "qty", frame["qty"], messages)


def _last_counts(frame: pd.DataFrame, shipping: bool) -> pd.Series:
    """The latest count date of the place each row's units left (shipments:
    the CD, or a plan's origin store) or reached (receipts: the store)."""
    stock_dates = {
        pk: pd.Timestamp(day) for pk, day in Store.objects.exclude(stock_date=None).values_list("id", "stock_date")
    }
    if shipping:
        cd_date = inventory_queries.cd_stock_date()
        origin = pd.to_datetime(frame["origin_id"].astype(object).map(stock_dates))
        return origin.where(frame["origin_id"].notna(), pd.Timestamp(cd_date) if cd_date else pd.NaT)
    return pd.to_datetime(frame["store_id"].astype(object).map(stock_dates))
