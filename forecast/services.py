"""Purchase forecast V2: bulk reads → pure engine → one run with its lines.

Reads sales only through `sales/queries.py` (the macro layer), stock through
`inventory/queries.py`. The number of queries does not grow with the number
of SKUs (every read is one query per chunk of 5,000 SKUs).
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
from django.db import transaction

from fastdso.audit import audit_record
from fastdso.bounds import OutOfRange, bounded_number
from fastdso.db import chunks, lines_write
from fastdso.exports import export_info
from fastdso.jobs import JobInputError, no_progress
from fastdso.messages import Message, msg
from forecast import engine
from forecast.models import ForecastLine, ForecastRun
from inventory import queries as stock_queries
from inventory.models import Product
from inventory.queries import products_by_sku
from inventory.services import categories_canonical
from sales import queries as sales_queries

logger = logging.getLogger(__name__)

CHUNK = 5000
MAX_WARNINGS = 200

Progress = Callable[..., None]


@dataclass(frozen=True)
class ForecastRequest:
    """What the planner asked for (form, command or job params)."""

    scope: str  # ForecastRun.Scope
    skus: tuple[str, ...] = ()
    # Optional columns of a SKU file: used for SKUs the catalogue lacks.
    file_categories: dict[str, str] = field(default_factory=dict)
    file_names: dict[str, str] = field(default_factory=dict)
    category: str = ""
    store_ids: tuple[int, ...] = ()  # empty = all stores
    weeks: int | None = None  # None: the method's default (seasonal 26, sma 12)
    coverage_weeks: int = 4
    as_of: dt.date | None = None
    backtest_weeks: int = 8
    input_name: str = ""
    duplicates: int = 0
    method: str = engine.SEASONAL
    eol_weeks: int = engine.EOL_WEEKS
    eol_override: tuple[str, ...] = ()
    evaluation_origins: int = engine.EVAL_ORIGINS  # 0: no evaluation beside the forecast

    @property
    def history_weeks(self) -> int:
        if self.weeks is not None:
            return self.weeks
        return engine.SEASONAL_WEEKS if self.method == engine.SEASONAL else 12


def skus_parse(text: str) -> list[str]:
    """SKUs pasted one per line or separated by commas/semicolons/tabs, as text, in order, once each."""
    seen: dict[str, None] = {}
    for token in re.split(r"[\n\r,;\t]+", text or ""):
        sku = token.strip().strip('"').strip()
        if sku and sku.lower() != "sku":
            seen.setdefault(sku, None)
    return list(seen)


def _scope_frame(request: ForecastRequest) -> tuple[pd.DataFrame, list[Message]]:
    """DataFrame[sku, product_id, product_name, category] in input order, and warnings."""
    warnings: list[Message] = []
    if request.scope == ForecastRun.Scope.CATEGORY:
        category = stock_queries.category_resolve(request.category) or request.category.strip()
        rows = list(
            Product.objects.filter(category=category).order_by("sku").values_list("sku", "id", "name", "category")
        )
        if not rows:
            raise JobInputError(msg("forecast.category_without_products", cat=request.category))
        frame = pd.DataFrame(rows, columns=["sku", "product_id", "product_name", "category"])
        return frame, warnings

    skus = list(dict.fromkeys(str(s).strip() for s in request.skus if str(s).strip()))
    if not skus:
        raise JobInputError(msg("forecast.empty_sku_list"))
    catalogue = {
        r.sku: (r.product_id, r.product_name, r.category) for r in products_by_sku(skus).itertuples(index=False)
    }
    records = []
    unknown = []
    for sku in skus:
        if sku in catalogue:
            pk, name, category = catalogue[sku]
            records.append(
                (sku, pk, name or request.file_names.get(sku, ""), category or request.file_categories.get(sku) or None)
            )
        else:
            unknown.append(sku)
            records.append((sku, None, request.file_names.get(sku, ""), request.file_categories.get(sku) or None))
    if unknown:
        shown = ", ".join(unknown[:20]) + ("…" if len(unknown) > 20 else "")
        warnings.append(msg("forecast.unknown_skus", n=len(unknown), skus=shown))
    if request.duplicates:
        warnings.append(msg("forecast.repeated_skus", n=request.duplicates))
    frame = pd.DataFrame(records, columns=["sku", "product_id", "product_name", "category"])
    frame["product_id"] = frame["product_id"].astype("Int64")
    # A file's "consolas" is the catalogue's "Consolas" (SPEC §4.3).
    canonical = categories_canonical(frame["category"])
    frame["category"] = canonical.where(canonical != "", None)
    return frame, warnings


def _sku_week_units(
    skus: list[str], weeks: int, as_of: dt.date, stores: list[int] | None, progress: Progress
) -> pd.DataFrame:
    """DataFrame[sku, week_start, units]: macro units per SKU and week, summed over
    the selected stores (a SKU-week is present iff it has at least one row)."""
    parts = []
    done = 0
    for chunk in chunks(skus, CHUNK):
        rows = sales_queries.sku_weekly_totals(chunk, weeks, as_of=as_of, stores=stores)
        parts.append(rows[["sku", "week_start", "units"]])
        done += len(chunk)
        progress(10 + 60 * done / max(len(skus), 1), "stage.reading_macro_sales", skus_read=done)
    return pd.concat(parts, ignore_index=True)


def _stock_by_sku(
    scope: pd.DataFrame, stores: list[int] | None, *, net: bool = True
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """The stock position per SKU, said apart as Stock Query says it
    (`inventory.queries.stock_position`, SPEC v3 §5.7): the CD's row plus the
    selected stores' rows, summed. Returns (cd, stores, position):
    cd DataFrame[sku, units (CD available), reserved], stores DataFrame[sku,
    units (counted), in_transit (coming less promised out)] — the engine's
    inputs, whose sum is `available` — and position DataFrame[sku, on_hand,
    reserved, in_transit, available]. `net=False` (method sma, the V2 rule
    kept as it was): cd and stores are the counts only, [sku, units]."""
    known = scope[scope["product_id"].notna()]
    sku_by_id = {int(pk): sku for pk, sku in zip(known["product_id"], known["sku"], strict=True)}
    frame = stock_queries.stock_position(list(sku_by_id), stores)
    frame["sku"] = frame["product_id"].map(sku_by_id)
    at_cd = frame["store_id"].isna()
    cd = frame[at_cd].assign(units=lambda f: f["on_hand"] - f["reserved"])[["sku", "units", "reserved"]]
    shops = frame[~at_cd].assign(in_transit=lambda f: f["in_transit"] - f["reserved"], units=lambda f: f["on_hand"])
    position = frame.groupby("sku", as_index=False)[["on_hand", "reserved", "in_transit", "available"]].sum()
    if not net:
        cd, shops = cd.assign(units=cd["units"] + cd["reserved"]), shops.assign(in_transit=0)
        return cd[["sku", "units"]].reset_index(drop=True), shops[["sku", "units"]].reset_index(drop=True), position
    return cd.reset_index(drop=True), shops[["sku", "units", "in_transit"]].reset_index(drop=True), position


def _with_position(result: pd.DataFrame, position: pd.DataFrame) -> pd.DataFrame:
    """The forecast's lines with the four stock columns of Stock Query (0 where nothing is held)."""
    result = result.drop(columns=[c for c in STOCK_COLUMNS if c in result.columns])
    result = result.merge(position, on="sku", how="left")
    result[list(STOCK_COLUMNS)] = result[list(STOCK_COLUMNS)].fillna(0).astype("int64")
    return result


