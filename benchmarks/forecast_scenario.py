"""The purchase forecast judged on the planning scenario's held-out weeks (issue 28).

Pure: the scenario's observed weekly sales per SKU (censored, as loaded) are
forecast over the held-out weeks by the §6 v3 seasonal method and by the V2
12-week average, and compared with the true demand of those weeks:

    from benchmarks.scenario import generate
    from benchmarks.forecast_scenario import forecast_accuracy
    forecast_accuracy(generate("default", seed=26))

WAPE = Σ|forecast − demand| ÷ Σ demand and bias = Σ(forecast − demand) ÷ Σ
demand at SKU level over the SKUs with history (new SKUs have none to
forecast from); `eol_units` = what each method would buy for the end-of-life
SKUs, max(⌈forecast⌉ − CD stock − store stock, 0) summed.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from benchmarks.scenario import Scenario
from forecast import engine as forecast_engine

SMA_WEEKS = 12  # the V2 rule's default window


def forecast_accuracy(sc: Scenario, *, sma_weeks: int = SMA_WEEKS) -> dict[str, Any]:
    horizon = sc.held_out
    weeks = list(sc.loaded_weeks)
    history = sc.weekly_truth("sku", held_out_only=False)
    observed = history.pivot(index="sku", columns="week_start", values="observed")
    skus = sc.products["sku"].tolist()
    units = observed.reindex(index=skus).iloc[:, : len(weeks)].fillna(0.0).to_numpy()
    truth = sc.weekly_truth("sku").groupby("sku")["demand"].sum().reindex(skus).fillna(0).to_numpy(float)
    stock = sc.store_stock.groupby("sku")["quantity"].sum().reindex(skus).fillna(0).to_numpy(float)
    cd = sc.cd_stock.set_index("sku")["quantity"].reindex(skus).fillna(0).to_numpy(float)
    codes, _names = forecast_engine.category_codes(sc.products["category"].tolist())
    seasonal = forecast_engine.seasonal_forecast(units, weeks, horizon, category_codes=codes, store_stock=stock).sum(
        axis=1
    )
    sma = units[:, -sma_weeks:].sum(axis=1) / sma_weeks * horizon
    kind = sc.products["kind"].to_numpy()
    judged = units.sum(axis=1) > 0
    eol = kind == "eol"
    result: dict[str, Any] = {"skus": int(judged.sum()), "horizon_weeks": horizon, "demand": float(truth[judged].sum())}
    for name, forecast in (("seasonal", seasonal), ("sma", sma)):
        error = forecast[judged] - truth[judged]
        bought = np.maximum(np.ceil(np.round(forecast, 6)) - cd - stock, 0)
        result[name] = {
            "wape": float(np.abs(error).sum() / truth[judged].sum()),
            "bias": float(error.sum() / truth[judged].sum()),
            "eol_units": int(bought[eol].sum()),
        }
    result["wape_gain"] = 1 - result["seasonal"]["wape"] / result["sma"]["wape"]
    result["eol_share_of_sma"] = (
        result["seasonal"]["eol_units"] / result["sma"]["eol_units"] if result["sma"]["eol_units"] else 0.0
    )
    return result
