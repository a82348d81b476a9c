"""Redistribution plans: load inputs in bulk, run the engine, persist the plan (SPEC §7).

    plan = transfer_plan_create(user=user, request=PlanRequest(...), sku_file=path)

Reads: the SKUs (file or category Top N), weekly sales of those SKUs, category
units per store, latest store stock, store names — a handful of bulk queries.
Writes: one TransferPlan and its TransferLines (bulk), an audit event, and an
INFO log line with the summary. Bad input raises JobInputError (or the file
reader's FileRejected) before anything is written.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

import pandas as pd
from django.db import transaction
from django.utils.translation import gettext_lazy

from fastdso.audit import audit_record
from fastdso.db import lines_write, readable_id_save
from fastdso.exports import export_info
from fastdso.files import Column, Kind, RowError, sku_file_read
from fastdso.jobs import JobInputError, no_progress
from fastdso.messages import Message, message_from, msg, stored_list
from fastdso.models import Job
from inventory.models import Product, Store
from inventory.queries import category_resolve, products_by_sku, store_stock
from redistribution import engine, explain
from redistribution.engine import PlanInputs, PlanTarget, RedistParams
from redistribution.models import TransferLine, TransferPlan
from sales import queries as sales_queries

logger = logging.getLogger(__name__)

BATCH = 1000
MODE_AUTO = str(TransferPlan.Mode.AUTO)  # str() of a choice: its value
MODE_MANUAL = str(TransferPlan.Mode.MANUAL)
WARNINGS_LISTED = 20

Progress = Callable[..., None]


@dataclass(frozen=True)
class PlanRequest:
    """Everything a planner asks for; JSON-safe (it travels in Job.params)."""

    mode: str = MODE_AUTO
    scope: str = engine.SCOPE_SKUS
    category: str = ""
    destination_id: int | None = None  # None: all stores
    origin_id: int | None = None
    auto_pick_donors: bool = True
    system_decides: bool = True
    override_qty: bool = False
    eligible_store_ids: tuple[int, ...] | None = None  # None: all stores
    as_of: dt.date | None = None
    params: RedistParams = field(default_factory=RedistParams)

    @property
    def qty_mode(self) -> str:
        if self.override_qty:
            return engine.QTY_OVERRIDE
        if not self.system_decides:
            return engine.QTY_FILE_MAX
        return engine.QTY_SYSTEM

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["as_of"] = self.as_of.isoformat() if self.as_of else None
        data["eligible_store_ids"] = list(self.eligible_store_ids) if self.eligible_store_ids is not None else None
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> PlanRequest:
        data = dict(data)
        params = RedistParams(**data.pop("params", {}))
        as_of = data.pop("as_of", None)
        eligible = data.pop("eligible_store_ids", None)
        known = {f for f in cls.__dataclass_fields__}
        return cls(
            **{k: v for k, v in data.items() if k in known},
            params=params,
            as_of=dt.date.fromisoformat(as_of) if as_of else None,
            eligible_store_ids=tuple(eligible) if eligible is not None else None,
        )


NO_MACRO_SALES = msg("redistribution.no_macro_sales")


def request_problems(request: PlanRequest, *, has_file: bool) -> list[tuple[str | None, Message]]:
    """Every problem of a plan request, each with the form field it belongs to
    (None: the request as a whole). The one validation of a request: the form,
    the command and `transfer_plan_create` all call it."""
    if not sales_queries.has_macro_sales():
        return [(None, NO_MACRO_SALES)]
    problems: list[tuple[str | None, Message]] = [(None, message_from(p)) for p in request.params.errors()]
    if request.mode not in (MODE_AUTO, MODE_MANUAL):
        problems.append(("mode", msg("redistribution.unknown_mode")))
    if request.scope == engine.SCOPE_CATEGORY and not request.category.strip():
        problems.append(("category", msg("redistribution.choose_category")))
    if request.scope == engine.SCOPE_SKUS and not has_file:
        problems.append(("sku_file", msg("redistribution.upload_sku_file")))
    if request.scope == engine.SCOPE_CATEGORY and (request.override_qty or not request.system_decides):
        problems.append(("override_qty", msg("redistribution.qty_needs_skus")))
    if request.mode == MODE_MANUAL and request.origin_id is None and not request.auto_pick_donors:
        problems.append(("origin", msg("redistribution.choose_origin")))
    if request.origin_id is not None and request.origin_id == request.destination_id:
        problems.append(("origin", msg("redistribution.same_store")))
    eligible = request.eligible_store_ids
    for name, store_id in (("destination", request.destination_id), ("origin", request.origin_id)):
        if eligible is not None and store_id is not None and store_id not in eligible:
            problems.append((name, msg(f"redistribution.{name}_not_eligible")))
    return problems


def request_errors(request: PlanRequest, *, has_file: bool) -> list[Message]:
    """The messages of `request_problems` (the command prints them)."""
    return [message for _field, message in request_problems(request, has_file=has_file)]


# ---------------------------------------------------------------------------
# Reading the SKU file
# ---------------------------------------------------------------------------

# A plan's SKU file may give quantities ("use qty from file", SPEC §7 assisted manual).
QTY_COLUMNS = [
    Column("qty", Kind.INT, required=False, min_value=0),
    # "cantidad"/"unidades" arrive as quantity (SPEC §3 aliases): the same column.
    Column("quantity", Kind.INT, required=False, min_value=0),
]


def sku_quantities_read(source: Any, *, max_bytes: int | None = None) -> tuple[pd.DataFrame, list[Message]]:
    """DataFrame[sku, file_qty] (one row per SKU, file order) and warnings.

    Repeated SKUs are merged (their quantities added) with a warning.
    `max_bytes` is the job's limit (`job_max_bytes`: none for a command's file).
    """
    frame = sku_file_read(source, extra=QTY_COLUMNS, max_bytes=max_bytes).frame
    qty = frame["qty"].astype("Float64")
    if qty.isna().all():
        qty = frame["quantity"].astype("Float64")
    frame = pd.DataFrame({"sku": frame["sku"].astype(str), "file_qty": qty}, index=frame.index)
    warnings: list[Message] = []
    repeated = frame["sku"].duplicated(keep=False)
    if repeated.any():
        names = sorted(frame.loc[repeated, "sku"].unique())
        warnings.append(msg("redistribution.repeated_skus", skus=_listing(names)))
    merged = frame.groupby("sku", sort=False, as_index=False).agg(file_qty=("file_qty", lambda s: s.sum(min_count=1)))
    merged["has_qty"] = bool(frame["file_qty"].notna().any())
    return merged, warnings


# ---------------------------------------------------------------------------
# The plan
# ---------------------------------------------------------------------------


def _listing(items: list[str]) -> str:
    shown = ", ".join(items[:WARNINGS_LISTED])
    return shown + (f" … (+{len(items) - WARNINGS_LISTED})" if len(items) > WARNINGS_LISTED else "")


def _eligible_stores(request: PlanRequest) -> pd.DataFrame:
    stores = Store.objects.order_by("name")
    if request.eligible_store_ids is not None:
        wanted = set(request.eligible_store_ids)
        stores = stores.filter(id__in=wanted)
    # Inactive stores stay eligible: under rules v3 they only donate (SPEC v3 §4.7, §7).
    frame = pd.DataFrame(list(stores.values_list("id", "name", "active")), columns=["store_id", "name", "active"])
    if request.eligible_store_ids is not None:
        unknown = sorted(set(request.eligible_store_ids) - set(frame["store_id"]))
        if unknown:
            raise JobInputError(msg("redistribution.unknown_eligible", ids=_listing([str(u) for u in unknown])))
    for role, store_id in (("destination", request.destination_id), ("origin", request.origin_id)):
        if store_id is None:
            continue
        if not Store.objects.filter(id=store_id).exists():
            raise JobInputError(msg(f"redistribution.{role}_missing", id=store_id))
    if frame.empty:
        raise JobInputError(msg("redistribution.no_stores"))
    return frame


def _scope_skus(
    request: PlanRequest,
    sku_file: Any,
    store_filter: list[int] | None,
    weeks: int,
    as_of: dt.date,
    max_bytes: int | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame, list[Message], str]:
    """The SKUs to plan: DataFrame[product_id, sku, name, category, file_qty], the category
    units per SKU already read (or empty), warnings, and the file name."""
    warnings: list[Message] = []
    columns = ["product_id", "sku", "name", "category", "file_qty"]
    empty_cat_sku = pd.DataFrame({"category": [], "product_id": [], "sku": [], "units": []})
    if request.scope == engine.SCOPE_CATEGORY:
        category = request.category.strip()
        if not Product.objects.filter(category=category).exists():
            warnings.append(msg("redistribution.category_without_products", cat=category))
            return pd.DataFrame(columns=columns), empty_cat_sku, warnings, ""
        cat_sku = sales_queries.category_sku_units([category], weeks, as_of, store_filter)
        top = engine.top_skus(cat_sku, request.params.top_n)
        if top.empty:
            warnings.append(msg("redistribution.category_without_sales", cat=category, weeks=weeks, as_of=as_of))
            return pd.DataFrame(columns=columns), cat_sku, warnings, ""
        names = dict(Product.objects.filter(id__in=top["product_id"].tolist()).values_list("id", "name"))
        skus = pd.DataFrame(
            {
                "product_id": top["product_id"].astype("int64"),
                "sku": top["sku"].astype(str),
                "name": top["product_id"].map(names).fillna(""),
                "category": category,
                "file_qty": pd.array([pd.NA] * len(top), dtype="Float64"),
            }
        )
        return skus, cat_sku, warnings, ""

    file_frame, file_warnings = sku_quantities_read(sku_file, max_bytes=max_bytes)
    warnings.extend(file_warnings)
    file_name = Path(str(getattr(sku_file, "name", sku_file))).name
    has_qty = bool(file_frame["has_qty"].iloc[0]) if not file_frame.empty else False
    if request.qty_mode == engine.QTY_SYSTEM and has_qty:
        warnings.append(msg("redistribution.qty_ignored"))
    if request.qty_mode != engine.QTY_SYSTEM and not has_qty:
        warnings.append(msg("redistribution.no_qty_column"))
    wanted = file_frame["sku"].tolist()
    found = {r.sku: (r.product_id, r.product_name, r.category) for r in products_by_sku(wanted).itertuples(index=False)}
    unknown = [s for s in wanted if s not in found]
    if unknown:
        warnings.append(msg("redistribution.unknown_skus", skus=_listing(unknown)))
    known = file_frame[file_frame["sku"].isin(found)]
    if known.empty:
        raise JobInputError(
            msg("redistribution.no_known_sku", n=len(file_frame)),
            [RowError(None, "sku", s, msg("unknown_sku")) for s in unknown[:100]],
            total_errors=len(unknown),
        )
    no_category = [s for s in known["sku"] if not found[s][2]]
    if no_category:
        warnings.append(msg("redistribution.skus_without_category", skus=_listing(no_category)))
    skus = pd.DataFrame(
        {
            "product_id": [found[s][0] for s in known["sku"]],
            "sku": known["sku"].to_numpy(),
            "name": [found[s][1] for s in known["sku"]],
            "category": [found[s][2] for s in known["sku"]],
            "file_qty": known["file_qty"].to_numpy(),
        }
    )
    return skus, empty_cat_sku, warnings, file_name


def transfer_plan_create(
    *,
    user: Any,
    request: PlanRequest,
    sku_file: Any = None,
    file_name: str = "",
    job: Job | None = None,
    progress: Progress | None = None,
    max_bytes: int | None = None,
) -> TransferPlan:
    """Plan store-to-store transfers and persist them as one TransferPlan with its lines."""
    progress = progress or no_progress
    started = time.perf_counter()
    problems = request_errors(request, has_file=sku_file is not None)
    if problems:
        raise JobInputError(msg("redistribution.request_refused", problems=problems))
    if request.scope == engine.SCOPE_CATEGORY:
        # "consolas" is the catalogue's "Consolas" (SPEC §4.3: categories compare case-insensitively).
        request = replace(request, category=category_resolve(request.category) or request.category.strip())
    weeks = request.params.history_weeks
    as_of = sales_queries.resolve_as_of_week(request.as_of)
    if as_of is None:
        raise JobInputError(msg("redistribution.no_complete_week"))
    progress(5, "stage.validating_stores")
    stores = _eligible_stores(request)
    store_filter = None if request.eligible_store_ids is None else stores["store_id"].tolist()

    progress(15, "stage.choosing_skus")
    skus, cat_sku, warnings, read_name = _scope_skus(request, sku_file, store_filter, weeks, as_of, max_bytes)
    progress(35, "stage.reading_sales_stock", skus=len(skus), stores=len(stores))
    inputs = _plan_inputs(request, skus, stores, cat_sku, store_filter, as_of)

    progress(60, "stage.computing_transfers")
    result = engine.plan_transfers(inputs, request.params, _plan_target(request))
    if result.cap_hit:
        warnings.append(msg("redistribution.cap_hit", cap=result.cap_hit))

    progress(80, "stage.saving_plan", lines=len(result.lines))
    span = sales_queries.window(weeks, as_of)
    assert span is not None
    summary = dict(result.summary)
    summary.update(
        as_of_week=as_of.isoformat(),
        window_start=span[0].isoformat(),
        window_end=(span[1] + dt.timedelta(days=6)).isoformat(),
        eligible_stores=len(stores),
        short_by_store=_short_by_store(result.shortfalls),
        seconds=round(time.perf_counter() - started, 3),
    )
    plan = TransferPlan(
        mode=request.mode,
        scope=request.scope,
        category=request.category.strip() if request.scope == engine.SCOPE_CATEGORY else "",
        destination_id=request.destination_id,
        origin_id=request.origin_id,
        params=_plan_params(request),
        summary=summary,
        warnings=stored_list(warnings),
        line_count=len(result.lines),
        total_units=int(summary["units"]),
        request_file_name=(file_name or read_name)[:255],
        user=user if getattr(user, "is_authenticated", False) else None,
        job=job,
    )
    _plan_save(plan, result.lines, request, user)
    progress(100, "stage.plan_ready")
    return plan


def _plan_inputs(
    request: PlanRequest,
    skus: pd.DataFrame,
    stores: pd.DataFrame,
    cat_sku: pd.DataFrame,
    store_filter: list[int] | None,
    as_of: dt.date,
) -> PlanInputs:
    """Read in bulk what the engine needs: sales, stock and category units of the scope."""
    weeks = request.params.history_weeks
    product_ids = skus["product_id"].astype("int64").tolist()
    categories = sorted({c for c in skus["category"].dropna().astype(str) if c})
    sales = sales_queries.sku_store_units(skus["sku"].tolist(), weeks, as_of, store_filter)
    stock = (
        store_stock(product_ids, store_filter, effective=True)  # SPEC §5.7: open runs and plans count
        if product_ids
        else pd.DataFrame(columns=["product_id", "store_id", "units"])
    )
    category_store = (
        sales_queries.category_store_units(categories, weeks, as_of, store_filter)
        if categories
        else pd.DataFrame({"category": [], "store_id": [], "units": []})
    )
    if request.scope == engine.SCOPE_SKUS and categories:
        # The network fallback only matters for SKUs with no sales at any eligible store.
        selling = set(sales.loc[sales["units"] > 0, "product_id"].astype("int64"))
        idle = skus[~skus["product_id"].isin(selling)]
        idle_categories = sorted({c for c in idle["category"].dropna().astype(str) if c})
        if idle_categories:
            cat_sku = sales_queries.category_sku_units(idle_categories, weeks, as_of, store_filter)
    return PlanInputs(
        skus=skus[["product_id", "sku", "category", "file_qty"]],
        stores=stores,
        sales=sales,
        stock=stock,
        category_store=category_store,
        category_sku=cat_sku,
    )


def _plan_target(request: PlanRequest) -> PlanTarget:
    return PlanTarget(
        scope=request.scope,
        destination=request.destination_id,
        origin=request.origin_id,
        auto_pick_donors=request.auto_pick_donors or request.origin_id is None,
        qty_mode=request.qty_mode,
    )


def _plan_save(plan: TransferPlan, lines: pd.DataFrame, request: PlanRequest, user: Any) -> None:
    """Save the plan with its readable id, its lines and its audit event: all or nothing."""
    summary = plan.summary
    with transaction.atomic():
        readable_id_save(plan, field="plan_id", prefix="TP")
        _lines_save(plan, lines, request.params)
        audit_record(
            user=user,
            action="plan",
            obj=plan,
            details={
                "moves": summary["moves"],
                "units": summary["units"],
                "skus": summary["skus_moved"],
                "stores": summary["stores_affected"],
            },
        )
    logger.info(
        "redistribution plan %s: mode=%s scope=%s%s destination=%s moves=%s units=%s skus=%s stores=%s "
        "short=%s (%.2fs)",
        plan.plan_id,
        plan.mode,
        plan.scope,
        f" category={plan.category!r}" if plan.category else "",
        request.destination_id or "all",
        summary["moves"],
        summary["units"],
        summary["skus_moved"],
        summary["stores_affected"],
        summary["destinations_short"],
        summary["seconds"],
    )


def _plan_params(request: PlanRequest) -> dict[str, Any]:
    data = request.params.as_dict()
    data.update(
        top_n=request.params.top_n if request.scope == engine.SCOPE_CATEGORY else None,
        auto_pick_donors=request.auto_pick_donors,
        system_decides=request.system_decides,
        override_qty=request.override_qty,
        eligible_store_ids=list(request.eligible_store_ids) if request.eligible_store_ids is not None else None,
        as_of=request.as_of.isoformat() if request.as_of else None,
    )
    return data


def _short_by_store(shorts: pd.DataFrame) -> dict[str, list[int]]:
    """{store_id: [SKUs short, units short]} — a few hundred entries at most."""
    if shorts.empty:
        return {}
    grouped = shorts.groupby("store_id").agg(pairs=("sku", "size"), units=("short", "sum"))
    return {str(int(sid)): [int(row.pairs), int(row.units)] for sid, row in grouped.iterrows()}


def _lines_save(plan: TransferPlan, lines: pd.DataFrame, params: RedistParams) -> None:
    """Write the plan's lines with the planners' line writer: the numbers of
    each line's sentence, not the sentence (redistribution.explain says it when shown)."""
    if lines.empty:
        return
    cover_before = lines["cover_before"].astype("float64").round(3)
    cover_after = lines["cover_after"].astype("float64").round(3)
    frame = pd.DataFrame(
        {
            "plan_id": plan.pk,
            "product_id": lines["product_id"].astype("int64"),
            "origin_store_id": lines["origin_store_id"].astype("int64"),
            "destination_store_id": lines["destination_store_id"].astype("int64"),
            "qty": lines["qty"].astype("int64"),
            "origin_stock": lines["origin_stock"].astype("int64"),
            "origin_retain": lines["origin_retain"].astype("int64"),
            "origin_demand": lines["origin_demand"].astype("float64").round(4),
            "destination_stock": lines["destination_stock"].astype("int64"),
            "destination_demand": lines["destination_demand"].astype("float64").round(4),
            "cover_before": cover_before,
            "cover_after": cover_after,
            "urgent": lines["urgent"].astype(bool),
            "destination_need": lines["destination_need"].astype("int64"),
            "reason": lines["reason"].astype(str),
        },
        index=lines.index,
    )
    lines_write(TransferLine, frame)