STOCK_COLUMNS = ("on_hand", "reserved", "in_transit", "available")


def _promoted(scope: pd.DataFrame, weeks: int, as_of: dt.date, stores: list[int] | None) -> pd.DataFrame:
    """DataFrame[sku, week_start]: the promoted SKU-weeks of the history (SPEC §4.6)."""
    known = scope[scope["product_id"].notna()]
    sku_by_id = {int(pk): sku for pk, sku in zip(known["product_id"], known["sku"], strict=True)}
    promoted = sales_queries.promoted_sku_weeks(list(sku_by_id), weeks, as_of, stores)
    promoted["sku"] = promoted["product_id"].map(sku_by_id)
    return promoted[["sku", "week_start"]]


@transaction.atomic
def _request_bounds(request: ForecastRequest) -> None:
    """The form's limits, for the command and the job too (issue 33 §6)."""
    for key, low, high in (("history_weeks", 1, 104), ("coverage_weeks", 1, 52), ("backtest_weeks", 0, 52)):
        try:
            bounded_number(getattr(request, key), key, low=low, high=high)
        except OutOfRange as exc:
            raise JobInputError(exc.as_message()) from None


def forecast_run_create(
    *, request: ForecastRequest, user: Any = None, job: Any = None, progress: Progress | None = None
) -> tuple[ForecastRun, list[Message]]:
    """Compute the forecast of `request` and save it as a ForecastRun with its lines.

    Raises JobInputError on input that cannot be forecast (nothing is written).
    Returns the run and the warnings for the planner.
    """
    progress = progress or no_progress
    _request_bounds(request)
    if request.method not in engine.METHODS:
        raise JobInputError(msg("forecast.unknown_method", method=request.method))
    seasonal = request.method == engine.SEASONAL
    params = engine.ForecastParams(weeks=request.history_weeks, coverage_weeks=request.coverage_weeks)
    as_of_week = sales_queries.resolve_as_of_week(request.as_of)
    if as_of_week is None:
        raise JobInputError(msg("forecast.no_macro_sales"))
    stores = list(request.store_ids) or None
    store_names = _store_names(stores)

    progress(5, "stage.preparing_skus")
    scope, warnings = _scope_frame(request)
    skus = scope["sku"].tolist()

    backtest_params = engine.BacktestParams(horizon_weeks=request.backtest_weeks) if request.backtest_weeks else None
    eval_params = (
        engine.EvalParams(params.coverage_weeks, request.evaluation_origins) if request.evaluation_origins else None
    )
    read_weeks = max(
        params.weeks,
        backtest_params.history_weeks if backtest_params else 0,
        engine.SEASON_HISTORY if seasonal else 0,
        _evaluation_weeks(eval_params) if eval_params else 0,
    )
    sales = _sku_week_units(skus, read_weeks, as_of_week, stores, progress)
    window_weeks = sales_queries.week_starts(params.weeks, as_of_week)

    progress(75, "stage.category_proxies")
    in_window = sales.loc[sales["week_start"] >= window_weeks[0], "sku"].unique() if not sales.empty else []
    need_proxy = scope.loc[~scope["sku"].isin(in_window) & scope["category"].notna(), "category"]
    category_units = sales_queries.category_sku_units(set(need_proxy), params.weeks, as_of_week, stores)
    categories = set(scope["category"].dropna())
    category_weekly = None
    if seasonal or eval_params:
        category_weekly = sales_queries.category_week_totals(categories, read_weeks, as_of_week, stores)
    cd, shops, position = _stock_by_sku(scope, stores, net=seasonal)

    if seasonal:
        frames = (scope, sales, category_weekly, category_units, cd, shops)
        result = _seasonal_result(request, params, frames, as_of_week, stores)
    else:
        result = engine.purchase_forecast(scope, sales, category_units, cd, shops, window_weeks, params)
    result = _with_position(result, position)

    backtest_data, evaluation = _backtests(
        (scope, sales, category_weekly), as_of_week, read_weeks, backtest_params, eval_params, progress
    )
    progress(90, "stage.saving_forecast")
    run = _run_save(
        request=request,
        result=result,
        scope=scope,
        fields={
            "evaluation": evaluation,
            "user": user if getattr(user, "is_authenticated", False) else None,
            "job": job,
            "store_names": store_names,
            "weeks": params.weeks,
            "coverage_weeks": params.coverage_weeks,
            "as_of_week": as_of_week,
            "window_start": window_weeks[0],
            "backtest": backtest_data,
        },
    )
    audit_record(user=user, action="run", obj=run, object_repr=audit_name(run), details=run_summary(run))
    logger.info("forecast run %s: %s", run.pk, run_summary(run))
    return run, warnings[:MAX_WARNINGS]


