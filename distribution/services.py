"""Writes of the distribution app: create a run from a request file (SPEC §5).

    run = distribution_run_create(request_path=path, file_name="pedido.csv",
                                  params=DistributionParams(model="SMA2"), as_of=None,
                                  user=request.user, progress=progress).run

Load → solve → write back: the inputs are read in a few bulk queries through
`sales/queries.py` and `inventory/queries.py` (only the request's SKUs and
the categories their cold start needs — the macro layer is never asked for a
SKU list), the pure engine computes the lines, and the run is saved with its
lines in bulk. The scope is the request file, always.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
from django.db import transaction
from django.utils import timezone

from distribution import commitments, engine, rules
from distribution.engine import DistributionParams
from distribution.models import DistributionLine, DistributionRun
from fastdso.audit import audit_record
from fastdso.db import lines_write, readable_id_save
from fastdso.files import Column, Kind, sku_file_read
from fastdso.jobs import JobInputError, no_progress
from fastdso.messages import Message, msg, stored_list
from inventory import queries as inventory_queries
from inventory.services import PACK_SIZE_COLUMN, categories_canonical, products_upsert
from sales import queries as sales_queries

logger = logging.getLogger(__name__)

Progress = Callable[..., None]
MAX_LAUNCH_FACTOR = 100.0
# A request file is a SKU file (fastdso.files.sku_file_read) with these columns more.
REQUEST_COLUMNS = [
    PACK_SIZE_COLUMN,
    # v3 like-item launch (SPEC §5.3): plan a new SKU from a similar one's rates.
    Column("like_sku", required=False, max_length=64),
    Column("launch_factor", Kind.FLOAT, required=False, min_value=0),
]
CHUNK = 5000
MAX_WARNINGS = 1000


class ScopeViolation(RuntimeError):
    """The engine produced a line for a SKU outside the request: nothing is
    saved. Carries its message (`.message`); its text is the message rendered."""

    def __init__(self, message: Message) -> None:
        self.message = message
        super().__init__(str(message))


@dataclass
class RunCreateResult:
    run: DistributionRun
    warnings: list[Message] = field(default_factory=list)


def stores_behind_warnings(as_of_week: dt.date | None) -> list[Message]:
    """One warning naming the stores whose data ends before the as-of week (SPEC §4.3)."""
    behind = sales_queries.stores_behind(as_of_week)
    if not behind:
        return []
    names = [msg("distribution.store_data_until", store=name, until=until) for name, until in behind[:20]]
    if len(behind) > 20:
        return [msg("distribution.stores_behind_more", n=len(behind), stores=names, more=len(behind) - 20)]
    return [msg("distribution.stores_behind", n=len(behind), stores=names)]


def file_sha256(path: str | Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def request_read(path: str | Path, *, max_bytes: int | None = None) -> pd.DataFrame:
    """The request file as DataFrame[sku, product_name, category] (SPEC §3 reader);
    raises FileRejected on a bad file and JobInputError when it names no SKU.
    `max_bytes` is the job's limit (`job_max_bytes`: none for a command's file)."""
    frame = sku_file_read(path, extra=REQUEST_COLUMNS, max_bytes=max_bytes).frame
    if frame.empty:
        raise JobInputError(msg("distribution.empty_request"))
    if "launch_factor" in frame and (frame["launch_factor"].fillna(1.0) > MAX_LAUNCH_FACTOR).any():
        raise JobInputError(msg("distribution.launch_factor_range", max=MAX_LAUNCH_FACTOR))
    return frame


def scope_check(lines: pd.DataFrame, scope_skus: set[str], scope_product_ids: set[int]) -> None:
    """The safety rail (SPEC §5.1): refuse any line naming a SKU outside the
    request. Not an `assert` (those vanish under `python -O`): always runs."""
    # Distinct values first: iterating 300,000 pandas strings one by one took 0.7 s.
    outside = {str(sku) for sku in lines["sku"].unique()} - scope_skus
    outside_ids = set(lines["product_id"].astype("int64").unique().tolist()) - scope_product_ids
    if outside or outside_ids:
        sample = ", ".join(sorted(outside)[:5]) or ", ".join(str(i) for i in sorted(outside_ids)[:5])
        raise ScopeViolation(msg("distribution.scope_violation", n=len(outside) or len(outside_ids), skus=sample))


def _line_frame(run: DistributionRun, lines: pd.DataFrame) -> pd.DataFrame:
    """The lines as DistributionLine columns (missing store/category → NULL).
    No explanation text: the numbers it is rendered from (distribution.explain)."""
    frame = pd.DataFrame(
        {
            "run_id": run.pk,
            "product_id": lines["product_id"].astype("int64"),
            "store_id": lines["store_id"].astype("Int64"),
            "category": lines["category"].astype(object).where(lines["category"].notna(), None),
            "rate": lines["rate"].astype("float64").round(6),
            "category_rate": lines["category_rate"].astype("float64").round(6),
            "model_name": lines["model_name"].astype(str),
            "reason": lines["reason"].astype(str).str.slice(0, 200),
            "reserved_by": lines["reserved_by"].astype(str),
            "in_transit_by": lines["in_transit_by"].astype(str),
        },
        index=lines.index,
    )
    integers = ["store_stock", "cd_stock", "suggested_qty", "allocated_qty", "priority"]
    for column in [*integers, "cd_snapshot", "cd_reserved", "in_transit", *engine.EXPLAIN_COLUMNS]:
        frame[column] = lines[column].astype("int64")
    for column in engine.EXPLAIN_FLOATS:
        frame[column] = lines[column].astype("float64").round(6)
    for column in engine.EXPLAIN_TEXTS:
        frame[column] = lines[column].astype(str).str.slice(0, 120)
    return frame


def lines_insert(run: DistributionRun, lines: pd.DataFrame) -> int:
    """Write a run's lines in bulk with the planners' line writer (SPEC §11: a run saves in ≤ 5 s)."""
    return lines_write(DistributionLine, _line_frame(run, lines))


def distribution_run_create(
    *,
    request_path: str | Path,
    file_name: str,
    params: DistributionParams,
    as_of: dt.date | None = None,
    user: Any = None,
    progress: Progress | None = None,
    job: Any = None,
    max_bytes: int | None = None,
) -> RunCreateResult:
    """Read the request, generate the distribution and save the run (one transaction)."""
    progress = progress or no_progress
    progress(5, "stage.reading_request")
    request = request_read(request_path, max_bytes=max_bytes)
    scope_skus = set(request["sku"])
    sha256 = file_sha256(request_path)
    progress(15, "stage.updating_products", rows_read=len(request))

    with transaction.atomic():
        scope, warnings = _run_scope(request)
        scope_ids = set(scope["product_id"].astype("int64").tolist())
        as_of_week = sales_queries.resolve_as_of_week(as_of)  # refuses an incomplete week
        warnings += stores_behind_warnings(as_of_week)
        inputs, held_by = _run_inputs(scope, params, as_of_week, warnings, progress)

        progress(65, "stage.computing")
        result = engine.generate(inputs, params)
        lines = commitments.line_commitments(result.lines, inputs.cd_stock, inputs.store_stock)
        scope_check(lines, scope_skus, scope_ids)
        exceptions = result.exceptions
        for row in exceptions[exceptions["reason"] == engine.NO_CATEGORY].itertuples(index=False):
            warnings.append(msg("distribution.no_category", sku=row.sku, reason=engine.NO_CATEGORY))
        for sku, like_sku in result.like_fallbacks:
            warnings.append(msg("distribution.like_fallback", sku=sku, like=like_sku))
        summary = {**result.summary, "cd_reserved_units": sum(held_by.values()), "cd_reserved_by": held_by}

        progress(80, "stage.saving_run", lines=len(lines))
        run = DistributionRun.objects.create(
            run_id=f"tmp-{uuid.uuid4().hex}",
            status=DistributionRun.Status.RUNNING,
            user=user if getattr(user, "is_authenticated", False) else None,
            job=job,
            model_name=params.model,
            as_of_week=as_of_week,
            params={**params.as_dict(), "as_of": as_of.isoformat() if as_of else None},
            request_file_name=(file_name or Path(request_path).name)[:255],
            request_sha256=sha256,
        )
        _run_finish(run, lines, summary, warnings, user)
    progress(100, "stage.done")
    return RunCreateResult(run=run, warnings=warnings)


def _run_scope(request: pd.DataFrame) -> tuple[pd.DataFrame, list[Message]]:
    """Create or update the request's products; the scope (sku, product_id,
    category, request_category) and the catalogue's warnings."""
    # "consolas" in a request is the catalogue's "Consolas" (SPEC §4.3).
    request = request.assign(category=categories_canonical(request["category"]))
    upsert = products_upsert(request, claim_demo=False)
    scope = inventory_queries.products_by_sku(set(request["sku"]))
    first_category = request.replace({"category": {"": None}}).groupby("sku")["category"].first()
    scope["request_category"] = scope["sku"].map(first_category)
    scope = _launch_columns(scope, request)
    return scope, list(upsert.category_warnings)


