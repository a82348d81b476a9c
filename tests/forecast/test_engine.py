"""The forecast rules of SPEC §6 and the backtest, on hand-checkable tables."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from forecast import engine
from forecast.engine import BacktestParams, ForecastParams

W = [dt.date(2026, 1, 5) + dt.timedelta(weeks=i) for i in range(20)]


def frame(rows, columns):
    return pd.DataFrame(rows, columns=columns)


def sales(rows):
    return frame(rows, ["sku", "week_start", "units"])


def scope(*rows):
    return frame(list(rows), ["sku", "category"])


EMPTY_CAT = frame([], ["category", "sku", "units"])
EMPTY_STOCK = frame([], ["sku", "units"])


def run(scope_df, sales_df, *, weeks=3, coverage=4, cat=EMPTY_CAT, cd=EMPTY_STOCK, shops=EMPTY_STOCK, end=5):
    window = W[end - weeks + 1 : end + 1]
    params = ForecastParams(weeks=weeks, coverage_weeks=coverage)
    return engine.purchase_forecast(scope_df, sales_df, cat, cd, shops, window, params).set_index("sku")


def test_macro_average_coverage_and_purchase():
    result = run(
        scope(("A", "Consolas")),
        sales([("A", W[3], 2), ("A", W[4], 4), ("A", W[5], 6)]),
        cd=frame([("A", 5)], ["sku", "units"]),
        shops=frame([("A", 1), ("A", 2)], ["sku", "units"]),  # two stores: summed
    )
    row = result.loc["A"]
    assert row["source"] == engine.MACRO
    assert row["window_units"] == 12
    assert row["avg_weekly"] == pytest.approx(4.0)
    assert row["coverage_units"] == 16  # 4 × 4
    assert (row["cd_stock"], row["store_stock"]) == (5, 3)
    assert row["purchase_qty"] == 8  # 16 − 5 − 3
    assert row["history"] == [2, 4, 6]


def test_weeks_without_rows_count_as_zero():
    result = run(scope(("A", None)), sales([("A", W[5], 6)]), weeks=3, coverage=1)
    assert result.loc["A", "avg_weekly"] == pytest.approx(2.0)
    assert result.loc["A", "history"] == [0, 0, 6]


def test_rounding_at_exact_multiples():
    # 29 units over 7 weeks × 7 weeks of cover is exactly 29; in floating point
    # 29/7*7 = 29.000000000000004, which a bare ceil would turn into 30.
    assert 29 / 7 * 7 > 29
    result = run(scope(("A", None)), sales([("A", W[5], 29)]), weeks=7, coverage=7, end=6)
    assert result.loc["A", "coverage_units"] == 29
    assert result.loc["A", "purchase_qty"] == 29


def test_fractions_round_up():
    # 10 / 4 = 2.5 a week; × 3 weeks = 7.5 → 8.
    result = run(scope(("A", None)), sales([("A", W[5], 10)]), weeks=4, coverage=3)
    assert result.loc["A", "coverage_units"] == 8


def test_purchase_never_negative():
    result = run(scope(("A", None)), sales([("A", W[5], 3)]), cd=frame([("A", 100)], ["sku", "units"]))
    assert result.loc["A", "coverage_units"] == 4
    assert result.loc["A", "purchase_qty"] == 0


def test_category_proxy():
    # Category units 10 + 6 + 0 − 2 = 14; SKUs whose window units are > 0: B and C (2);
    # 14 / 2 / 2 weeks = 3.5 a week; × 4 = 14; minus CD 4 → 10.
    category_units = frame(
        [("Consolas", "B", 10), ("Consolas", "C", 6), ("Consolas", "D", 0), ("Consolas", "E", -2)],
        ["category", "sku", "units"],
    )
    result = run(
        scope(("NEW", "Consolas")),
        sales([]),
        weeks=2,
        cat=category_units,
        cd=frame([("NEW", 4)], ["sku", "units"]),
    )
    row = result.loc["NEW"]
    assert row["source"] == engine.CATEGORY_PROXY
    assert row["avg_weekly"] == pytest.approx(3.5)
    assert row["proxy_skus"] == 2
    assert row["coverage_units"] == 14
    assert row["purchase_qty"] == 10
    assert row["history"] == [0, 0]


def test_no_history_without_category():
    result = run(scope(("X", None), ("Y", "")), sales([]))
    assert set(result["source"]) == {engine.NO_HISTORY}
    assert result["avg_weekly"].isna().all()
    assert (result["purchase_qty"] == 0).all()
    assert set(result["note"]) == {engine.NO_CATEGORY}


def test_no_history_when_the_category_sold_nothing():
    category_units = frame([("Consolas", "B", 0)], ["category", "sku", "units"])
    result = run(scope(("NEW", "Consolas")), sales([]), cat=category_units)
    assert result.loc["NEW", "source"] == engine.NO_HISTORY
    assert result.loc["NEW", "note"] == engine.NO_CATEGORY_SALES


def test_sales_only_outside_the_window_are_not_macro():
    old = sales([("OLD", W[0], 50), ("OLD2", W[1], 9)])  # window is W[3..5]
    category_units = frame([("Audio", "B", 6)], ["category", "sku", "units"])
    result = run(scope(("OLD", "Audio"), ("OLD2", None)), old, cat=category_units)
    assert result.loc["OLD", "source"] == engine.CATEGORY_PROXY
    assert result.loc["OLD", "avg_weekly"] == pytest.approx(2.0)
    assert result.loc["OLD2", "source"] == engine.NO_HISTORY


def test_rows_summing_to_zero_or_less_are_macro_with_average_zero():
    # The SKU HAS macro rows in the window: it is MACRO, never "no history";
    # its net units (3 − 5 = −2) clamp the average at 0.
    category_units = frame([("Audio", "B", 60)], ["category", "sku", "units"])
    result = run(
        scope(("R", "Audio"), ("Z", "Audio")),
        sales([("R", W[4], 3), ("R", W[5], -5), ("Z", W[5], 0)]),
        cat=category_units,
    )
    for sku in ("R", "Z"):
        assert result.loc[sku, "source"] == engine.MACRO
        assert result.loc[sku, "avg_weekly"] == 0
        assert result.loc[sku, "purchase_qty"] == 0
        assert result.loc[sku, "note"] == engine.NET_SALES_NOT_POSITIVE


def test_a_sku_with_macro_sales_never_shows_no_history():
    result = run(scope(("SOLD", None)), sales([("SOLD", W[5], 1)]))
    assert result.loc["SOLD", "source"] == engine.MACRO
    assert result.loc["SOLD", "avg_weekly"] > 0


def test_scope_order_and_text_skus_are_kept():
    result = engine.purchase_forecast(
        scope(("00012", None), ("12", None), ("0001", None)),
        sales([("12", W[5], 3)]),
        EMPTY_CAT,
        EMPTY_STOCK,
        EMPTY_STOCK,
        W[5:6],
        ForecastParams(weeks=1, coverage_weeks=1),
    )
    assert result["sku"].tolist() == ["00012", "12", "0001"]
    assert result["source"].tolist() == [engine.NO_HISTORY, engine.MACRO, engine.NO_HISTORY]


def test_params_are_validated():
    with pytest.raises(ValueError):
        ForecastParams(weeks=0)
    with pytest.raises(ValueError):
        ForecastParams(coverage_weeks=0)
    with pytest.raises(ValueError):
        BacktestParams(horizon_weeks=0)


# ---------------------------------------------------------------------------
# Backtest
# ---------------------------------------------------------------------------


def test_backtest_on_a_hand_computed_series():
    # Weeks 0..5: 4, 8, 6, 2, 10, 6. Targets: the last 3 weeks (2, 10, 6; Σ = 18).
    series = sales([("A", W[i], u) for i, u in enumerate([4, 8, 6, 2, 10, 6])])
    result = engine.backtest(series, W[:6], BacktestParams(horizon_weeks=3, windows=(1, 2, 4)))
    summary = result.summary.set_index("method")

    # SMA1 forecasts 6, 2, 10 → errors 4, 8, 4 = 16; bias (18 − 18) = 0.
    assert summary.loc["SMA1", "weeks_evaluated"] == 3
    assert summary.loc["SMA1", "abs_error"] == pytest.approx(16)
    assert summary.loc["SMA1", "wape"] == pytest.approx(16 / 18)
    assert summary.loc["SMA1", "bias"] == pytest.approx(0)
    # SMA2 forecasts 7, 4, 6 → errors 5, 6, 0 = 11; bias (17 − 18) / 18.
    assert summary.loc["SMA2", "forecast_units"] == pytest.approx(17)
    assert summary.loc["SMA2", "wape"] == pytest.approx(11 / 18)
    assert summary.loc["SMA2", "bias"] == pytest.approx(-1 / 18)
    # SMA4 cannot forecast week 3 (its window would start before the data);
    # week 4: (4+8+6+2)/4 = 5 vs 10; week 5: (8+6+2+10)/4 = 6.5 vs 6 → 5.5 / 16.
    assert summary.loc["SMA4", "weeks_evaluated"] == 2
    assert summary.loc["SMA4", "wape"] == pytest.approx(5.5 / 16)
    assert summary.loc["SMA4", "bias"] == pytest.approx((11.5 - 16) / 16)
    # Best among the methods evaluated on every target week.
    assert result.best == "SMA2"
    assert result.target_weeks == W[3:6]
    assert result.weekly["actual"].tolist() == [2, 10, 6]
    assert result.weekly["SMA2"].tolist() == [7, 4, 6]
    assert pd.isna(result.weekly["SMA4"].iloc[0])


def test_backtest_errors_do_not_cancel_across_skus():
    # A over-sells what B under-sells: totals match, but each SKU is wrong by 4.
    series = sales([("A", W[0], 0), ("A", W[1], 4), ("B", W[0], 4), ("B", W[1], 0)])
    result = engine.backtest(series, W[:2], BacktestParams(horizon_weeks=1, windows=(1,)))
    row = result.summary.iloc[0]
    assert row["wape"] == pytest.approx(8 / 4)
    assert row["bias"] == pytest.approx(0)


def test_backtest_forecasts_are_never_negative_and_history_start_is_respected():
    series = sales([("A", W[2], -3), ("A", W[3], 2)])
    result = engine.backtest(series, W[:4], BacktestParams(horizon_weeks=2, windows=(1, 2)))
    summary = result.summary.set_index("method")
    # Data starts at W[2]: SMA1 evaluates W[3] only (forecast max(−3, 0) = 0 vs 2).
    assert summary.loc["SMA1", "weeks_evaluated"] == 1
    assert summary.loc["SMA1", "forecast_units"] == 0
    assert summary.loc["SMA1", "wape"] == pytest.approx(1.0)
    assert summary.loc["SMA2", "weeks_evaluated"] == 0
    assert pd.isna(summary.loc["SMA2", "wape"])
    assert result.best == "SMA1"


def test_backtest_without_sales():
    result = engine.backtest(sales([]), W[:14], BacktestParams())
    assert result.best is None
    assert (result.summary["weeks_evaluated"] == 0).all()
