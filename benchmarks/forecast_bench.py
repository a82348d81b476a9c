"""The purchase forecast's bench line (SPEC v3 §6): forecast + backtest of
20,000 SKUs × 104 weeks in ≤ 30 s, and its accuracy on the synthetic December.

Engine only (no database): the synthetic retailer of `forecast_synth` as the
frames the service hands the engine — long (sku, week, units) rows, pivoted
to the SKU × week matrix inside, as in production — then:

* `forecast_s`: `seasonal_purchase_forecast` (index, SES with α per SKU,
  end of life, purchase) for every SKU;
* `backtest_s`: `forecast_evaluation` (13 rolling origins, horizon 4, naive,
  seasonal naive, sma, seasonal; SKU and category level);
* and, beside, WAPE / bias of seasonal vs sma on the held-out December weeks
  and what each buys for end-of-life SKUs.

`python manage.py bench --forecast [--size small|reference]` runs only this;
the full bench runs it as its `forecast` step.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from benchmarks.forecast_synth import Synthetic, synthetic_sales
from forecast import engine

SKUS = {"small": 2_000, "reference": 20_000}
HORIZON = 4


def long_frames(syn: Synthetic) -> tuple[pd.DataFrame, pd.DataFrame, list]:
    """The history as the service's frames: (sku, week_start, units) rows with units ≠ 0, and the category weeks."""
    history = syn.units[:, : syn.history]
    weeks = syn.weeks[: syn.history]
    rows, cols = np.nonzero(history)
    skus = np.asarray(syn.skus, dtype=object)
    week_array = np.asarray(weeks, dtype=object)
    sales = pd.DataFrame({"sku": skus[rows], "week_start": week_array[cols], "units": history[rows, cols]})
    cats = np.asarray(syn.categories, dtype=object)
    category_weekly = (
        pd.DataFrame({"category": cats[rows], "week_start": week_array[cols], "units": history[rows, cols]})
        .groupby(["category", "week_start"], as_index=False)["units"]
        .sum()
    )
    return sales, category_weekly, weeks


def accuracy(syn: Synthetic, horizon: int = HORIZON) -> dict[str, float]:
    """Seasonal vs sma (12 weeks) on the held-out weeks after the as-of week, SKU level."""
    history = syn.units[:, : syn.history]
    truth = syn.units[:, syn.history : syn.history + horizon].sum(axis=1)
    codes, _ = engine.category_codes(syn.categories)
    seasonal = engine.seasonal_forecast(
        history, syn.weeks[: syn.history], horizon, category_codes=codes, store_stock=syn.store_stock
    ).sum(axis=1)
    sma = history[:, -12:].mean(axis=1) * horizon
    out: dict[str, float] = {}
    for name, forecast in (("seasonal", seasonal), ("sma", sma)):
        out[f"{name}_wape"] = float(np.abs(forecast - truth).sum() / truth.sum())
        out[f"{name}_bias"] = float((forecast - truth).sum() / truth.sum())
        out[f"{name}_eol_units"] = float(forecast[syn.eol].sum())
    return out


def forecast_measure(size: str = "small", out: Callable[[str], None] = print) -> dict[str, Any]:
    n_sku = SKUS[size]
    syn = synthetic_sales(n_sku=n_sku, n_categories=25, history=104, held_out=HORIZON)
    sales, category_weekly, weeks = long_frames(syn)
    scope = pd.DataFrame({"sku": syn.skus, "category": syn.categories})
    per_sku = sales.merge(scope, on="sku").groupby(["category", "sku"], as_index=False)["units"].sum()
    shops = pd.DataFrame({"sku": syn.skus, "units": syn.store_stock, "in_transit": 0})
    cd = pd.DataFrame({"sku": syn.skus, "units": 0, "reserved": 0})

    started = time.perf_counter()
    result = engine.seasonal_purchase_forecast(
        scope, sales, category_weekly, per_sku, cd, shops, weeks, engine.SeasonalParams()
    )
    forecast_s = time.perf_counter() - started

    started = time.perf_counter()
    units = engine.week_matrix(sales, "sku", syn.skus, weeks)
    evaluation = engine.forecast_evaluation(units, weeks, syn.skus, syn.categories, engine.EvalParams(horizon=HORIZON))
    backtest_s = time.perf_counter() - started
    scores = accuracy(syn)
    pooled = evaluation.table[(evaluation.table["level"] == "sku") & (evaluation.table["key"] == engine.ALL)]
    return {
        "skus": n_sku,
        "weeks": len(weeks),
        "forecast_s": forecast_s,
        "backtest_s": backtest_s,
        "total_s": forecast_s + backtest_s,
        "end_of_life": int(result["end_of_life"].sum()),
        "eol_purchase_units": int(result.loc[result["end_of_life"], "purchase_qty"].sum()),
        "accuracy": scores,
        "backtest_sku_wape": {r.method: round(float(r.wape), 4) for r in pooled.itertuples(index=False)},
        "backtest_seconds": {k: round(v, 3) for k, v in evaluation.seconds.items()},
    }