def _launch_columns(scope: pd.DataFrame, request: pd.DataFrame) -> pd.DataFrame:
    """v3 (SPEC §5.2, §5.3): the product's display minimum and the request's like
    SKU (its product id when it exists) and launch factor (default 1.0)."""
    ids = scope["product_id"].astype("int64").tolist()
    scope["display_min"] = scope["product_id"].map(inventory_queries.product_display_mins(ids)).fillna(0)
    like = request["like_sku"] if "like_sku" in request else pd.Series("", index=request.index)
    like = like.astype(object).where(like.notna(), "").astype(str).str.strip()
    factor = request["launch_factor"] if "launch_factor" in request else pd.Series(1.0, index=request.index)
    first = pd.DataFrame({"sku": request["sku"], "like_sku": like, "launch_factor": factor}).groupby("sku").first()
    scope["like_sku"] = scope["sku"].map(first["like_sku"]).fillna("")
    scope["launch_factor"] = scope["sku"].map(first["launch_factor"]).fillna(1.0).astype("float64")
    like_ids = inventory_queries.product_ids(sorted(set(scope["like_sku"]) - {""}))
    scope["like_product_id"] = scope["like_sku"].map(like_ids).astype("Int64")
    return scope


def _run_inputs(
    scope: pd.DataFrame,
    params: DistributionParams,
    as_of_week: dt.date | None,
    warnings: list[Message],
    progress: Progress,
) -> tuple[engine.EngineInputs, dict[str, int]]:
    """Read in bulk what the engine needs for the scope: sales, category units,
    effective stock (SPEC §5.7), stores; and the CD units held per open run."""
    progress(30, "stage.reading_macro_sales")
    scope_skus = set(scope["sku"])
    product_id_list = sorted(set(scope["product_id"].astype("int64").tolist()))
    if as_of_week is None:
        warnings.append(msg("distribution.no_macro_sales"))
        sales = pd.DataFrame(columns=["sku", "product_id", "store_id", "selling_weeks", "units"])
    else:
        # Per (SKU, store): selling weeks and the last k weeks' units, grouped by the database;
        # and the like SKUs' (v3 §5.3), whose rates plan their new SKUs.
        like_skus = set(scope.loc[scope["like_product_id"].notna(), "like_sku"]) if "like_sku" in scope else set()
        sales = sales_queries.weekly_sales_summary(
            scope_skus | like_skus, params.lookback_weeks, as_of_week, recent=params.window
        )
    categories = engine.cold_start_categories(scope, sales, params)
    if categories and as_of_week is not None:
        category_units = sales_queries.category_store_summary(
            categories, params.category_window_weeks, as_of_week, fill_summary=True
        )
    else:
        category_units = pd.DataFrame(columns=["category", "store_id", "units", "skus"])

    progress(50, "stage.reading_stock")
    # SPEC §5.7: CD available = snapshot − what open runs hold; store stock = snapshot + in transit.
    reservations, cd, store_stock = inventory_queries.run_stock(product_id_list)
    if params.limit_by_cd and inventory_queries.cd_stock_date() is None:
        warnings.append(msg("distribution.no_cd_stock"))
    stores = _stores(params)
    promotions = pd.DataFrame(columns=sales_queries.PROMOTION_COLUMNS)
    lift: dict[str, float] = {}
    if params.promo_rule == engine.PROMO_LIFT and as_of_week is not None:
        promotions, sales, lift = _promotions(scope, sales, params, as_of_week)
    columns = ["sku", "product_id", "category", "request_category", "pack_size"]
    columns += [c for c in ("display_min", "like_sku", "like_product_id", "launch_factor") if c in scope]
    inputs = engine.EngineInputs(
        scope=scope[columns],
        sales=sales,
        category_units=category_units,
        store_stock=store_stock,
        cd_stock=cd,
        stores=stores,
        as_of_week=as_of_week,
        promotions=promotions,
        category_lift=lift,
    )
    return inputs, commitments.held_by_source(reservations)