def _backtests(
    frames: tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame | None],
    as_of_week: dt.date,
    read_weeks: int,
    backtest_params: engine.BacktestParams | None,
    eval_params: engine.EvalParams | None,
    progress: Progress,
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Beside the forecast: the V2 SMA-window backtest and the v3 method evaluation, as JSON."""
    scope, sales, category_weekly = frames
    backtest_data: dict[str, Any] = {}
    if backtest_params:
        progress(85, "stage.backtest")
        history = sales_queries.week_starts(backtest_params.history_weeks, as_of_week)
        backtest_data = backtest_to_json(
            engine.backtest(sales[sales["week_start"] >= history[0]], history, backtest_params)
        )
    evaluation: dict[str, Any] = {}
    if eval_params:
        progress(88, "stage.evaluation")
        evaluated = _evaluate(scope, sales, category_weekly, as_of_week, read_weeks, eval_params)
        evaluation = evaluation_to_json(evaluated, eval_params)
    return backtest_data, evaluation


def _store_names(stores: list[int] | None) -> list[str]:
    """The selected stores' names (as kept on the run); an unknown id refuses the request."""
    if not stores:
        return []
    names = stock_queries.store_names(stores)
    missing = [s for s in stores if s not in names]
    if missing:
        raise JobInputError(msg("forecast.unknown_stores", n=len(missing), stores=", ".join(map(str, missing))))
    return [names[s] for s in stores]


