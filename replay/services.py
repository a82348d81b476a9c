"""Writes of the replay app: run a replay and save it (SPEC §13).

    run = replay_run_create(request=ReplayRequest(scope="top", top_n=50,
                            policies=("base:model=SMA2", "alto:target_woc=3")), user=user)

Load → simulate → write back: the history of the scope SKUs for the whole
window plus the longest lookback is read **once**, in bulk, through the
sales-series functions of `sales/queries.py`; the pure engine replays every
policy week by week on it; one ReplayRun row keeps the parameters and the
results (per policy and per week).
"""

from __future__ import annotations

import datetime as dt
import logging
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
from django.db import transaction
from django.utils import timezone

from fastdso.audit import audit_record
from fastdso.jobs import JobInputError
from fastdso.messages import Message, message_from, msg, stored_list
from forecast import engine as forecast_engine
from inventory import queries as inventory_queries
from inventory.models import Product, Store
from replay import engine
from replay.engine import Policy, PolicyError, ReplayInputs
from replay.models import ReplayRun
from sales import queries as sales_queries

logger = logging.getLogger(__name__)

Progress = Callable[..., None]
MAX_WEEKS = 52
MAX_TOP = 5000
MAX_CD_SUPPLY = 100.0
MAX_WARNINGS = 200
SCOPE_COLUMNS = ("sku", "product_id", "category", "request_category")
# The SPEC §9 CSV of the `replay` command and the page's export, one row per policy.
EXPORT_COLUMNS = [
    "policy",
    "fill_rate",
    "served_units",
    "demand_units",
    "lost_units",
    "stockout_weeks",
    "avg_cover_weeks",
    "units_shipped",
    "lines_per_week",
]


def _no_progress(*_args: Any, **_kwargs: Any) -> None:
    return None


@dataclass(frozen=True)
class ReplayRequest:
    """What the planner asked for (form, command or job params)."""

    scope: str  # ReplayRun.Scope
    skus: tuple[str, ...] = ()
    file_categories: dict[str, str] = field(default_factory=dict)
    category: str = ""
    top_n: int = 0
    weeks: int = 8
    cd_supply: float = 1.0
    as_of: dt.date | None = None
    policies: tuple[str, ...] = ()
    input_name: str = ""
    rules: str = "v3"
    cd_mode: str = "purchase"
    supplier_lead_weeks: int = 2


def replay_policies_validate(texts: Sequence[str], rules: str = "v3") -> list[Policy]:
    """1–4 policies; a bad one raises JobInputError naming the policy and the key."""
    try:
        return engine.policies_parse(texts, rules=rules)
    except PolicyError as exc:
        raise JobInputError(message_from(exc.message)) from None


def replay_request_validate(request: ReplayRequest) -> list[Policy]:
    """Every check of a replay request, before anything is read or written."""
    problems = []
    if not 1 <= request.weeks <= MAX_WEEKS:
        problems.append(msg("replay.weeks_range", max=MAX_WEEKS))
    if not (math.isfinite(request.cd_supply) and 0 <= request.cd_supply <= MAX_CD_SUPPLY):
        problems.append(msg("replay.cd_supply_range", max=MAX_CD_SUPPLY))
    if request.scope == ReplayRun.Scope.TOP and not 1 <= request.top_n <= MAX_TOP:
        problems.append(msg("replay.top_range", max=MAX_TOP))
    if request.scope == ReplayRun.Scope.CATEGORY and not request.category.strip():
        problems.append(msg("replay.choose_category"))
    if request.scope not in ReplayRun.Scope.values:
        problems.append(msg("replay.unknown_scope", scope=request.scope))
    if request.rules not in engine.RULES:
        problems.append(msg("replay.unknown_rules", rules=request.rules))
    if request.cd_mode not in engine.CD_MODES:
        problems.append(msg("replay.unknown_cd_mode", mode=request.cd_mode))
    if not 0 <= request.supplier_lead_weeks <= engine.MAX_SUPPLIER_LEAD_WEEKS:
        problems.append(msg("replay.lead_range", max=engine.MAX_SUPPLIER_LEAD_WEEKS))
    if problems:
        raise JobInputError(msg("replay.invalid", problems=problems))
    return replay_policies_validate(request.policies, request.rules)


