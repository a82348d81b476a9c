"""Replay v3 (SPEC v3 §13): every policy on equal footing, on a network small
enough to check by hand.

Two SKUs (X, Y) at three stores (A = Tienda 1, B = Tienda 2, C = Tienda 3);
B's trucks take a week (lead 1), A and C receive the same week. Demand is
flat, so every rate rule agrees: X sells 2/1/1 a week at A/B/C, Y 1/0/1.
Eight weeks of history H0–H7, then four replayed weeks R0–R3. The supplier
takes 2 weeks; the CD orders by a naive forecast (last week's network units ×
3 weeks: lead 2 + 1 of review). Policy: SMA1, target_woc 1.

Start (one for all): the default policy's steady state at H7, ⌈2 × rate⌉:
X A4 B2 C2, Y A2 C2 = 12 units. CD: two weeks of network sales, X 8, Y 4.
R0: position X 8+8=16 ≥ 12, Y 4+4=8 ≥ 6: no order. Targets ⌈1 × rate⌉ = the
    stock's half: no line. Sells 6 of 6 → stores X A2 B1 C1, Y A1 C1.
R1: position X 8+4=12, Y 4+2=6: no order; no line. Sells 6 of 6 → all 0.
R2: position X 8 → orders 12−8=4, Y 4 → 2 (both arrive at R4, after the
    replay). Plans X A2 B1 C1, Y A1 C1 (6 lines' worth: 5 lines), CD enough:
    CD X 4, Y 2. A and C receive now; B's unit is on the truck until R3.
    Sells 5 of 6: X B lost 1 (one stock-out week). In transit 1.
R3: position X 4+4 on order+1 in transit = 9 → orders 3; Y 2+2 = 4 → 2.
    Plans X A2 C1 (B has its unit coming), Y A1 C1: 4 lines, CD X 1, Y 0.
    B's unit arrives. Sells 6 of 6.
Totals: demand 24, served 23, lost 1, 1 stock-out week, closing stock
6+0+0+0 → cover 6/24, shipped 0+0+6+5 = 11, lines (0+0+5+4)/4.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pandas as pd
import pytest

from replay import engine
from replay.engine import ReplayInputs, policies_parse, policy_fields, policy_parse

H = [dt.date(2026, 1, 5) + dt.timedelta(weeks=i) for i in range(12)]  # H0–H7, then R0–R3 = H[8:12]
X, Y, Z, A, B, C = 1, 2, 3, 10, 20, 30
FLAT = {(X, A): 2, (X, B): 1, (X, C): 1, (Y, A): 1, (Y, C): 1}
# Keys the v3 generator adds; pinned where present so the hand figures hold under any default.
PIN = ",".join(f"{k}={v}" for k, v in {"rate_rule": "sma", "pack_rule": "nearest"}.items() if k in policy_fields())
POLICY = "p:model=SMA1,target_woc=1,lookback_weeks=4,cd_rule=priority" + (f",{PIN}" if PIN else "")


def naive(units: np.ndarray, weeks: list[dt.date], horizon: int, codes: np.ndarray) -> np.ndarray:
    """Last week's network units for each week ahead."""
    return np.repeat(units[:, -1:], horizon, axis=1)


DEFAULTS: dict[str, Any] = {"store_lead_weeks": {B: 1}, "supplier_lead_weeks": 2, "cd_forecast": naive}


def network(extra: dict | None = None, **options: Any) -> ReplayInputs:
    rows = [(p, s, w, u) for (p, s), u in FLAT.items() for w in H]
    rows += [(p, s, w, u) for (p, s, w), u in (extra or {}).items()]
    sales = pd.DataFrame(rows, columns=["product_id", "store_id", "week_start", "units"])
    category = sales.assign(category="Cat")[["category", "product_id", "store_id", "week_start", "units"]]
    return ReplayInputs(
        scope=pd.DataFrame({"sku": ["000X", "000Y", "000Z"], "product_id": [X, Y, Z], "category": ["Cat"] * 3}),
        sales=sales,
        category_weekly=category,
        stores=pd.DataFrame({"store_id": [A, B, C], "store_name": ["Tienda 1", "Tienda 2", "Tienda 3"]}),
        weeks=H[8:12],
        **(DEFAULTS | options),
    )