def _seasonal_result(
    request: ForecastRequest,
    params: engine.ForecastParams,
    frames: tuple[pd.DataFrame, ...],
    as_of_week: dt.date,
    stores: list[int] | None,
) -> pd.DataFrame:
    """`method = seasonal` on the frames read: (scope, sales, category weeks, category units, CD, stores)."""
    scope, sales, category_weekly, category_units, cd, shops = frames
    seasonal_params = engine.SeasonalParams(
        weeks=params.weeks,
        coverage_weeks=params.coverage_weeks,
        eol_weeks=request.eol_weeks,
        eol_override=frozenset(request.eol_override),
    )
    history = sales_queries.week_starts(max(engine.SEASON_HISTORY, params.weeks), as_of_week)
    return engine.seasonal_purchase_forecast(
        scope,
        sales[sales["week_start"] >= history[0]],
        category_weekly,
        category_units,
        cd,
        shops,
        history,
        seasonal_params,
        promoted=_promoted(scope, len(history), as_of_week, stores),
    )


def _run_save(
    *, request: ForecastRequest, result: pd.DataFrame, scope: pd.DataFrame, fields: dict[str, Any]
) -> ForecastRun:
    """The ForecastRun with its counts and its lines."""
    counts = result["source"].value_counts()
    run = ForecastRun.objects.create(
        **fields,
        method=request.method,
        eol_weeks=request.eol_weeks,
        eol_count=int(result["end_of_life"].sum()) if "end_of_life" in result.columns else 0,
        scope=request.scope,
        category=request.category,
        input_name=request.input_name[:255],
        store_ids=list(request.store_ids),
        sku_count=len(result),
        macro_count=int(counts.get(engine.MACRO, 0)),
        proxy_count=int(counts.get(engine.CATEGORY_PROXY, 0)),
        no_history_count=int(counts.get(engine.NO_HISTORY, 0)),
        unknown_count=int(scope["product_id"].isna().sum()),
        purchase_units=int(result["purchase_qty"].sum()),
        coverage_units=int(result["coverage_units"].sum()),
        backtest_weeks=request.backtest_weeks,
    )
    merged = result.merge(scope[["sku", "product_id", "product_name"]], on="sku", how="left")
    lines_write(ForecastLine, _line_frame(run, merged))
    return run


def _evaluation_weeks(params: engine.EvalParams) -> int:
    """Weeks of history the evaluation reads: a full seasonal history before the first origin."""
    return engine.SEASON_HISTORY + params.origins + params.horizon


def _evaluate(
    scope: pd.DataFrame,
    sales: pd.DataFrame,
    category_weekly: pd.DataFrame | None,
    as_of_week: dt.date,
    read_weeks: int,
    params: engine.EvalParams,
    extra: dict[str, engine.ExtraMethod] | None = None,
) -> engine.EvalResult:
    """The rolling-origin evaluation of the scope's SKUs on the weeks read."""
    weeks = sales_queries.week_starts(read_weeks, as_of_week)
    skus = scope["sku"].astype(str).tolist()
    categories = [c if isinstance(c, str) and c else None for c in scope["category"]]
    units = engine.week_matrix(sales, "sku", skus, weeks)
    _codes, names = engine.category_codes(categories)
    cat_units = engine.week_matrix(category_weekly, "category", names, weeks) if category_weekly is not None else None
    return engine.forecast_evaluation(
        units, weeks, skus, categories, params, category_units=cat_units, category_names=names, extra=extra
    )


def reference_methods() -> dict[str, engine.ExtraMethod]:
    """statsforecast's AutoETS when installed (requirements-dev, not the product's)."""
    try:
        from forecast import reference
    except ImportError:  # pragma: no cover - depends on the environment
        return {}
    return reference.methods()


