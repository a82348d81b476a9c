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
import time
from collections.abc import Callable, Sequence
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


# ---------------------------------------------------------------------------
# v3: seasonal forecast (SPEC v3 §6, `method = seasonal`) and its evaluation.
#
# Everything below works on a dense SKU × week matrix (numpy), oldest week
# first, the last column being the as-of week; a loop runs over weeks, α
# values, origins or categories, never over SKUs.
# ---------------------------------------------------------------------------

SEASONAL = "seasonal"
SMA = "sma"
METHODS = (SEASONAL, SMA)
END_OF_LIFE = "END_OF_LIFE"

SEASON_WEEKS = 52
SEASON_HISTORY = 104  # weeks of category history the index reads
SEASON_MIN_HISTORY = 52  # fewer weeks of category history: S = 1
SEASON_CLAMP = (0.2, 5.0)
ALPHAS: tuple[float, ...] = (0.1, 0.2, 0.3, 0.5)
SEASONAL_WEEKS = 26  # default history window (`weeks`) of the seasonal method
EOL_WEEKS = 8
INIT_WEEKS = 4  # the SES level starts at the mean of a SKU's first 4 deseasonalised weeks


def week_of_year(weeks: Sequence[dt.date]) -> np.ndarray:
    """ISO week number of each Monday, 1..52: the 53rd ISO week maps to 52."""
    return np.array([min(w.isocalendar()[1], SEASON_WEEKS) for w in weeks], dtype=np.int64)


def future_weeks(as_of_week: dt.date, horizon: int) -> list[dt.date]:
    """The `horizon` Mondays after the as-of week."""
    return [as_of_week + dt.timedelta(weeks=h) for h in range(1, horizon + 1)]


