"""Side by side: our methods and statsforecast's AutoETS on the synthetic December.

    PYTHONPATH=. python -m benchmarks.forecast_compare [N_SKUS]

Pure numpy/pandas (no Django): runs where statsforecast is installed (its
wheels pin pandas < 3, so a separate virtualenv; docs/forecasting.md). Prints
the rolling-origin evaluation (13 origins, horizon 4) and the held-out
December weeks, with the seconds each method took.
"""

from __future__ import annotations

import sys
import time

import numpy as np

from benchmarks.forecast_synth import synthetic_sales
from forecast import engine

HORIZON = 4


def main(n_sku: int = 1_000) -> None:
    # 121 weeks: every origin of the evaluation has two full years behind it.
    syn = synthetic_sales(n_sku=n_sku, n_categories=10, history=121, held_out=HORIZON)
    history = syn.units[:, : syn.history]
    weeks = syn.weeks[: syn.history]
    extra: dict[str, engine.ExtraMethod] = {}
    try:
        from forecast import reference

        extra = reference.methods()
    except ImportError:
        print("statsforecast is not installed: AutoETS left out")
    started = time.perf_counter()
    result = engine.forecast_evaluation(
        history, weeks, syn.skus, syn.categories, engine.EvalParams(horizon=HORIZON), extra=extra
    )
    print(
        f"evaluation: {n_sku} SKUs × {len(weeks)} weeks, {len(result.origin_weeks)} origins, "
        f"{time.perf_counter() - started:.1f} s"
    )
    table = result.table
    print("| method | SKU WAPE | SKU bias | SKU MASE | category WAPE | category bias | seconds |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for method in dict.fromkeys(table["method"]):
        sku = table[(table.level == "sku") & (table.key == engine.ALL) & (table.method == method)].iloc[0]
        cat = table[(table.level == "category") & (table.key == engine.ALL) & (table.method == method)].iloc[0]
        print(
            f"| {method} | {sku.wape:.1%} | {sku.bias:+.1%} | {sku.mase:.2f} | {cat.wape:.1%} | {cat.bias:+.1%} "
            f"| {result.seconds[method]:.2f} |"
        )
    wins: dict[str, int] = {}
    for method in result.winners.values():
        wins[method] = wins.get(method, 0) + 1
    print("categories won:", wins)

    truth = syn.units[:, syn.history :].sum(axis=1)
    codes, _ = engine.category_codes(syn.categories)
    forecasts = {
        "naive": history[:, -1] * HORIZON,
        "seasonal_naive": syn.units[:, syn.history - 52 : syn.history - 52 + HORIZON].sum(axis=1),
        "sma": history[:, -12:].mean(axis=1) * HORIZON,
    }
    started = time.perf_counter()
    forecasts["seasonal"] = engine.seasonal_forecast(
        history, weeks, HORIZON, category_codes=codes, store_stock=syn.store_stock
    ).sum(axis=1)
    seconds = {"seasonal": time.perf_counter() - started}
    for name, method in extra.items():
        started = time.perf_counter()
        forecasts[name] = np.asarray(method(history, weeks, HORIZON)).sum(axis=1)
        seconds[name] = time.perf_counter() - started
    print(
        f"\nheld-out weeks {syn.weeks[syn.history]}…{syn.weeks[-1]} (SKU level; end-of-life SKUs: {int(syn.eol.sum())})"
    )
    print("| method | WAPE | bias | units for end-of-life SKUs | seconds |")
    print("|---|---:|---:|---:|---:|")
    for name, forecast in forecasts.items():
        made = ~np.isnan(forecast)
        wape = np.abs(forecast[made] - truth[made]).sum() / truth[made].sum()
        bias = (forecast[made] - truth[made]).sum() / truth[made].sum()
        eol = forecast[made & syn.eol].sum()
        print(f"| {name} | {wape:.1%} | {bias:+.1%} | {eol:,.0f} | {seconds.get(name, 0):.2f} |")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1_000)