def _scope(
    request: ReplayRequest, as_of_week: dt.date, first_week: dt.date, lookback_weeks: int
) -> tuple[pd.DataFrame, str, list[Message]]:
    """DataFrame[sku, product_id, category, request_category], its label, warnings.
    v3 ranks the top N by the `lookback_weeks` before the first replayed week:
    the scope must not know the weeks it is judged on (v2 ranked the replayed weeks)."""
    warnings: list[Message] = []
    if request.scope == ReplayRun.Scope.CATEGORY:
        category = inventory_queries.category_resolve(request.category)
        if category is None:
            raise JobInputError(msg("replay.unknown_category", cat=request.category))
        skus = list(Product.objects.filter(category=category).order_by("sku").values_list("sku", flat=True))
        label = category
    elif request.scope == ReplayRun.Scope.TOP:
        if request.rules == "v2":
            skus, ranked = sales_queries.top_skus(request.top_n, request.weeks, as_of_week), request.weeks
        else:
            before = first_week - dt.timedelta(weeks=1)
            skus, ranked = sales_queries.top_skus(request.top_n, lookback_weeks, before), lookback_weeks
        label = f"Top {request.top_n} SKUs"
        if len(skus) < request.top_n:
            warnings.append(msg("replay.few_selling_skus", n=len(skus), weeks=ranked))
    else:
        skus = list(dict.fromkeys(str(s).strip() for s in request.skus if str(s).strip()))
        label = request.input_name or f"{len(skus)} SKUs"
    scope = inventory_queries.products_by_sku(skus).drop(columns=["product_name"])
    unknown = sorted(set(skus) - set(scope["sku"]))
    if unknown:
        shown = ", ".join(unknown[:20]) + ("…" if len(unknown) > 20 else "")
        warnings.append(msg("replay.unknown_skus", n=len(unknown), skus=shown))
    if scope.empty:
        raise JobInputError(msg("replay.no_catalogue_sku"))
    scope["request_category"] = scope["sku"].map(request.file_categories)
    return scope.sort_values("sku").reset_index(drop=True), label, warnings


# Weeks of network history the CD's purchase forecast reads before t0: the
# seasonal index wants a year on each side of the centred average (SPEC §6).
PURCHASE_HISTORY_WEEKS = 104


def _seasonal_cd_forecast(units: Any, weeks: list[dt.date], horizon: int, codes: Any) -> Any:
    """The CD's purchase forecast in the replay: the §6 v3 seasonal method."""
    return forecast_engine.seasonal_forecast(units, weeks, horizon, category_codes=codes)


def store_lead_weeks() -> dict[int, int]:
    """Each store's lead time in whole weeks (days rounded up; 0 = the same week)."""
    return {
        int(store_id): math.ceil(int(days) / 7)
        for store_id, days in Store.objects.values_list("id", "lead_time_days")
        if days
    }


def replay_inputs_load(
    scope: pd.DataFrame,
    policies: Sequence[Policy],
    weeks: list[dt.date],
    cd_supply: float,
    request: ReplayRequest | None = None,
) -> ReplayInputs:
    """The whole history the replay needs, in bulk: the scope's weekly rows from
    t0 − (longest lookback) to the as-of week, and the weekly units of the
    categories a cold start may need."""
    as_of_week = weeks[-1]
    span = len(weeks) + engine.history_weeks(policies)
    sales = sales_queries.weekly_sales(scope["sku"].tolist(), span, as_of_week)
    sales = sales[["product_id", "store_id", "week_start", "units"]]
    categories = engine.cold_categories(scope, sales, weeks, policies)
    category_weekly = sales_queries.category_weekly_units(categories, span, as_of_week)
    stores = inventory_queries.stores_frame().rename(columns={"name": "store_name"})[["store_id", "store_name"]]
    request = request or ReplayRequest(scope="skus", rules="v2", cd_mode="history")
    v3: dict[str, Any] = {"rules": request.rules, "cd_mode": request.cd_mode}
    if request.rules == "v3":
        v3 |= {"supplier_lead_weeks": request.supplier_lead_weeks, "store_lead_weeks": store_lead_weeks()}
        if request.cd_mode == "purchase":
            history = sales_queries.sku_weekly_totals(
                scope["sku"].tolist(), len(weeks) + PURCHASE_HISTORY_WEEKS, as_of_week
            )
            v3 |= {
                "network_history": history[["product_id", "week_start", "units"]],
                "cd_forecast": _seasonal_cd_forecast,
            }
    return ReplayInputs(
        # Every catalogue column the generator reads (pack_size too, once the catalogue has it).
        scope=scope[[c for c in (*SCOPE_COLUMNS, "pack_size") if c in scope.columns]],
        sales=sales,
        category_weekly=category_weekly,
        stores=stores,
        weeks=weeks,
        cd_supply=cd_supply,
        **v3,
    )


def _jsonable(value: Any) -> Any:
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return None
    if isinstance(value, dt.date):
        return value.isoformat()
    if hasattr(value, "item"):
        value = value.item()
    return round(value, 6) if isinstance(value, float) else value