def evaluation_to_json(result: engine.EvalResult, params: engine.EvalParams) -> dict[str, Any]:
    """The evaluation's category and ALL rows as plain JSON for ForecastRun.evaluation (NaN → None)."""
    table = result.table[result.table["level"] != "sku"].copy()
    table = pd.concat([result.table[(result.table["level"] == "sku") & (result.table["key"] == engine.ALL)], table])
    rows = [
        {
            k: (None if isinstance(v, float) and pd.isna(v) else (v.item() if hasattr(v, "item") else v))
            for k, v in r.items()
        }
        for r in table[engine.EVAL_COLUMNS].drop_duplicates().to_dict("records")
    ]
    return {
        "horizon": params.horizon,
        "origin_weeks": [w.isoformat() for w in result.origin_weeks],
        "rows": rows,
        "winners": result.winners,
        "seconds": {k: round(v, 3) for k, v in result.seconds.items()},
    }


@dataclass(frozen=True)
class EvaluationRequest:
    """What `forecast_eval` (and the API) asks: the SKUs or a category, the horizon, the origins."""

    scope: str
    skus: tuple[str, ...] = ()
    category: str = ""
    store_ids: tuple[int, ...] = ()
    coverage_weeks: int = 4
    origins: int = engine.EVAL_ORIGINS
    as_of: dt.date | None = None
    reference: bool = True  # add AutoETS when statsforecast is installed


def forecast_evaluate(*, request: EvaluationRequest, progress: Progress | None = None) -> engine.EvalResult:
    """The method evaluation of SPEC v3 §6 on its own (no forecast run is saved).

    Raises JobInputError on input that cannot be evaluated."""
    progress = progress or no_progress
    if request.coverage_weeks < 1 or request.coverage_weeks > 52:
        raise JobInputError(msg("forecast.coverage_range"))
    if request.origins < 1 or request.origins > 52:
        raise JobInputError(msg("forecast.origins_range"))
    as_of_week = sales_queries.resolve_as_of_week(request.as_of)
    if as_of_week is None:
        raise JobInputError(msg("forecast.no_macro_sales"))
    forecast_request = ForecastRequest(
        scope=request.scope, skus=request.skus, category=request.category, store_ids=request.store_ids
    )
    scope, _warnings = _scope_frame(forecast_request)
    stores = list(request.store_ids) or None
    params = engine.EvalParams(horizon=request.coverage_weeks, origins=request.origins)
    weeks = _evaluation_weeks(params)
    sales = _sku_week_units(scope["sku"].tolist(), weeks, as_of_week, stores, progress)
    category_weekly = sales_queries.category_week_totals(set(scope["category"].dropna()), weeks, as_of_week, stores)
    extra = reference_methods() if request.reference else None
    return _evaluate(scope, sales, category_weekly, as_of_week, weeks, params, extra)


def _line_frame(run: ForecastRun, merged: pd.DataFrame) -> pd.DataFrame:
    """The forecast's lines as ForecastLine columns, in the result's order."""
    seasonal = "level" in merged.columns

    def optional(name: str, default: Any) -> Any:
        return merged[name] if seasonal else default

    return pd.DataFrame(
        {
            "run_id": run.pk,
            "position": range(1, len(merged) + 1),
            "product_id": merged["product_id"].astype("Int64"),
            "sku": merged["sku"].astype(str),
            "product_name": [_text(v)[:255] for v in merged["product_name"]],
            "category": [_text(v) for v in merged["category"]],
            "source": merged["source"].astype(str),
            "window_units": merged["window_units"].astype("int64"),
            "avg_weekly": merged["avg_weekly"].astype("float64").round(6),
            "proxy_skus": merged["proxy_skus"].astype("Int64"),
            "cd_stock": merged["cd_stock"].astype("int64"),
            "store_stock": merged["store_stock"].astype("int64"),
            "coverage_units": merged["coverage_units"].astype("int64"),
            "purchase_qty": merged["purchase_qty"].astype("int64"),
            "history": merged["history"],
            "note": merged["note"].astype(str),
            "level": optional("level", None),
            "alpha": optional("alpha", None),
            "season_factor": optional("season_factor", None),
            "forecast_units": optional("forecast_units", None),
            "on_hand": merged["on_hand"].astype("int64"),
            "reserved": merged["reserved"].astype("int64"),
            "in_transit": merged["in_transit"].astype("int64"),
            "available": merged["available"].astype("int64"),
            "end_of_life": optional("end_of_life", False),
            "unflagged_qty": optional("unflagged_qty", merged["purchase_qty"].astype("int64")),
        }
    )


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def backtest_to_json(result: engine.BacktestResult) -> dict[str, Any]:
    """The backtest as plain JSON for ForecastRun.backtest (NaN → None)."""

    def clean(value: Any) -> Any:
        if value is None or (isinstance(value, float) and pd.isna(value)):
            return None
        if hasattr(value, "item"):
            value = value.item()
        return value

    methods = [{k: clean(v) for k, v in row.items()} for row in result.summary.to_dict("records")]
    weekly = {
        column: [clean(v) for v in result.weekly[column].tolist()]
        for column in result.weekly.columns
        if column != "week_start"
    }
    return {
        "target_weeks": [w.isoformat() for w in result.target_weeks],
        "methods": methods,
        "weekly": weekly,
        "best": result.best,
    }


