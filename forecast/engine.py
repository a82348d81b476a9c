"""Purchase forecast V2 (SPEC §6) and its backtest: pure calculations.

DataFrames and frozen parameters in, DataFrames out; nothing here touches the
database. `forecast/services.py` reads the macro layer and stock in bulk and
calls these functions.

Rules, per SKU, over the `weeks` weeks of the window (across the selected stores):

* MACRO — the SKU has at least one macro row (SalesWeeklyAgg) in the window
  at the selected stores. ``avg_weekly = window units / weeks``.
  A SKU whose rows in the window sum to ≤ 0 (returns cancelling sales, or rows
  of 0 units) still *has rows*: it stays MACRO, with ``avg_weekly`` clamped
  at 0. "No macro rows" means literally no row — so a SKU that has macro sales
  in the window can never be shown as "no history".
* CATEGORY_PROXY — no row in the window, the SKU has a category and that
  category sold in the window: ``avg_weekly = category units over the window /
  number of category SKUs whose window units sum to > 0 / weeks`` (≥ 0).
* NO_HISTORY — no row in the window and no category, or a category with no
  SKU selling in the window (the proxy would be 0/0). ``avg_weekly`` is
  unknown (NaN) and nothing is proposed for purchase.

``coverage_units = ceil(round(avg_weekly × coverage_weeks, 6))`` (rounding to
6 decimals first, so 29/7 × 7 = 29.000000000000004 gives 29, not 30), and
``purchase_qty = max(coverage_units − cd_stock − store_stock, 0)`` where
store_stock is the stock of the selected stores only.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

MACRO = "MACRO"
CATEGORY_PROXY = "CATEGORY_PROXY"
NO_HISTORY = "NO_HISTORY"
# Notes: why a SKU has no history, or why its MACRO average is 0.
NO_CATEGORY = "NO_CATEGORY"
NO_CATEGORY_SALES = "NO_CATEGORY_SALES"
NET_SALES_NOT_POSITIVE = "NET_SALES_NOT_POSITIVE"

RESULT_COLUMNS = [
    "sku",
    "category",
    "source",
    "window_units",
    "avg_weekly",
    "proxy_skus",
    "cd_stock",
    "store_stock",
    "coverage_units",
    "purchase_qty",
    "history",
    "note",
]


@dataclass(frozen=True)
class ForecastParams:
    weeks: int = 12
    coverage_weeks: int = 4

    def __post_init__(self) -> None:
        if self.weeks < 1:
            raise ValueError("weeks must be at least 1")
        if self.coverage_weeks < 1:
            raise ValueError("coverage_weeks must be at least 1")


def coverage_units(avg_weekly: float, coverage_weeks: float) -> int:
    """ceil(round(avg × coverage, 6)): exact multiples stay exact."""
    if avg_weekly is None or (isinstance(avg_weekly, float) and math.isnan(avg_weekly)):
        return 0
    return max(math.ceil(round(avg_weekly * coverage_weeks, 6)), 0)


def _by_sku(frame: pd.DataFrame | None, value: str = "units") -> pd.Series:
    if frame is None or frame.empty:
        return pd.Series(dtype="int64")
    return frame.groupby(frame["sku"].astype(str))[value].sum()


def purchase_forecast(
    scope: pd.DataFrame,
    sales: pd.DataFrame,
    category_units: pd.DataFrame,
    cd_stock: pd.DataFrame,
    store_stock: pd.DataFrame,
    window_weeks: Sequence[dt.date],
    params: ForecastParams,
) -> pd.DataFrame:
    """The forecast of every SKU in `scope`, in scope order.

    scope          DataFrame[sku, category]  (category None/NaN/"" = none)
    sales          DataFrame[sku, week_start, units] — macro rows (or their
                   per-week sums) at the selected stores; rows outside
                   `window_weeks` are ignored
    category_units DataFrame[category, sku, units] — units per SKU of the
                   category over the window at the selected stores
    cd_stock       DataFrame[sku, units]
    store_stock    DataFrame[sku, units] — stock at the selected stores (summed or per store)
    window_weeks   the `params.weeks` Mondays of the window, oldest first
    """
    weeks = list(window_weeks)
    if len(weeks) != params.weeks:
        raise ValueError("window_weeks must list exactly params.weeks Mondays")
    out = pd.DataFrame({"sku": scope["sku"].astype(str).to_numpy()})
    categories = scope["category"] if "category" in scope.columns else pd.Series([None] * len(scope))
    category_list = [c.strip() if isinstance(c, str) and c.strip() else None for c in categories]
    out["category"] = pd.Series(category_list, dtype="object")

    in_window = sales[sales["week_start"].isin(set(weeks))] if not sales.empty else sales
    has_rows = set(in_window["sku"].astype(str)) if not in_window.empty else set()
    window_units = _by_sku(in_window)
    out["window_units"] = out["sku"].map(window_units).fillna(0).astype("int64")

    # Category proxy: total units of the category / SKUs selling in it / weeks.
    proxy_avg: dict[str, float] = {}
    proxy_count: dict[str, int] = {}
    if category_units is not None and not category_units.empty:
        per_sku = category_units.groupby(["category", "sku"])["units"].sum().reset_index()
        totals = per_sku.groupby("category")["units"].sum()
        selling = per_sku[per_sku["units"] > 0].groupby("category")["sku"].nunique()
        for category, count in selling.items():
            proxy_count[category] = int(count)
            proxy_avg[category] = max(float(totals[category]) / count / params.weeks, 0.0)

    sources: list[str] = []
    avgs: list[float] = []
    counts: list[int | None] = []
    notes: list[str] = []
    for sku, category, units in zip(out["sku"], category_list, out["window_units"], strict=True):
        if sku in has_rows:
            sources.append(MACRO)
            avgs.append(max(units / params.weeks, 0.0))
            counts.append(None)
            notes.append("" if units > 0 else NET_SALES_NOT_POSITIVE)
        elif category is not None and category in proxy_avg:
            sources.append(CATEGORY_PROXY)
            avgs.append(proxy_avg[category])
            counts.append(proxy_count[category])
            notes.append("")
        else:
            sources.append(NO_HISTORY)
            avgs.append(float("nan"))
            counts.append(None)
            notes.append(NO_CATEGORY if category is None else NO_CATEGORY_SALES)
    out["source"] = sources
    out["avg_weekly"] = pd.Series(avgs, dtype="float64")
    out["proxy_skus"] = pd.Series(counts, dtype="Int64")
    out["cd_stock"] = out["sku"].map(_by_sku(cd_stock)).fillna(0).astype("int64")
    out["store_stock"] = out["sku"].map(_by_sku(store_stock)).fillna(0).astype("int64")
    out["coverage_units"] = [coverage_units(a, params.coverage_weeks) for a in out["avg_weekly"]]
    out["coverage_units"] = out["coverage_units"].astype("int64")
    out["purchase_qty"] = (out["coverage_units"] - out["cd_stock"] - out["store_stock"]).clip(lower=0)
    out.loc[out["source"] == NO_HISTORY, "purchase_qty"] = 0
    out["history"] = weekly_history(in_window, out["sku"], weeks)
    out["note"] = notes
    return out[RESULT_COLUMNS]


def weekly_history(sales: pd.DataFrame, skus: pd.Series, weeks: Sequence[dt.date]) -> list[list[int]]:
    """Units per week (oldest first, 0 for weeks without rows) for each SKU."""
    if sales.empty:
        return [[0] * len(weeks) for _ in range(len(skus))]
    matrix = _matrix(sales, list(skus), weeks)
    return matrix.astype("int64").tolist()


def _matrix(sales: pd.DataFrame, skus: list[str], weeks: Sequence[dt.date]) -> np.ndarray:
    """Dense SKUs × weeks matrix of units (0 where no row)."""
    if sales.empty or not skus:
        return np.zeros((len(skus), len(weeks)))
    table = sales.assign(sku=sales["sku"].astype(str)).pivot_table(
        index="sku", columns="week_start", values="units", aggfunc="sum", fill_value=0
    )
    table = table.reindex(index=skus, columns=list(weeks), fill_value=0).fillna(0)
    return table.to_numpy(dtype="float64")


# ---------------------------------------------------------------------------
# Backtest: which SMA window would have forecast this assortment best?
# ---------------------------------------------------------------------------

SMA_WINDOWS = (1, 2, 3, 4, 8, 12)


@dataclass(frozen=True)
class BacktestParams:
    horizon_weeks: int = 8
    windows: tuple[int, ...] = SMA_WINDOWS

    def __post_init__(self) -> None:
        if self.horizon_weeks < 1:
            raise ValueError("horizon_weeks must be at least 1")
        if not self.windows or min(self.windows) < 1:
            raise ValueError("windows must be positive")

    @property
    def history_weeks(self) -> int:
        """Weeks of history to read: the horizon plus the longest window before it."""
        return self.horizon_weeks + max(self.windows)


@dataclass
class BacktestResult:
    summary: pd.DataFrame  # method, window, weeks_evaluated, actual_units, forecast_units, abs_error, wape, bias
    weekly: pd.DataFrame  # week_start, actual, then one column per method (total forecast, NaN when not evaluable)
    best: str | None = None
    target_weeks: list[dt.date] = field(default_factory=list)


def backtest(
    sales: pd.DataFrame,
    weeks: Sequence[dt.date],
    params: BacktestParams,
    history_start: dt.date | None = None,
) -> BacktestResult:
    """Rolling one-week-ahead SMA forecasts over the last `horizon_weeks` weeks.

    sales          DataFrame[sku, week_start, units] — macro units per SKU and
                   week at the selected stores (weeks without rows are 0)
    weeks          every Monday of the history, oldest first (the last
                   `horizon_weeks` are the target weeks)
    history_start  the first week with data; a method is evaluated at a target
                   week only when its whole window lies on or after it (an SMA
                   over weeks before data existed would read zeros that are not
                   sales). Default: the first week with a row in `sales`.

    For SMA-k at target week t: forecast(sku, t) = max(mean(units of the k
    weeks before t), 0). Over all SKUs × evaluated weeks:
    WAPE = Σ|actual − forecast| / Σ|actual|, bias = Σ(forecast − actual) / Σ|actual|
    (positive bias = over-forecast). Both NaN when Σ|actual| = 0 or nothing was evaluated.
    `best` = lowest WAPE among the methods evaluated on the most weeks.
    """
    weeks = list(weeks)
    n_weeks = len(weeks)
    horizon = min(params.horizon_weeks, n_weeks)
    targets = list(range(n_weeks - horizon, n_weeks))
    skus = sorted(set(sales["sku"].astype(str))) if not sales.empty else []
    matrix = _matrix(sales, skus, weeks)
    if history_start is None:
        present = set(sales["week_start"]) if not sales.empty else set()
        history_index = next((i for i, w in enumerate(weeks) if w in present), n_weeks)
    else:
        history_index = next((i for i, w in enumerate(weeks) if w >= history_start), n_weeks)

    cumulative = np.concatenate([np.zeros((len(skus), 1)), np.cumsum(matrix, axis=1)], axis=1)
    rows = []
    weekly = pd.DataFrame({"week_start": [weeks[t] for t in targets]})
    weekly["actual"] = [float(matrix[:, t].sum()) for t in targets]
    for k in params.windows:
        method = f"SMA{k}"
        actual_sum = forecast_sum = abs_error = abs_actual = signed = 0.0
        evaluated = 0
        per_week: list[float] = []
        for t in targets:
            if t - k < history_index:
                per_week.append(float("nan"))
                continue
            forecast = np.clip((cumulative[:, t] - cumulative[:, t - k]) / k, 0, None)
            actual = matrix[:, t]
            evaluated += 1
            actual_sum += float(actual.sum())
            forecast_sum += float(forecast.sum())
            abs_error += float(np.abs(actual - forecast).sum())
            abs_actual += float(np.abs(actual).sum())
            signed += float((forecast - actual).sum())
            per_week.append(float(forecast.sum()))
        weekly[method] = per_week
        rows.append(
            {
                "method": method,
                "window": k,
                "weeks_evaluated": evaluated,
                "actual_units": actual_sum,
                "forecast_units": forecast_sum,
                "abs_error": abs_error,
                "wape": abs_error / abs_actual if evaluated and abs_actual else None,
                "bias": signed / abs_actual if evaluated and abs_actual else None,
            }
        )
    summary = pd.DataFrame(
        rows,
        columns=["method", "window", "weeks_evaluated", "actual_units", "forecast_units", "abs_error", "wape", "bias"],
    )
    return BacktestResult(summary=summary, weekly=weekly, best=_best(summary), target_weeks=[weeks[t] for t in targets])


def _best(summary: pd.DataFrame) -> str | None:
    """The lowest WAPE among the methods evaluated on the most weeks (ties: the shorter window)."""
    scored = summary[summary["wape"].notna()]
    if scored.empty:
        return None
    most = scored["weeks_evaluated"].max()
    candidates = scored[scored["weeks_evaluated"] == most]
    return str(candidates.sort_values(["wape", "window"]).iloc[0]["method"])
