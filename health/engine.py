"""Store Health: the pure rules behind the dashboard (SPEC §8). No Django here.

Inputs are DataFrames read in bulk by `health.queries`; outputs are
DataFrames the pages slice and count.

The rules, exactly:

- **Scope** = SKUs with macro sales in the last 90 days ∪ SKUs in the lines
  of the last X distribution runs (`scope_product_ids`).
- For every (store, SKU in scope) pair: `stock` = units in that store's own
  latest snapshot (absent: 0); `weekly_demand` = units sold over the demand
  window divided by its number of weeks (weeks without a row count as 0;
  net returns never make demand negative); `woc` = stock / weekly_demand.
- A pair with no stock (≤ 0) and no demand is inactive: nothing to say about
  it, it is left out of every count.
- Buckets (the WOC distribution) and the alert each one raises:

  ============  ==========================================  =========================
  bucket        rule                                        alert
  ============  ==========================================  =========================
  stockout      stock ≤ 0 and demand > 0                    OUT_OF_STOCK_WITH_DEMAND
  below_min     demand > 0 and 0 < woc < min_woc            BELOW_MIN_WOC
  ok            min_woc ≤ woc ≤ max_woc                     —
  above_max     demand > 0 and woc > max_woc                ABOVE_MAX_WOC
  no_demand     stock > 0 and demand = 0 (cover is endless) ABOVE_MAX_WOC
  ============  ==========================================  =========================

  Stock that does not sell at all is the most excessive cover there is, so
  it raises ABOVE_MAX_WOC too (its WOC is shown as "sin demanda", NaN in the
  frame); the buckets keep it apart so a planner can tell "too much" from
  "not selling".
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd

OUT_OF_STOCK_WITH_DEMAND = "OUT_OF_STOCK_WITH_DEMAND"
BELOW_MIN_WOC = "BELOW_MIN_WOC"
ABOVE_MAX_WOC = "ABOVE_MAX_WOC"
ALERT_TYPES: tuple[str, ...] = (OUT_OF_STOCK_WITH_DEMAND, BELOW_MIN_WOC, ABOVE_MAX_WOC)

STOCKOUT, BELOW_MIN, OK, ABOVE_MAX, NO_DEMAND = "stockout", "below_min", "ok", "above_max", "no_demand"
BUCKETS: tuple[str, ...] = (STOCKOUT, BELOW_MIN, OK, ABOVE_MAX, NO_DEMAND)
ALERT_OF_BUCKET: dict[str, str | None] = {
    STOCKOUT: OUT_OF_STOCK_WITH_DEMAND,
    BELOW_MIN: BELOW_MIN_WOC,
    OK: None,
    ABOVE_MAX: ABOVE_MAX_WOC,
    NO_DEMAND: ABOVE_MAX_WOC,
}

HEALTH_COLUMNS = ["store_id", "product_id", "stock", "weekly_demand", "woc", "bucket", "alert"]


@dataclass(frozen=True)
class HealthParams:
    min_woc: float = 1.0
    max_woc: float = 4.0
    demand_weeks: int = 8  # weekly demand = units of the last N weeks / N
    last_runs: int = 5  # SKUs of the X newest distribution runs are in scope
    sales_days: int = 90  # SKUs sold in the last N days are in scope
    as_of: dt.date | None = None  # the week evaluated (None: the last complete loaded week)

    def __post_init__(self) -> None:
        if not 0 <= self.min_woc <= self.max_woc:
            raise ValueError("need 0 ≤ min_woc ≤ max_woc")
        if self.demand_weeks < 1 or self.last_runs < 0 or self.sales_days < 1:
            raise ValueError("demand_weeks and sales_days must be ≥ 1, last_runs ≥ 0")


def scope_product_ids(sold_recently: Iterable[int], in_last_runs: Iterable[int]) -> np.ndarray:
    """The Store Health scope: sorted unique product ids of both sources."""
    ids = np.fromiter((*sold_recently, *in_last_runs), dtype="int64")
    return np.unique(ids)


def store_health(
    scope: Iterable[int],
    stock: pd.DataFrame,
    demand_units: pd.DataFrame,
    params: HealthParams,
) -> pd.DataFrame:
    """One row per active (store, SKU in scope) pair.

    stock: DataFrame[product_id, store_id, units] at each store's latest
    snapshot (pairs absent have 0). demand_units: DataFrame[product_id,
    store_id, units] summed over the demand window (absent: 0 sold).
    Returns HEALTH_COLUMNS; `woc` is NaN where there is no demand; `alert`
    is None for healthy pairs. `bucket` and `alert` are categoricals.
    """
    keys = ["store_id", "product_id"]
    scope_ids = pd.Index(np.asarray(list(scope), dtype="int64"))
    stock = stock.loc[stock["product_id"].isin(scope_ids), [*keys, "units"]].rename(columns={"units": "stock"})
    sold = demand_units.loc[demand_units["product_id"].isin(scope_ids), [*keys, "units"]]
    sold = sold.groupby(keys, as_index=False, sort=False)["units"].sum()
    frame = stock.merge(sold, on=keys, how="outer")
    frame["stock"] = frame["stock"].fillna(0).astype("int64")
    demand = frame["units"].fillna(0).clip(lower=0) / params.demand_weeks
    frame["weekly_demand"] = demand.astype("float64")
    frame = frame.drop(columns="units")
    frame = frame[(frame["stock"] > 0) | (frame["weekly_demand"] > 0)].reset_index(drop=True)

    has_demand = frame["weekly_demand"] > 0
    woc = np.where(has_demand, frame["stock"].clip(lower=0) / frame["weekly_demand"].where(has_demand, 1), np.nan)
    frame["woc"] = woc
    conditions = [
        has_demand & (frame["stock"] <= 0),
        has_demand & (frame["woc"] < params.min_woc),
        has_demand & (frame["woc"] <= params.max_woc),
        has_demand,
    ]
    bucket = np.select(conditions, [STOCKOUT, BELOW_MIN, OK, ABOVE_MAX], default=NO_DEMAND)
    frame["bucket"] = pd.Categorical(bucket, categories=BUCKETS)
    frame["alert"] = pd.Categorical(frame["bucket"].map(ALERT_OF_BUCKET), categories=ALERT_TYPES)
    frame["store_id"] = frame["store_id"].astype("int64")
    frame["product_id"] = frame["product_id"].astype("int64")
    return frame[HEALTH_COLUMNS]


def store_summary(health: pd.DataFrame) -> pd.DataFrame:
    """Per store: active pairs, count per bucket, alerts, and the stock-out share.

    Returns DataFrame[store_id, active, <one column per bucket>, alerts, stockout_pct].
    """
    counts = pd.crosstab(health["store_id"], health["bucket"]).reindex(columns=list(BUCKETS), fill_value=0)
    counts.columns = list(BUCKETS)
    counts = counts.astype("int64")
    counts.insert(0, "active", counts.sum(axis=1))
    counts["alerts"] = counts[STOCKOUT] + counts[BELOW_MIN] + counts[ABOVE_MAX] + counts[NO_DEMAND]
    counts["stockout_pct"] = (100.0 * counts[STOCKOUT] / counts["active"]).round(1)
    return counts.reset_index().rename_axis(columns=None)


def alert_counts(health: pd.DataFrame) -> dict[str, int]:
    """How many pairs raise each alert type, plus the count of each bucket."""
    by_alert = health["alert"].value_counts()
    by_bucket = health["bucket"].value_counts()
    result = {alert: int(by_alert.get(alert, 0)) for alert in ALERT_TYPES}
    result.update({bucket: int(by_bucket.get(bucket, 0)) for bucket in BUCKETS})
    return result