def result_json(result: engine.PolicyResult) -> dict[str, Any]:
    weekly = result.weekly.astype(object).where(result.weekly.notna(), None)
    return {
        "name": result.policy.name,
        "totals": {k: _jsonable(v) for k, v in result.totals.items()},
        "start_stock": int(result.start_stock),
        "dominated": bool(result.dominated),
        "weekly": [{k: _jsonable(v) for k, v in row.items()} for row in weekly.to_dict("records")],
    }


def _replay_id(run: ReplayRun) -> str:
    return f"RP-{timezone.localdate(run.created_at).strftime('%Y%m%d')}-{run.pk:04d}"


def replay_run_create(
    *, request: ReplayRequest, user: Any = None, job: Any = None, progress: Progress | None = None
) -> tuple[ReplayRun, list[Message]]:
    """Validate, load the history once, replay every policy, save the ReplayRun.
    Raises JobInputError on bad input (nothing is written)."""
    progress = progress or _no_progress
    policies = replay_request_validate(request)
    as_of_week = sales_queries.resolve_as_of_week(request.as_of)
    if as_of_week is None:
        raise JobInputError(msg("replay.no_macro_sales"))
    weeks = sales_queries.week_starts(request.weeks, as_of_week)
    progress(5, "stage.preparing_scope")
    lookback = max(p.params.lookback_weeks for p in policies)
    scope, label, warnings = _scope(request, as_of_week, weeks[0], lookback)
    progress(10, "stage.reading_sales_history", skus=len(scope))
    inputs = replay_inputs_load(scope, policies, weeks, request.cd_supply, request)
    total = len(policies) * len(weeks)

    def on_week(index: int, k: int, n: int) -> None:
        done = index * n + k
        stage = msg("stage.policy_week", policy=policies[index].name, k=k, n=n)
        progress(20 + 75 * done / total, stage, weeks_done=done)

    results = engine.replay(inputs, policies, progress=on_week)
    marks = engine.best_policies(results)
    progress(96, "stage.saving_replay")
    with transaction.atomic():
        run = ReplayRun.objects.create(
            replay_id=f"tmp-{timezone.now().timestamp()}",
            user=user if getattr(user, "is_authenticated", False) else None,
            job=job,
            scope=request.scope,
            scope_label=label[:255],
            category=label if request.scope == ReplayRun.Scope.CATEGORY else "",
            top_n=request.top_n if request.scope == ReplayRun.Scope.TOP else None,
            skus=scope["sku"].tolist(),
            sku_count=len(scope),
            weeks=len(weeks),
            cd_supply=request.cd_supply,
            rules=request.rules,
            cd_mode=request.cd_mode,
            supplier_lead_weeks=request.supplier_lead_weeks,
            as_of_week=as_of_week,
            first_week=weeks[0],
            policies=[
                {
                    "name": p.name,
                    "text": p.text,
                    "overrides": {k: _jsonable(v) for k, v in p.overrides.items()},
                    "params": {k: _jsonable(v) for k, v in p.params.as_dict().items()},
                }
                for p in policies
            ],
            results=[result_json(r) for r in results],
            best_fill_policy=marks["best_fill"] or "",
            lowest_stock_policy=marks["lowest_stock"] or "",
            warnings=stored_list(warnings[:MAX_WARNINGS]),
        )
        run.replay_id = _replay_id(run)
        run.save(update_fields=["replay_id"])
        audit_record(user=user, action="replay", obj=run, details=run_summary(run))
    logger.info("replay %s: %s", run.replay_id, run_summary(run))
    return run, warnings


def run_summary(run: ReplayRun) -> dict[str, Any]:
    return {
        "scope": run.scope_label,
        "skus": run.sku_count,
        "weeks": run.weeks,
        "cd_supply": run.cd_supply,
        "policies": run.policy_names,
        "best_fill": run.best_fill_policy,
        "lowest_stock": run.lowest_stock_policy,
    }


def replay_export_frame(run: ReplayRun) -> pd.DataFrame:
    """One row per policy with the SPEC §9 columns (fill rate and cover rounded to 4 decimals)."""
    rows = [{"policy": r["name"], **{c: r["totals"].get(c) for c in EXPORT_COLUMNS[1:]}} for r in run.results]
    frame = pd.DataFrame(rows, columns=EXPORT_COLUMNS)
    for column in ("fill_rate", "avg_cover_weeks", "lines_per_week"):
        frame[column] = frame[column].astype("float64").round(4)
    return frame


def replay_export_record(*, run: ReplayRun, user: Any, fmt: str, rows: int) -> None:
    audit_record(user=user, action="export", obj=run, details={"format": fmt, "rows": rows})
