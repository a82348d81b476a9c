"""The seasonal forecast of SPEC v3 §6 on hand-checkable series."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from benchmarks.forecast_synth import synthetic_sales
from forecast import engine
from forecast.engine import SeasonalParams

MONDAY = dt.date(2024, 12, 2)


def mondays(n: int, first: dt.date = MONDAY) -> list[dt.date]:
    return [first + dt.timedelta(weeks=i) for i in range(n)]


def frame(rows, columns):
    return pd.DataFrame(rows, columns=columns)


# --- week of year -------------------------------------------------------------------------


def test_the_53rd_iso_week_maps_to_52():
    # 2026 starts on a Thursday: it has 53 ISO weeks; 28 Dec 2026 is in week 53.
    assert dt.date(2026, 12, 28).isocalendar()[1] == 53
    weeks = [dt.date(2026, 12, 21), dt.date(2026, 12, 28), dt.date(2027, 1, 4)]
    assert engine.week_of_year(weeks).tolist() == [52, 52, 1]


def test_week_53_counts_towards_week_52_of_the_index():
    # 104 weeks ending in ISO week 53 of 2026; only that week sells 4×. Week 52
    # of the index averages 2025's week 52 (ratio ≈ 1) with 2026's weeks 52 and
    # 53 (≈ 1 and ≈ 4): ≈ 2; smoothed over ±1 week, weeks 51, 52 and 1 ≈ 4/3.
    weeks = mondays(104, dt.date(2025, 1, 6))
    assert weeks[-1] == dt.date(2026, 12, 28)
    series = np.where([w.isocalendar()[1] == 53 for w in weeks], 40.0, 10.0)[None, :]
    index = engine.seasonal_index(series, engine.week_of_year(weeks))[0]
    assert index[51] == pytest.approx(index[50], rel=0.02)
    assert index[51] == pytest.approx(index[0], rel=0.02)
    assert index[51] > 1.25
    assert index[20] < 1.0


# --- seasonal index ------------------------------------------------------------------------


def test_a_pure_sine_season_is_recovered():
    weeks = mondays(104, dt.date(2025, 1, 6))  # weeks 2..53→52 of 2025, … of 2026
    woy = engine.week_of_year(weeks)
    series = (100 + 50 * np.sin(2 * np.pi * woy / 52))[None, :]
    index = engine.seasonal_index(series, woy)
    truth = 1 + 0.5 * np.sin(2 * np.pi * np.arange(1, 53) / 52)
    # ±1-week smoothing shrinks a 52-week sine by (1 + 2 cos(2π/52)) / 3 ≈ 0.995.
    assert np.abs(index[0] - truth).max() < 0.02
    assert index[0].mean() == pytest.approx(1.0)
    assert int(index[0].argmax()) + 1 == 13  # the sine's top


def test_less_than_52_weeks_of_category_history_gives_no_season():
    weeks = mondays(60)
    series = np.zeros((1, 60))
    series[0, 10:] = np.arange(50) % 7 + 1  # sells for the last 50 weeks only
    assert (engine.seasonal_index(series, engine.week_of_year(weeks)) == 1).all()


def test_index_is_clamped():
    weeks = mondays(104, dt.date(2025, 1, 6))
    woy = engine.week_of_year(weeks)
    series = np.where(woy == 30, 10_000.0, 1.0)[None, :]
    index = engine.seasonal_index(series, woy)
    assert index.max() == pytest.approx(5.0)
    assert index.min() == pytest.approx(0.2)


# --- α selection ---------------------------------------------------------------------------


def sse_by_hand(series: list[float], alpha: float) -> float:
    level = sum(series[:4]) / 4
    total = 0.0
    for value in series:
        total += (value - level) ** 2
        level = alpha * value + (1 - alpha) * level
    return total


def test_alpha_selection_picks_the_least_error_alpha():
    step = [10.0] * 10 + [20.0] * 10  # a level shift: the fastest α follows it best
    zigzag = [10.0, 14.0, 6.0, 12.0] * 5  # noise around 10: the slowest α smooths it best
    fit = engine.ses_fit(np.array([step, zigzag]), np.ones((2, 20)))
    for row, series in enumerate((step, zigzag)):
        errors = [sse_by_hand(series, a) for a in engine.ALPHAS]
        assert fit.sse[row].tolist() == pytest.approx(errors)
        assert fit.alpha[row] == engine.ALPHAS[int(np.argmin(errors))]
    assert fit.alpha.tolist() == [0.5, 0.1]
    # The level after the step with α = 0.5: close to 20.
    assert fit.level[0] == pytest.approx(20 - 10 * 0.5**10, rel=1e-6)


def test_level_starts_at_the_first_sale():
    # Launched in week 4: the zeros before are not demand.
    fit = engine.ses_fit(np.array([[0, 0, 0, 0, 8, 8, 8, 8, 8, 8]], dtype=float), np.ones((1, 10)))
    assert fit.level[0] == pytest.approx(8.0)
    never = engine.ses_fit(np.zeros((1, 5)), np.ones((1, 5)))
    assert never.level[0] == 0 and np.isnan(never.alpha[0])


def test_forecast_is_level_times_the_future_index():
    # Two years of a category whose weeks 49–52 sell triple: the forecast for
    # four December weeks is the deseasonalised level × their index.
    weeks = mondays(104, dt.date(2024, 11, 25))  # ends 2026-11-16
    woy = engine.week_of_year(weeks)
    units = np.where((woy >= 49) & (woy <= 52), 30.0, 10.0)[None, :]
    fit = engine.seasonal_fit(units, weeks, 6, category_codes=np.array([0]))
    ahead = engine.week_of_year(engine.future_weeks(weeks[-1], 6))
    assert ahead.tolist() == [48, 49, 50, 51, 52, 52]  # 28 Dec 2026 is ISO week 53
    expected = fit.level[0] * fit.index[0, ahead - 1]
    assert fit.forecast[0].tolist() == pytest.approx(expected.tolist())
    assert fit.forecast[0, 2] == pytest.approx(30.0, rel=0.02)  # week 50: 3 × the plain 10 a week
    assert fit.forecast[0, 0] < 0.6 * fit.forecast[0, 2]  # week 48: only smoothed up
    direct = engine.seasonal_forecast(units, weeks, 6, category_codes=np.array([0]))
    assert direct[0].tolist() == pytest.approx(expected.tolist())


def test_promoted_weeks_are_replaced_by_the_plain_rate():
    units = np.array([[10.0, 10.0, 40.0, 10.0, 10.0, 10.0]])
    promoted = np.array([[False, False, True, False, False, False]])
    assert engine.promoted_replaced(units, promoted).tolist() == [[10.0] * 6]
    fit = engine.seasonal_fit(units, mondays(6), 2, promoted=promoted)
    assert fit.level[0] == pytest.approx(10.0)
    # All promoted: left as it is.
    assert engine.promoted_replaced(units, np.ones_like(promoted)).tolist() == units.tolist()


# --- end of life ---------------------------------------------------------------------------


def test_a_step_down_to_zero_flags_end_of_life():
    step = [6.0] * 18 + [0.0] * 8
    selling = [6.0] * 25 + [1.0]
    units = np.array([step, step, selling])
    flags = engine.end_of_life(units, np.array([4, 0, 4]))
    # Stopped for 8 weeks with stock in the stores: end of life. The same step
    # with empty stores is a stock-out, not an end of life.
    assert flags.tolist() == [True, False, False]
    assert engine.end_of_life(units, np.array([4, 0, 4]), eol_weeks=0).tolist() == [False, False, False]
    forecast = engine.seasonal_forecast(units, mondays(26), 4, store_stock=np.array([4, 0, 4]))
    assert forecast[0].sum() == 0 and forecast[1].sum() > 0


def run(scope_rows, sales_rows, *, weeks=8, coverage=4, n_weeks=12, cd=(), shops=(), params=None, promoted=None):
    history = mondays(n_weeks)
    scope = frame(scope_rows, ["sku", "category"])
    sales = frame([(s, history[i], u) for s, i, u in sales_rows], ["sku", "week_start", "units"])
    category_weekly = (
        sales.merge(scope, on="sku").groupby(["category", "week_start"], as_index=False)["units"].sum()
        if not sales.empty
        else frame([], ["category", "week_start", "units"])
    )
    window = set(history[-weeks:])
    category_units = sales[sales["week_start"].isin(window)].merge(scope, on="sku")
    category_units = category_units.groupby(["category", "sku"], as_index=False)["units"].sum()
    params = params or SeasonalParams(weeks=weeks, coverage_weeks=coverage)
    promo = None if promoted is None else frame([(s, history[i]) for s, i in promoted], ["sku", "week_start"])
    return engine.seasonal_purchase_forecast(
        scope,
        sales,
        category_weekly,
        category_units,
        frame(list(cd), ["sku", "units", "reserved"]),
        frame(list(shops), ["sku", "units", "in_transit"]),
        history,
        params,
        promoted=promo,
    ).set_index("sku")


def test_purchase_is_net_of_cd_stores_and_in_transit():
    result = run(
        [("A", "Juguetes")],
        [("A", i, 10) for i in range(12)],
        cd=[("A", 5, 3)],  # 5 available at the CD (3 more reserved for stores)
        shops=[("A", 3, 2)],  # 3 on the shelves, 2 on their way
    )
    row = result.loc["A"]
    assert row["source"] == engine.MACRO
    assert row["level"] == pytest.approx(10.0)  # under 52 weeks of history: S = 1
    assert (row["forecast_units"], row["coverage_units"]) == (pytest.approx(40.0), 40)
    assert (row["cd_stock"], row["store_stock"], row["in_transit"], row["reserved"]) == (5, 3, 2, 3)
    assert row["purchase_qty"] == 30  # 40 − 5 − 3 − 2
    assert row["avg_weekly"] == pytest.approx(10.0)
    assert not row["end_of_life"]


def test_end_of_life_buys_nothing_unless_overridden():
    sales_rows = [("A", i, 6) for i in range(4)] + [("B", i, 5) for i in range(12)]
    scope_rows = [("A", "Juguetes"), ("B", "Juguetes")]
    result = run(scope_rows, sales_rows, shops=[("A", 4, 0)])
    assert bool(result.loc["A", "end_of_life"]) and result.loc["A", "note"] == engine.END_OF_LIFE
    assert result.loc["A", "purchase_qty"] == 0
    assert result.loc["A", "source"] == engine.MACRO
    assert not result.loc["B", "end_of_life"]
    kept = run(
        scope_rows,
        sales_rows,
        shops=[("A", 4, 0)],
        params=SeasonalParams(weeks=8, coverage_weeks=4, eol_override=frozenset({"A"})),
    )
    assert kept.loc["A", "purchase_qty"] == kept.loc["A", "unflagged_qty"] == result.loc["A", "unflagged_qty"]
    assert kept.loc["A", "unflagged_qty"] >= 0


def test_new_sku_starts_from_the_category_proxy_and_no_category_has_no_history():
    sales_rows = [("A", i, 8) for i in range(12)] + [("B", i, 4) for i in range(12)]
    result = run([("A", "Juguetes"), ("B", "Juguetes"), ("N", "Juguetes"), ("X", None)], sales_rows)
    assert result.loc["N", "source"] == engine.CATEGORY_PROXY
    assert result.loc["N", "proxy_skus"] == 2
    assert result.loc["N", "level"] == pytest.approx(6.0)  # (8 + 4) × 8 weeks / 2 SKUs / 8 weeks
    assert result.loc["N", "purchase_qty"] == 24
    assert result.loc["X", "source"] == engine.NO_HISTORY
    assert result.loc["X", "purchase_qty"] == 0 and result.loc["X", "note"] == engine.NO_CATEGORY


def test_promoted_week_does_not_raise_the_purchase():
    sales_rows = [("A", i, 10) for i in range(12) if i != 10] + [("A", 10, 50)]
    plain = run([("A", "Juguetes")], sales_rows, promoted=[("A", 10)])
    assert plain.loc["A", "coverage_units"] == 40


# --- evaluation ----------------------------------------------------------------------------


def test_evaluation_scores_each_method_on_horizon_totals():
    # One SKU selling 10, 10, …, then 20 in its last two weeks; horizon 2, 2 origins.
    units = np.array([[10.0] * 8 + [20.0, 20.0]])
    result = engine.forecast_evaluation(
        units, mondays(10), ["A"], ["Juguetes"], engine.EvalParams(horizon=2, origins=2, sma_weeks=4)
    )
    table = result.table.set_index(["level", "key", "method"])
    # Origins at weeks 6 and 7: actual totals 10 + 20 = 30 and 20 + 20 = 40.
    # Naive: 2 × 10 both times → |errors| 10 + 20 = 30 over 70: WAPE 3/7, bias −3/7.
    naive = table.loc[("sku", "A", engine.NAIVE)]
    assert naive["wape"] == pytest.approx(30 / 70)
    assert naive["bias"] == pytest.approx(-30 / 70)
    assert naive["n"] == 2
    # The one-week naive in-sample error is 0 (a flat history): MASE undefined.
    assert np.isnan(naive["mase"])
    # No 52 weeks of history: the seasonal naive is not made.
    assert table.loc[("sku", "A", engine.SEASONAL_NAIVE), "n"] == 0
    assert table.loc[("category", "Juguetes", engine.SMA), "wape"] == pytest.approx(30 / 70)
    assert result.origin_weeks == mondays(10)[6:8]


def test_mase_is_scaled_by_the_one_week_naive():
    units = np.array([[10.0, 12.0, 10.0, 12.0, 10.0, 12.0]])
    result = engine.forecast_evaluation(
        units, mondays(6), ["A"], ["C"], engine.EvalParams(horizon=1, origins=1, sma_weeks=2)
    )
    naive = result.table.set_index(["level", "key", "method"]).loc[("sku", "A", engine.NAIVE)]
    # Origin: week 4 (10) → forecast 10 for week 5 (12): |error| 2; scale = mean |Δ| = 2.
    assert naive["mase"] == pytest.approx(1.0)
    sma = result.table.set_index(["level", "key", "method"]).loc[("sku", "A", engine.SMA)]
    assert sma["wape"] == pytest.approx(1 / 12)  # mean(12, 10) = 11 vs 12


# --- accuracy on a synthetic December ------------------------------------------------------


def test_seasonal_beats_sma_on_a_synthetic_december():
    syn = synthetic_sales(n_sku=600, n_categories=6, seed=7)
    history = syn.units[:, : syn.history]
    truth = syn.units[:, syn.history :].sum(axis=1)
    codes, _ = engine.category_codes(syn.categories)
    seasonal = engine.seasonal_forecast(
        history, syn.weeks[: syn.history], 4, category_codes=codes, store_stock=syn.store_stock
    ).sum(axis=1)
    sma = history[:, -12:].mean(axis=1) * 4

    def wape(f):
        return np.abs(f - truth).sum() / truth.sum()

    bias = (seasonal - truth).sum() / truth.sum()
    assert abs(bias) <= 0.10
    assert wape(seasonal) <= 0.30
    assert wape(seasonal) <= 0.8 * wape(sma)
    # End-of-life SKUs (true demand 0): the seasonal method buys ≤ 10% of what the SMA buys.
    assert seasonal[syn.eol].sum() <= 0.10 * sma[syn.eol].sum()