def seasonal_index(
    series: np.ndarray,
    weeks_of_year: np.ndarray,
    *,
    min_history: int = SEASON_MIN_HISTORY,
    clamp: tuple[float, float] = SEASON_CLAMP,
) -> np.ndarray:
    """Seasonal index S[row, week_of_year − 1] of each row of `series` (categories × weeks).

    Per row, on its last `SEASON_HISTORY` weeks from its first week with units:
    each week's units ÷ its 52-week moving average (centred: the 26 weeks before
    and 25 after; near the ends, the nearest complete 52-week window), averaged
    over the years available for each week of the year (ISO week 53 → 52),
    smoothed over ±1 week (circular: week 52 neighbours week 1), normalised to
    mean 1 and clamped to `clamp`. A row with fewer than `min_history` weeks
    from its first sale to the end gets S = 1.
    """
    series = np.asarray(series, dtype="float64")
    if series.ndim != 2:
        raise ValueError("series must be a 2-D array (rows × weeks)")
    rows, n = series.shape
    out = np.ones((rows, SEASON_WEEKS))
    if n < min_history or rows == 0:
        return out
    y = np.clip(series[:, -SEASON_HISTORY:], 0, None)
    woy = np.asarray(weeks_of_year)[-SEASON_HISTORY:]
    n = y.shape[1]
    sold = y > 0
    first = np.where(sold.any(axis=1), sold.argmax(axis=1), n)
    eligible = (n - first) >= max(min_history, SEASON_WEEKS)
    if not eligible.any():
        return out
    cumulative = np.concatenate([np.zeros((rows, 1)), np.cumsum(y, axis=1)], axis=1)
    t = np.arange(n)[None, :]
    start = np.clip(t - SEASON_WEEKS // 2, first[:, None], n - SEASON_WEEKS)
    start = np.clip(start, 0, max(n - SEASON_WEEKS, 0))
    moving = (
        np.take_along_axis(cumulative, start + SEASON_WEEKS, axis=1) - np.take_along_axis(cumulative, start, axis=1)
    ) / SEASON_WEEKS
    valid = eligible[:, None] & (t >= first[:, None]) & (moving > 0)
    ratio = np.where(valid, y / np.where(moving > 0, moving, 1.0), 0.0)
    onehot = np.zeros((n, SEASON_WEEKS))
    onehot[np.arange(n), woy - 1] = 1.0
    sums = ratio @ onehot
    counts = valid.astype("float64") @ onehot
    with np.errstate(invalid="ignore", divide="ignore"):
        raw = np.where(counts > 0, sums / np.where(counts > 0, counts, 1.0), np.nan)
    stacked = np.stack([np.roll(raw, 1, axis=1), raw, np.roll(raw, -1, axis=1)])
    present = ~np.isnan(stacked)
    smooth_count = present.sum(axis=0)
    smooth_sum = np.where(present, stacked, 0.0).sum(axis=0)
    smooth = np.where(smooth_count > 0, smooth_sum / np.maximum(smooth_count, 1), np.nan)
    known = ~np.isnan(smooth)
    mean = np.where(known, smooth, 0.0).sum(axis=1, keepdims=True) / np.maximum(known.sum(axis=1, keepdims=True), 1)
    index = np.where(known, smooth / np.where(mean > 0, mean, 1.0), 1.0)
    index = np.clip(index, clamp[0], clamp[1])
    out[eligible] = index[eligible]
    return out


def promoted_replaced(units: np.ndarray, promoted: np.ndarray | None) -> np.ndarray:
    """`units` with each promoted week replaced by the row's mean over its
    non-promoted weeks (SPEC §4.6); a row promoted every week is left as it is."""
    if promoted is None:
        return units
    promoted = np.asarray(promoted, dtype=bool)
    plain = ~promoted
    count = plain.sum(axis=1, keepdims=True)
    rate = np.where(plain, units, 0.0).sum(axis=1, keepdims=True) / np.maximum(count, 1)
    return np.where(promoted & (count > 0), rate, units)


@dataclass(frozen=True)
class SesFit:
    level: np.ndarray  # (n,) the deseasonalised level after the last week (0 when nothing sold)
    alpha: np.ndarray  # (n,) the chosen α (NaN when the row never sold)
    sse: np.ndarray  # (n, len(alphas)) one-step squared error of each α on the original scale


def ses_fit(
    units: np.ndarray,
    factors: np.ndarray,
    alphas: Sequence[float] = ALPHAS,
) -> SesFit:
    """Simple exponential smoothing of `units / factors`, α chosen per row.

    units    (n, W) weekly units of the history window
    factors  (n, W) the seasonal factor of each of those weeks (1 = none)

    Each row starts at its first week with units ≠ 0 (weeks before it are not
    sales of the item yet): the level begins at the mean of its first
    `INIT_WEEKS` deseasonalised weeks; then `level = α·d_t + (1 − α)·level`.
    The one-step forecast of week t is `level_{t−1} × factor_t`; α is the one
    of `alphas` with the least sum of squared one-step errors (ties: the
    smallest α). Rows that never sold get level 0.
    """
    y = np.asarray(units, dtype="float64")
    s = np.asarray(factors, dtype="float64")
    n, width = y.shape
    a = np.asarray(alphas, dtype="float64")[None, :]
    if width == 0 or n == 0:
        return SesFit(np.zeros(n), np.full(n, np.nan), np.zeros((n, a.shape[1])))
    d = y / s
    sold = y != 0
    has = sold.any(axis=1)
    first = np.where(has, sold.argmax(axis=1), width)
    cumulative = np.concatenate([np.zeros((n, 1)), np.cumsum(d, axis=1)], axis=1)
    begin = np.minimum(first, width)
    end = np.minimum(begin + INIT_WEEKS, width)
    span = np.maximum(end - begin, 1)
    init = (cumulative[np.arange(n), end] - cumulative[np.arange(n), begin]) / span
    level = np.repeat(np.where(has, init, 0.0)[:, None], a.shape[1], axis=1)
    sse = np.zeros_like(level)
    for t in range(width):
        started = (has & (t >= first))[:, None]
        error = y[:, t, None] - level * s[:, t, None]
        sse += np.where(started, error * error, 0.0)
        level = np.where(started, a * d[:, t, None] + (1 - a) * level, level)
    best = sse.argmin(axis=1)
    rows = np.arange(n)
    chosen = np.where(has, a[0, best], np.nan)
    return SesFit(level=np.clip(level[rows, best], 0, None), alpha=chosen, sse=sse)


@dataclass(frozen=True)
class SeasonalFit:
    """What `seasonal_fit` found: the forecast and the numbers behind it."""

    forecast: np.ndarray  # (n_sku, horizon) units per future week
    level: np.ndarray  # (n_sku,) deseasonalised level
    alpha: np.ndarray  # (n_sku,) chosen α (NaN: never sold in the window)
    index: np.ndarray  # (n_categories, 52) seasonal index per category
    future_factors: np.ndarray  # (n_sku, horizon) S of each future week


def _category_sums(units: np.ndarray, codes: np.ndarray, n_categories: int) -> np.ndarray:
    """(n_categories, W): the SKU rows summed per category code (−1 = none, left out)."""
    out = np.zeros((n_categories, units.shape[1]))
    known = codes >= 0
    if known.any():
        np.add.at(out, codes[known], units[known])
    return out


def seasonal_fit(
    units: np.ndarray,
    week_starts: Sequence[dt.date],
    horizon: int,
    *,
    category_codes: np.ndarray | None = None,
    category_units: np.ndarray | None = None,
    window: int = SEASONAL_WEEKS,
    promoted: np.ndarray | None = None,
    alphas: Sequence[float] = ALPHAS,
) -> SeasonalFit:
    """The seasonal forecast of every row of `units` (see `seasonal_forecast`)."""
    y = np.asarray(units, dtype="float64")
    n, width = y.shape
    weeks = list(week_starts)
    if len(weeks) != width:
        raise ValueError("week_starts must name every column of units")
    if horizon < 1:
        raise ValueError("horizon must be at least 1")
    if window < 1:
        raise ValueError("window must be at least 1")
    codes = np.full(n, -1, dtype=np.int64) if category_codes is None else np.asarray(category_codes, dtype=np.int64)
    n_categories = int(codes.max()) + 1 if n and codes.max() >= 0 else 0
    if category_units is None:
        category_units = _category_sums(y, codes, n_categories)
    category_units = np.asarray(category_units, dtype="float64")
    if category_units.shape[0] < n_categories:
        raise ValueError("category_units needs one row per category code")
    woy = week_of_year(weeks)
    index = seasonal_index(category_units, woy) if category_units.size else np.ones((0, SEASON_WEEKS))
    padded = np.vstack([index, np.ones((1, SEASON_WEEKS))])  # code −1 → the last row: S = 1
    take = np.where(codes >= 0, codes, padded.shape[0] - 1)

    width_used = min(window, width)
    recent = y[:, width - width_used :]
    if promoted is not None:
        recent = promoted_replaced(recent, np.asarray(promoted, dtype=bool)[:, width - width_used :])
    past_factors = padded[take][:, woy[width - width_used :] - 1]
    ses = ses_fit(recent, past_factors, alphas)
    last = weeks[-1] if weeks else dt.date.today()
    ahead = week_of_year(future_weeks(last, horizon))
    future_factors = padded[take][:, ahead - 1]
    forecast = ses.level[:, None] * future_factors
    return SeasonalFit(forecast=forecast, level=ses.level, alpha=ses.alpha, index=index, future_factors=future_factors)


def seasonal_forecast(
    units: np.ndarray,
    week_starts: Sequence[dt.date],
    horizon: int,
    *,
    category_codes: np.ndarray | None = None,
    category_units: np.ndarray | None = None,
    window: int = SEASONAL_WEEKS,
    promoted: np.ndarray | None = None,
    store_stock: np.ndarray | None = None,
    eol_weeks: int = EOL_WEEKS,
) -> np.ndarray:
    """Forecast matrix (n_sku × horizon) of the seasonal method (SPEC v3 §6).

    units           (n_sku, n_weeks) weekly units, oldest first; the last
                    column is the as-of week. Up to 104 weeks are read for the
                    seasonal index, the last `window` for the level.
    week_starts     the Monday of each column
    horizon         weeks ahead (coverage weeks); column h − 1 is as-of + h weeks
    category_codes  (n_sku,) int, the row of `category_units` of each SKU's
                    category; −1 = no category (S = 1)
    category_units  (n_categories, n_weeks) the categories' own weekly units
                    (every SKU of the category, not only these rows); default:
                    the rows of `units` summed per code
    window          SES history window (default 26)
    promoted        (n_sku, n_weeks) bool, promoted SKU-weeks: replaced by the
                    SKU's non-promoted mean over the window before smoothing

    store_stock     (n_sku,) units the stores hold: when given, END_OF_LIFE
                    rows (`end_of_life` over the history) forecast 0
    eol_weeks       weeks without sales that make a stocked SKU end of life

    `f(t + h) = level × S(category, week of t + h)`, where `level` is the SES
    level of `units / S` with α per SKU from {0.1, 0.2, 0.3, 0.5}. Pure
    numpy, no look-ahead (only the columns given are read): the replay can
    call it week by week to order for the CD, e.g.
    `need = seasonal_forecast(units[:, :t + 1], weeks[:t + 1], lead + review,
    category_codes=codes, store_stock=stock).sum(axis=1)`.
    """
    forecast = seasonal_fit(
        units,
        week_starts,
        horizon,
        category_codes=category_codes,
        category_units=category_units,
        window=window,
        promoted=promoted,
    ).forecast
    if store_stock is not None:
        forecast[end_of_life(np.asarray(units)[:, -SEASON_HISTORY:], store_stock, eol_weeks)] = 0.0
    return forecast


def end_of_life(units: np.ndarray, store_stock: np.ndarray, eol_weeks: int = EOL_WEEKS) -> np.ndarray:
    """(n_sku,) bool: sold in the window (some week > 0) but in none of its last
    `eol_weeks` weeks, while the stores hold stock (> 0). `eol_weeks` ≤ 0: never."""
    y = np.asarray(units, dtype="float64")
    if eol_weeks <= 0 or y.shape[1] <= eol_weeks:
        return np.zeros(y.shape[0], dtype=bool)
    sold = (y > 0).any(axis=1)
    quiet = ~(y[:, -eol_weeks:] > 0).any(axis=1)
    return sold & quiet & (np.asarray(store_stock, dtype="float64") > 0)


SEASONAL_COLUMNS = [
    *RESULT_COLUMNS,
    "level",
    "alpha",
    "season_factor",
    "forecast_units",
    "reserved",
    "in_transit",
    "end_of_life",
    "unflagged_qty",
]


@dataclass(frozen=True)
class SeasonalParams:
    """Parameters of `method = seasonal` (SPEC v3 §6)."""

    weeks: int = SEASONAL_WEEKS
    coverage_weeks: int = 4
    eol_weeks: int = EOL_WEEKS  # 0: no end-of-life flag
    eol_override: frozenset[str] = frozenset()  # flagged SKUs the planner buys anyway

    def __post_init__(self) -> None:
        if self.weeks < 1:
            raise ValueError("weeks must be at least 1")
        if self.coverage_weeks < 1:
            raise ValueError("coverage_weeks must be at least 1")
        if self.eol_weeks < 0:
            raise ValueError("eol_weeks must not be negative")


def category_codes(categories: Sequence[str | None]) -> tuple[np.ndarray, list[str]]:
    """(code per entry, −1 for none; the category names in code order)."""
    names: dict[str, int] = {}
    codes = np.full(len(categories), -1, dtype=np.int64)
    for i, category in enumerate(categories):
        if isinstance(category, str) and category:
            codes[i] = names.setdefault(category, len(names))
    return codes, list(names)


def week_matrix(frame: pd.DataFrame, key: str, keys: Sequence[str], weeks: Sequence[dt.date]) -> np.ndarray:
    """Dense keys × weeks matrix of `units` from DataFrame[key, week_start, units] (0 where absent)."""
    if frame is None or frame.empty or not len(keys):
        return np.zeros((len(keys), len(weeks)))
    table = frame.assign(**{key: frame[key].astype(str)}).pivot_table(
        index=key, columns="week_start", values="units", aggfunc="sum", fill_value=0
    )
    table = table.reindex(index=list(keys), columns=list(weeks), fill_value=0).fillna(0)
    return table.to_numpy(dtype="float64")


def seasonal_purchase_forecast(
    scope: pd.DataFrame,
    sales: pd.DataFrame,
    category_weekly: pd.DataFrame,
    category_units: pd.DataFrame,
    cd_stock: pd.DataFrame,
    store_stock: pd.DataFrame,
    history_weeks: Sequence[dt.date],
    params: SeasonalParams,
    promoted: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """The seasonal purchase forecast of every SKU in `scope`, in scope order.

    scope           DataFrame[sku, category]
    sales           DataFrame[sku, week_start, units] at the selected stores
    category_weekly DataFrame[category, week_start, units]: every SKU of each
                    category, per week, at the selected stores (seasonal index)
    category_units  DataFrame[category, sku, units] over the `weeks` window (proxy)
    cd_stock        DataFrame[sku, units(, reserved)]: CD units available
                    (snapshot − reserved by open runs) and what is reserved
    store_stock     DataFrame[sku, units(, in_transit)]: selected stores'
                    snapshot, and units in transit to them (or moved by plans)
    history_weeks   Mondays, oldest first, ending at the as-of week (≥ weeks; 104 for a full index)
    promoted        DataFrame[sku, week_start] of promoted SKU-weeks (optional)

    Per SKU: source as V2 over the `weeks` window (MACRO: has rows; else
    CATEGORY_PROXY; else NO_HISTORY); forecast = level × S over the next
    `coverage_weeks` (proxy SKUs: the proxy rate deseasonalised by the
    window's mean S); `purchase = max(ceil(round(Σ f, 6)) − cd − stores −
    in transit, 0)`; END_OF_LIFE SKUs (see `end_of_life`) buy 0 unless in
    `params.eol_override` (`unflagged_qty` keeps what they would buy).
    """
    weeks = list(history_weeks)
    if len(weeks) < params.weeks:
        raise ValueError("history_weeks must cover at least params.weeks weeks")
    skus = scope["sku"].astype(str).tolist()
    categories = scope["category"] if "category" in scope.columns else pd.Series([None] * len(scope))
    category_list = [c.strip() if isinstance(c, str) and c.strip() else None for c in categories]
    codes, names = category_codes(category_list)
    units = week_matrix(sales, "sku", skus, weeks)
    cat_matrix = week_matrix(category_weekly, "category", names, weeks) if names else np.zeros((0, len(weeks)))
    promo = None
    if promoted is not None and not promoted.empty:
        promo = week_matrix(promoted.assign(units=1), "sku", skus, weeks) > 0
    fit = seasonal_fit(
        units,
        weeks,
        params.coverage_weeks,
        category_codes=codes,
        category_units=cat_matrix,
        window=params.weeks,
        promoted=promo,
    )
    window = weeks[-params.weeks :]
    window_set = set(window)
    in_window = sales[sales["week_start"].isin(window_set)] if not sales.empty else sales
    with_rows = set(in_window["sku"].astype(str)) if not in_window.empty else set()
    earlier = set(sales["sku"].astype(str)) if not sales.empty else set()
    sku_series = pd.Series(skus, dtype="object")
    # A SKU with rows earlier in the history but none in the window is not new:
    # it stopped selling (level 0, MACRO), it does not take the category proxy.
    has_rows = sku_series.isin(with_rows | earlier).to_numpy(dtype=bool)
    recent = units[:, -params.weeks :]
    window_units = recent.sum(axis=1)

    proxy_avg: dict[str, float] = {}
    proxy_count: dict[str, int] = {}
    if category_units is not None and not category_units.empty:
        per_sku = category_units.groupby(["category", "sku"])["units"].sum().reset_index()
        totals = per_sku.groupby("category")["units"].sum()
        selling = per_sku[per_sku["units"] > 0].groupby("category")["sku"].nunique()
        for category, count in selling.items():
            proxy_count[str(category)] = int(count)
            proxy_avg[str(category)] = max(float(totals[category]) / count / params.weeks, 0.0)

    padded = np.vstack([fit.index, np.ones((1, SEASON_WEEKS))])
    take = np.where(codes >= 0, codes, padded.shape[0] - 1)
    window_mean_s = padded[take][:, week_of_year(window) - 1].mean(axis=1)
    proxy_rate = np.array([proxy_avg.get(c, np.nan) if c else np.nan for c in category_list], dtype="float64")
    is_proxy = ~has_rows & ~np.isnan(proxy_rate)
    level = np.where(has_rows, fit.level, np.where(is_proxy, proxy_rate / np.maximum(window_mean_s, 1e-9), np.nan))
    forecast = level[:, None] * fit.future_factors
    total = forecast.sum(axis=1)

    cd = _by_sku(cd_stock)
    reserved = _by_sku(cd_stock, "reserved") if "reserved" in cd_stock.columns else pd.Series(dtype="int64")
    shops = _by_sku(store_stock)
    transit = _by_sku(store_stock, "in_transit") if "in_transit" in store_stock.columns else pd.Series(dtype="int64")
    out = pd.DataFrame({"sku": skus})
    out["category"] = pd.Series(category_list, dtype="object")
    out["source"] = np.where(has_rows, MACRO, np.where(is_proxy, CATEGORY_PROXY, NO_HISTORY))
    out["window_units"] = window_units.round().astype("int64")
    out["avg_weekly"] = np.where(np.isnan(level), np.nan, total / params.coverage_weeks)
    out["proxy_skus"] = pd.Series(
        [proxy_count.get(c) if p and c else None for c, p in zip(category_list, is_proxy, strict=True)], dtype="Int64"
    )
    out["cd_stock"] = out["sku"].map(cd).fillna(0).astype("int64")
    out["store_stock"] = out["sku"].map(shops).fillna(0).astype("int64")
    out["reserved"] = out["sku"].map(reserved).fillna(0).astype("int64")
    out["in_transit"] = out["sku"].map(transit).fillna(0).astype("int64")
    cover = np.where(np.isnan(total), 0, np.ceil(np.round(np.nan_to_num(total), 6))).clip(0).astype("int64")
    out["coverage_units"] = cover
    position = out["cd_stock"] + out["store_stock"] + out["in_transit"]
    unflagged = (out["coverage_units"] - position).clip(lower=0)
    unflagged[out["source"] == NO_HISTORY] = 0
    eol = end_of_life(units, (out["store_stock"] + out["in_transit"]).to_numpy(), params.eol_weeks) & has_rows
    out["end_of_life"] = eol
    out["unflagged_qty"] = unflagged.astype("int64")
    override = out["sku"].isin(params.eol_override).to_numpy()
    out["purchase_qty"] = np.where(eol & ~override, 0, unflagged).astype("int64")
    out["history"] = recent.round().astype("int64").tolist()
    notes = np.where(
        eol,
        END_OF_LIFE,
        np.where(
            has_rows & (window_units <= 0),
            NET_SALES_NOT_POSITIVE,
            np.where(
                out["source"] == NO_HISTORY,
                np.where([c is None for c in category_list], NO_CATEGORY, NO_CATEGORY_SALES),
                "",
            ),
        ),
    )
    out["note"] = notes if len(out) else pd.Series([], dtype="object")
    out["level"] = level
    out["alpha"] = np.where(has_rows, fit.alpha, np.nan)
    out["season_factor"] = fit.future_factors.mean(axis=1) if len(out) else np.zeros(0)
    out["forecast_units"] = np.where(np.isnan(total), np.nan, total)
    return out[SEASONAL_COLUMNS]


# ---------------------------------------------------------------------------
# Evaluation: rolling-origin backtest of naive, seasonal naive, sma, seasonal
# ---------------------------------------------------------------------------

NAIVE = "naive"
SEASONAL_NAIVE = "seasonal_naive"
AUTOETS = "autoets"
EVAL_METHODS = (NAIVE, SEASONAL_NAIVE, SMA, SEASONAL)
EVAL_ORIGINS = 13
EVAL_COLUMNS = ["level", "key", "method", "wape", "bias", "mase", "n"]
ALL = "ALL"

# A method the evaluation can add: (history matrix up to and including the
# origin week, its Mondays, horizon) → (n_sku, horizon) forecast (NaN = not made).
ExtraMethod = Callable[[np.ndarray, list[dt.date], int], np.ndarray]


@dataclass(frozen=True)
class EvalParams:
    horizon: int = 4  # coverage_weeks
    origins: int = EVAL_ORIGINS
    sma_weeks: int = 12  # the V2 window
    seasonal_weeks: int = SEASONAL_WEEKS
    scale_weeks: int = 52  # weeks before the first origin that scale MASE

    def __post_init__(self) -> None:
        if self.horizon < 1 or self.origins < 1:
            raise ValueError("horizon and origins must be at least 1")


@dataclass
class EvalResult:
    table: pd.DataFrame  # EVAL_COLUMNS (+ category for level sku): sku, category, category_sku and ALL rows
    winners: dict[str, str]  # category → method with the least SKU-level WAPE there
    origin_weeks: list[dt.date] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)  # time per method


def _metrics(actual: np.ndarray, forecast: np.ndarray, scale: np.ndarray, axis: int = 1) -> dict[str, np.ndarray]:
    """WAPE, bias, MASE and n along `axis` (origins) of series × origins arrays; NaN forecasts are skipped."""
    made = ~np.isnan(forecast)
    a = np.where(made, actual, 0.0)
    f = np.where(made, forecast, 0.0)
    abs_err = np.abs(a - f).sum(axis=axis)
    abs_act = np.abs(a).sum(axis=axis)
    signed = (f - a).sum(axis=axis)
    n = made.sum(axis=axis)
    with np.errstate(invalid="ignore", divide="ignore"):
        wape = np.where(abs_act > 0, abs_err / abs_act, np.nan)
        bias = np.where(abs_act > 0, signed / abs_act, np.nan)
        mase = np.where((scale > 0) & (n > 0), abs_err / np.maximum(n, 1) / scale, np.nan)
    return {"wape": wape, "bias": bias, "mase": mase, "n": n, "abs_err": abs_err, "abs_act": abs_act, "signed": signed}


def _naive_scale(history: np.ndarray, horizon: int) -> np.ndarray:
    """horizon × mean |y_t − y_{t−1}| of each row (the one-week naive's in-sample error over a horizon total)."""
    if history.shape[1] < 2:
        return np.zeros(history.shape[0])
    return horizon * np.abs(np.diff(history, axis=1)).mean(axis=1)


def forecast_evaluation(
    units: np.ndarray,
    week_starts: Sequence[dt.date],
    skus: Sequence[str],
    categories: Sequence[str | None],
    params: EvalParams,
    *,
    category_units: np.ndarray | None = None,
    category_names: Sequence[str] | None = None,
    extra: dict[str, ExtraMethod] | None = None,
    clock: Callable[[], float] | None = None,
) -> EvalResult:
    """Rolling-origin backtest (SPEC v3 §6): each of the last `origins` weeks
    whose horizon is observed is an origin; each method forecasts the next
    `horizon` weeks from the history up to it, and is scored on the horizon
    total against what sold.

    Methods: naive (the origin week × horizon), seasonal naive (the same weeks
    52 weeks earlier; not made without them), sma (V2: mean of the last
    `sma_weeks` weeks × horizon), seasonal (`seasonal_fit`), and any `extra`.
    WAPE = Σ|A − F| / Σ|A|, bias = Σ(F − A) / Σ|A| (positive: over-forecast),
    MASE = mean |A − F| ÷ (horizon × mean one-week naive error over the
    `scale_weeks` before the first origin); n = series × origins scored.
    Levels: `sku` (each SKU), `category_sku` (the SKU-level errors pooled per
    category: what the purchase decision feels), `category` (the category's
    total), and key ALL for each level pooled.
    `category_units` (optional, rows named by `category_names`) are the
    categories' own weekly units for the seasonal index; default: the SKUs'.
    """
    clock = clock or time.perf_counter
    y = np.asarray(units, dtype="float64")
    weeks = list(week_starts)
    n_sku, width = y.shape
    h = params.horizon
    last_origin = width - 1 - h
    first_origin = max(last_origin - params.origins + 1, 1)
    origins = list(range(first_origin, last_origin + 1)) if last_origin >= 1 else []
    codes, names = category_codes(list(categories))
    cat_matrix = _category_sums(y, codes, len(names))
    if category_units is not None and category_names is not None:
        given = {str(c): i for i, c in enumerate(category_names)}
        rows = [given.get(c) for c in names]
        provided = np.asarray(category_units, dtype="float64")
        cat_matrix = (
            np.vstack([provided[r] if r is not None else cat_matrix[i] for i, r in enumerate(rows)])
            if names
            else cat_matrix
        )
    methods: list[str] = [*EVAL_METHODS, *(extra or {})]
    n_o = len(origins)
    actual = np.zeros((n_sku, n_o))
    forecasts = {m: np.full((n_sku, n_o), np.nan) for m in methods}
    seconds = dict.fromkeys(methods, 0.0)
    for j, o in enumerate(origins):
        actual[:, j] = y[:, o + 1 : o + 1 + h].sum(axis=1)
        history = y[:, : o + 1]
        started = clock()
        forecasts[NAIVE][:, j] = h * history[:, -1]
        seconds[NAIVE] += clock() - started
        started = clock()
        if o + h - SEASON_WEEKS >= 0 and o + 1 - SEASON_WEEKS >= 0:
            forecasts[SEASONAL_NAIVE][:, j] = y[:, o + 1 - SEASON_WEEKS : o + 1 - SEASON_WEEKS + h].sum(axis=1)
        seconds[SEASONAL_NAIVE] += clock() - started
        started = clock()
        k = min(params.sma_weeks, o + 1)
        forecasts[SMA][:, j] = np.clip(history[:, -k:].sum(axis=1) / params.sma_weeks, 0, None) * h
        seconds[SMA] += clock() - started
        started = clock()
        fit = seasonal_fit(
            history,
            weeks[: o + 1],
            h,
            category_codes=codes,
            category_units=cat_matrix[:, : o + 1],
            window=params.seasonal_weeks,
        )
        forecasts[SEASONAL][:, j] = fit.forecast.sum(axis=1)
        seconds[SEASONAL] += clock() - started
        for name, method in (extra or {}).items():
            started = clock()
            forecasts[name][:, j] = np.asarray(method(history, weeks[: o + 1], h), dtype="float64").sum(axis=1)
            seconds[name] += clock() - started

    scale_end = (origins[0] if origins else width) + 1
    scale_start = max(0, scale_end - params.scale_weeks)
    sku_scale = _naive_scale(y[:, scale_start:scale_end], h)
    cat_scale = _naive_scale(_category_sums(y, codes, len(names))[:, scale_start:scale_end], h)
    cat_actual = _category_sums(actual, codes, len(names))

    frames: list[pd.DataFrame] = []
    rows_out: list[dict[str, object]] = []
    sku_keys = np.asarray([str(s) for s in skus], dtype=object)
    sku_cats = np.asarray([c if isinstance(c, str) and c else "" for c in categories], dtype=object)
    winners_wape: dict[str, tuple[float, str]] = {}
    for m in methods:
        f = forecasts[m]
        per_sku = _metrics(actual, f, sku_scale)
        frames.append(
            pd.DataFrame(
                {
                    "level": "sku",
                    "key": sku_keys,
                    "method": m,
                    "wape": per_sku["wape"],
                    "bias": per_sku["bias"],
                    "mase": per_sku["mase"],
                    "n": per_sku["n"],
                    "category": sku_cats,
                }
            )
        )
        pooled = _pool(per_sku, codes, len(names))
        for c, name in enumerate(names):
            rows_out.append(_row("category_sku", name, m, pooled, c))
            wape = pooled["wape"][c]
            if not np.isnan(wape) and (name not in winners_wape or wape < winners_wape[name][0]):
                winners_wape[name] = (float(wape), m)
        rows_out.append(_row("sku", ALL, m, _pool(per_sku, np.zeros(n_sku, dtype=np.int64), 1), 0))
        cat_f = _category_sums(np.where(np.isnan(f), 0.0, f), codes, len(names))
        made = _category_sums((~np.isnan(f)).astype("float64"), codes, len(names)) > 0
        cat_f = np.where(made, cat_f, np.nan)
        per_cat = _metrics(cat_actual, cat_f, cat_scale)
        for c, name in enumerate(names):
            rows_out.append(_row("category", name, m, per_cat, c))
        rows_out.append(_row("category", ALL, m, _pool(per_cat, np.zeros(len(names), dtype=np.int64), 1), 0))
    summary = pd.DataFrame(rows_out, columns=[*EVAL_COLUMNS, "category"])
    table = pd.concat([summary, *frames], ignore_index=True)
    table["n"] = table["n"].astype("int64")
    return EvalResult(
        table=table,
        winners={k: v[1] for k, v in winners_wape.items()},
        origin_weeks=[weeks[o] for o in origins],
        seconds=seconds,
    )


def _pool(metrics: dict[str, np.ndarray], codes: np.ndarray, groups: int) -> dict[str, np.ndarray]:
    """Pool per-series sums into groups (codes −1 left out).

    WAPE and bias from the pooled sums; MASE as the mean of the series' MASE."""
    keep = codes >= 0

    def total(values: np.ndarray) -> np.ndarray:
        return np.bincount(codes[keep], weights=np.nan_to_num(values[keep].astype("float64")), minlength=groups)

    abs_err, abs_act, signed, n = (total(metrics[k]) for k in ("abs_err", "abs_act", "signed", "n"))
    mase = metrics["mase"][keep]
    has_mase = ~np.isnan(mase)
    mase_sum = np.bincount(codes[keep][has_mase], weights=mase[has_mase], minlength=groups)
    mase_n = np.bincount(codes[keep][has_mase], minlength=groups)
    with np.errstate(invalid="ignore", divide="ignore"):
        return {
            "wape": np.where(abs_act > 0, abs_err / abs_act, np.nan),
            "bias": np.where(abs_act > 0, signed / abs_act, np.nan),
            "mase": np.where(mase_n > 0, mase_sum / np.maximum(mase_n, 1), np.nan),
            "n": n,
        }


def _row(level: str, key: str, method: str, metrics: dict[str, np.ndarray], i: int) -> dict[str, object]:
    return {
        "level": level,
        "key": key,
        "method": method,
        "wape": float(metrics["wape"][i]),
        "bias": float(metrics["bias"][i]),
        "mase": float(metrics["mase"][i]),
        "n": int(metrics["n"][i]),
        "category": key if level != "sku" else "",
    }