def test_a_two_week_supplier_and_a_one_week_truck_by_hand():
    result = engine.replay_policy(network(), policy_parse(POLICY))
    weekly = result.weekly
    assert result.start_stock == 12
    assert weekly["demand_units"].tolist() == [6, 6, 6, 6]
    assert weekly["served_units"].tolist() == [6, 6, 5, 6]
    assert weekly["stockouts"].tolist() == [0, 0, 1, 0]
    assert weekly["closing_stock"].tolist() == [6, 0, 0, 0]
    assert weekly["units_shipped"].tolist() == [0, 0, 6, 5]
    assert weekly["lines"].tolist() == [0, 0, 5, 4]
    assert weekly["cd_ordered"].tolist() == [0, 0, 6, 5]
    assert weekly["cd_received"].tolist() == [0, 0, 0, 0]
    assert weekly["cd_closing"].tolist() == [12, 12, 6, 1]
    assert weekly["in_transit"].tolist() == [0, 0, 1, 0]
    totals = result.totals
    assert (totals["demand_units"], totals["served_units"], totals["lost_units"]) == (24, 23, 1)
    assert totals["stockout_weeks"] == 1
    assert totals["avg_cover_weeks"] == pytest.approx(6 / 24)
    assert totals["units_shipped"] == 11
    assert totals["lines_per_week"] == pytest.approx(9 / 4)


def test_an_order_without_supplier_lead_time_arrives_the_same_week():
    def eager(units, weeks, horizon, codes):
        return naive(units, weeks, horizon, codes) * 5

    inputs = network(supplier_lead_weeks=0, cd_forecast=eager)
    weekly = engine.replay_policy(inputs, policy_parse(POLICY)).weekly
    # R0: X needs 4 × 5 = 20 against 16 held, Y 2 × 5 = 10 against 8: 6 ordered, received at once.
    assert weekly["cd_ordered"].iloc[0] == 6
    assert weekly["cd_received"].tolist() == weekly["cd_ordered"].tolist()


def test_policies_that_differ_only_in_target_cover_start_with_the_same_stock():
    policies = policies_parse(["bajo:target_woc=1", "alto:target_woc=4"])
    v3 = engine.replay(network(), policies)
    assert v3[0].start_stock == v3[1].start_stock == 12
    v2 = engine.replay(network(rules="v2", cd_mode="history"), policies_parse(["b:target_woc=1", "a:target_woc=4"]))
    assert v2[0].start_stock < v2[1].start_stock  # v2: each its own steady state, for free


def test_a_sku_whose_sales_start_after_t0_starts_at_zero():
    launch = {(Z, A, w): 3 for w in H[8:12]}  # Z sells from R0 on
    v3 = engine.common_start(network(launch), engine._prepare(network(launch)))
    assert Z not in v3.index.get_level_values("product_id")
    # v2 gave it a cold start before it ever sold.
    v2 = engine.start_stock(network(launch, rules="v2", cd_mode="history"), policy_parse("p", rules="v2").params)
    assert (v2["product_id"] == Z).any()


def test_a_policy_that_holds_more_stock_for_the_same_fill_is_dominated():
    inputs = network(cd_mode="history", cd_supply=100, store_lead_weeks={})
    results = engine.replay(inputs, policies_parse(["justo:target_woc=1", "holgado:target_woc=4"]))
    fill = [r.totals["fill_rate"] for r in results]
    stock = [r.totals["avg_closing_stock"] for r in results]
    assert fill[0] == fill[1] == 1.0 and stock[0] < stock[1]
    assert [r.dominated for r in results] == [False, True]
    assert engine.best_policies(results) == {"best_fill": "justo", "lowest_stock": "justo"}


def test_dominance_needs_one_strict_improvement():
    def result(name, fill, stock):
        return engine.PolicyResult(
            policy=policy_parse(name), totals={"fill_rate": fill, "avg_closing_stock": stock}, weekly=pd.DataFrame()
        )

    assert engine.dominance([result("a", 0.9, 10), result("b", 0.9, 10)]) == [False, False]
    assert engine.dominance([result("a", 0.9, 10), result("b", 0.95, 10)]) == [True, False]
    assert engine.dominance([result("a", 0.9, 10), result("b", 0.95, 12)]) == [False, False]


def test_the_cd_never_orders_from_weeks_it_has_not_seen():
    seen: list[dt.date] = []

    def spy(units, weeks, horizon, codes):
        seen.append(weeks[-1])
        return naive(units, weeks, horizon, codes)

    engine.replay_policy(network(cd_forecast=spy), policy_parse(POLICY))
    assert seen == H[7:11]  # each week orders with history up to the week before


def test_purchase_mode_needs_a_forecast_and_rules_are_checked():
    with pytest.raises(ValueError, match="cd_forecast"):
        network(cd_forecast=None)
    with pytest.raises(ValueError, match="rules"):
        network(rules="v9")