def _stores(params: DistributionParams) -> pd.DataFrame:
    """Every store with its v3 facts (§4.7); the weeks with sales of the stores
    that name a like store (the only ones that can be opening)."""
    stores = inventory_queries.store_planning_frame().rename(columns={"name": "store_name"})
    named = stores.loc[stores["like_store_id"].notna()]
    if params.new_store_weeks > 0 and not named.empty:
        weeks = sales_queries.store_sales_weeks([*named["store_id"], *named["like_store_id"].astype(int)])
        stores["sales_weeks"] = stores["store_id"].map(weeks).fillna(0).astype("int64")
    return stores


def _promotions(
    scope: pd.DataFrame, sales: pd.DataFrame, params: DistributionParams, as_of_week: dt.date
) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, float]]:
    """SPEC §4.6: the scope's promotions from the lookback window to the weeks of
    cover ahead; the summary of the SKUs promoted in the window re-read from
    their weekly rows with those weeks skipped; the lift of the categories with
    a promotion ahead."""
    start = as_of_week - dt.timedelta(weeks=params.lookback_weeks - 1)
    horizon = int(-(-round(params.target_woc, 6) // 1)) + 1
    end = as_of_week + dt.timedelta(weeks=horizon, days=6)
    # The scope's SKUs and their like SKUs (whose rate plans a launch, §5.3).
    sku_by_id = dict(zip(scope["product_id"].astype("int64"), scope["sku"], strict=True))
    if "like_product_id" in scope:
        like = scope[scope["like_product_id"].notna()]
        sku_by_id.update(zip(like["like_product_id"].astype("int64"), like["like_sku"], strict=True))
    promotions = sales_queries.promotions_frame(start, end, product_ids=sorted(sku_by_id))
    if promotions.empty:
        return promotions, sales, {}
    promoted_ids = set(
        promotions.loc[
            pd.to_datetime(promotions["start_date"]) <= pd.Timestamp(as_of_week + dt.timedelta(days=6)), "product_id"
        ]
    )
    if promoted_ids:
        skus = {sku_by_id[i] for i in promoted_ids}
        weekly = sales_queries.weekly_sales(skus, params.lookback_weeks, as_of_week)
        weeks = [as_of_week - dt.timedelta(weeks=i) for i in range(params.lookback_weeks)]
        flags = rules.promoted_pairs(rules.promoted_grid(promotions, weeks), weekly[["product_id", "store_id"]])
        again = engine.summarise_weekly(weekly, as_of_week, params.lookback_weeks, params.window, flags)
        again.insert(0, "sku", again["product_id"].map(sku_by_id))
        sales = pd.concat([sales[~sales["product_id"].isin(promoted_ids)], again], ignore_index=True)
        for column in ("window_weeks", "base_weeks"):
            if column in sales:
                sales[column] = sales[column].fillna(0).astype("int64")
        for column in ("ranged_weeks", "base_units"):
            if column in sales:
                plain = sales["selling_weeks"] if column == "ranged_weeks" else sales["units"]
                sales[column] = sales[column].fillna(plain).astype("int64")
    ahead = promotions[pd.to_datetime(promotions["end_date"]) > pd.Timestamp(as_of_week + dt.timedelta(days=6))]
    categories = sorted(set(scope.loc[scope["product_id"].isin(ahead["product_id"]), "category"].dropna()))
    return promotions, sales, _category_lift(categories, as_of_week) if categories else {}


LIFT_WEEKS = 52


def _category_lift(categories: list[str], as_of_week: dt.date) -> dict[str, float]:
    """lift(category) over the last 52 weeks (§4.6): the promoted products' totals per
    (SKU, store) and their promoted weeks' rows, both grouped or joined in the database
    (reading every weekly row of the promoted products took 4 s on the planning scenario)."""
    start = as_of_week - dt.timedelta(weeks=LIFT_WEEKS - 1)
    promotions = sales_queries.promotions_frame(start, as_of_week + dt.timedelta(days=6), categories=categories)
    if promotions.empty:
        return {}
    products = inventory_queries.products_by_id(set(promotions["product_id"].astype(int)))
    totals = sales_queries.weekly_sales_summary(set(products["sku"]), LIFT_WEEKS, as_of_week)
    totals["category"] = totals["product_id"].map(products.set_index("product_id")["category"])
    weeks = [as_of_week - dt.timedelta(weeks=i) for i in range(LIFT_WEEKS)]
    flags = rules.promoted_pairs(rules.promoted_grid(promotions, weeks), totals[["product_id", "store_id"]])
    units = sales_queries.promoted_week_units(products["product_id"].astype("int64").tolist(), LIFT_WEEKS, as_of_week)
    return rules.category_lift_from_totals(totals, flags, units, weeks)


def _run_finish(
    run: DistributionRun, lines: pd.DataFrame, summary: dict[str, Any], warnings: list[Message], user: Any
) -> None:
    """Write the run's lines, mark it done with its readable id and summary, audit it."""
    lines_insert(run, lines)
    run.status = DistributionRun.Status.DONE
    run.finished_at = timezone.now()
    run.summary = summary
    run.warnings = stored_list(warnings[:MAX_WARNINGS])
    run.scope_sku_count = summary["scope_skus"]
    run.line_count = summary["line_count"]
    run.total_suggested = summary["total_suggested"]
    run.total_allocated = summary["total_allocated"]
    fields = ["run_id", "status", "finished_at", "summary", "warnings", "scope_sku_count", "line_count"]
    readable_id_save(run, field="run_id", prefix="DR", update_fields=[*fields, "total_suggested", "total_allocated"])
    logger.info(
        "distribution run %s: scope=%d sales_based=%d cold_start=%d skipped=%s suggested=%d allocated=%d "
        "cold_start_allocated=%d",
        run.run_id,
        summary["scope_skus"],
        summary["sales_based_skus"],
        summary["cold_start_skus"],
        summary["skipped_by_reason"],
        summary["total_suggested"],
        summary["total_allocated"],
        summary["cold_start_allocated"],
    )
    details = {"scope_skus": summary["scope_skus"], "lines": summary["line_count"]}
    details.update(allocated=summary["total_allocated"], file=run.request_file_name)
    audit_record(user=user, action="run", obj=run, details=details)