def audit_name(run: ForecastRun) -> Message:
    """The run as the audit names it, shown in the viewer's language."""
    if run.scope == ForecastRun.Scope.CATEGORY:
        return msg("forecast.audit_category", id=run.pk, category=run.category)
    if run.input_name:
        return msg("forecast.audit_list", id=run.pk, name=run.input_name)
    return msg("forecast.audit_sku_list", id=run.pk)


def run_summary(run: ForecastRun) -> dict[str, Any]:
    return {
        "skus": run.sku_count,
        "macro": run.macro_count,
        "category_proxy": run.proxy_count,
        "no_history": run.no_history_count,
        "purchase_units": run.purchase_units,
        "method": run.method,
        "end_of_life": run.eol_count,
    }


EXPORT_COLUMNS = [
    "sku",
    "product_name",
    "category",
    "avg_weekly",
    "cd_stock",
    "store_stock",
    "purchase_qty",
    "source",
    "coverage_weeks",
    "coverage_units",
    "window_units",
    "weeks",
    "as_of_week",
    "proxy_skus",
    "note",
    "method",
    "end_of_life",
    "unflagged_qty",
    "on_hand",
    "reserved",
    "in_transit",
    "available",
    "level",
    "alpha",
    "season_factor",
    "forecast_units",
]


# Columns of the run, not of a line: filled in from the run after the lines are read.
RUN_COLUMNS = frozenset({"coverage_weeks", "weeks", "as_of_week", "method"})


def forecast_export_info(run: ForecastRun) -> list[tuple]:
    """The XLSX "parametros" sheet of a forecast: scope, window, parameters, summary."""
    head = {
        "forecast_id": run.pk,
        "scope": run.scope,
        "category": run.category,
        "stores": ", ".join(run.store_names) or "all",
        "weeks": run.weeks,
        "coverage_weeks": run.coverage_weeks,
        "as_of_week": run.as_of_week,
        "window_start": run.window_start,
        "method": run.method,
        "eol_weeks": run.eol_weeks,
    }
    return export_info(head, {}, run_summary(run))


def forecast_export_frame(run: ForecastRun) -> pd.DataFrame:
    """The export of a run: SPEC §9 columns first, then the inputs behind each number."""
    stored = [c for c in EXPORT_COLUMNS if c not in RUN_COLUMNS]
    rows = run.lines.order_by("position").values_list(*stored)
    frame = pd.DataFrame(list(rows.iterator(chunk_size=5000)), columns=stored)
    frame["method"] = run.method
    for column in ("level", "season_factor", "forecast_units"):
        frame[column] = frame[column].astype("float64").round(4)
    frame["avg_weekly"] = frame["avg_weekly"].astype("float64").round(4)
    frame["proxy_skus"] = frame["proxy_skus"].astype("Int64")
    frame["coverage_weeks"] = run.coverage_weeks
    frame["weeks"] = run.weeks
    frame["as_of_week"] = run.as_of_week.isoformat()
    return frame[EXPORT_COLUMNS]


def forecast_export_record(*, run: ForecastRun, user: Any, fmt: str, rows: int) -> None:
    details = {"format": fmt, "rows": rows}
    audit_record(user=user, action="export", obj=run, object_repr=audit_name(run), details=details)