SHORT_LABELS = {
    engine.SHORT_NO_DONOR: gettext_lazy("sin excedente en donantes"),
    engine.SHORT_MIN_FILL: gettext_lazy("faltante menor a min_fill"),
    engine.SHORT_CAP_DEST: gettext_lazy("tope por SKU y destino"),
    engine.SHORT_MAX_ROWS: gettext_lazy("tope de filas del plan"),
    engine.SHORT_MAX_UNITS: gettext_lazy("tope global de unidades"),
    engine.SHORT_MIN_MOVE: gettext_lazy("faltante menor a min_move_units"),
    engine.SHORT_NO_GAIN: gettext_lazy("ningún donante vale el viaje (min_gain)"),
}


# ---------------------------------------------------------------------------
# Reading a plan back (pages, exports, the command)
# ---------------------------------------------------------------------------

EXPORT_COLUMNS = [
    "plan_id",
    "sku",
    "category",
    "origin_store",
    "destination_store",
    "qty",
    "origin_stock",
    "origin_retain",
    "destination_stock",
    "destination_demand",
    "reason",
    # Beyond the contract (SPEC §9 allows appending):
    "product_name",
    "origin_demand",
    "destination_cover_before",
    "destination_cover_after",
    "urgent",
    "explanation",
]


def plan_export_info(plan: TransferPlan) -> list[tuple]:
    """The XLSX "parametros" sheet of a plan: id, mode, scope, parameters, summary."""
    head = {
        "plan_id": plan.plan_id,
        "mode": plan.mode,
        "scope": plan.scope,
        "category": plan.category,
        "destination": str(plan.destination) if plan.destination_id else "all",
        "origin": str(plan.origin) if plan.origin_id else "",
    }
    summary = {k: v for k, v in (plan.summary or {}).items() if k != "short_by_store"}
    return export_info(head, plan.params, summary)


def plan_lines_frame(plan: TransferPlan) -> pd.DataFrame:
    """The plan's lines as the export/command frame (one query)."""
    rows = (
        TransferLine.objects.filter(plan=plan)
        .order_by("product__sku", "destination_store__name", "origin_store__name", "id")
        .values_list(
            "product__sku",
            "product__category",
            "origin_store__name",
            "destination_store__name",
            "qty",
            "origin_stock",
            "origin_retain",
            "destination_stock",
            "destination_demand",
            "reason",
            "product__name",
            "origin_demand",
            "cover_before",
            "cover_after",
            "urgent",
            "explanation",
            "destination_need",
            "origin_store__code",
            "destination_store__code",
        )
    )
    names = [c for c in EXPORT_COLUMNS if c != "plan_id"]
    codes = ["origin_store_code", "destination_store_code"]  # appended: the contract's columns keep their order
    frame = pd.DataFrame(list(rows), columns=[*names, "destination_need", *codes])
    # The export names the covers by destination; the renderer reads a line's field names.
    covers = {"destination_cover_before": "cover_before", "destination_cover_after": "cover_after"}
    frame["explanation"] = explain.line_explanations(frame.rename(columns=covers), plan.params or {})
    frame = frame[[*names, *codes]]
    frame[codes] = frame[codes].fillna("")
    frame.insert(0, "plan_id", plan.plan_id)
    frame["category"] = frame["category"].fillna("")
    frame["destination_demand"] = frame["destination_demand"].astype(float).round(3)
    frame["origin_demand"] = frame["origin_demand"].astype(float).round(3)
    frame["urgent"] = frame["urgent"].map({True: 1, False: 0}).astype("Int64")
    return frame
