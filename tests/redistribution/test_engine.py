"""The redistribution rules of SPEC §7, one case per rule, on tables small enough to check by hand.

Most cases use history_weeks=1 so that demand = the units given.
"""

from __future__ import annotations

import pandas as pd
import pytest

from redistribution.engine import (
    QTY_FILE_MAX,
    QTY_OVERRIDE,
    REASON_BELOW_TARGET,
    REASON_FILE_QTY,
    REASON_MIN_FILL,
    REASON_OVERRIDE,
    REASON_URGENT,
    SCOPE_CATEGORY,
    SCOPE_SKUS,
    SHORT_CAP_DEST,
    SHORT_MAX_ROWS,
    SHORT_MAX_UNITS,
    SHORT_MIN_FILL,
    SHORT_NO_DONOR,
    PlanInputs,
    PlanTarget,
    RedistParams,
    demand_matrices,
    plan_transfers,
    top_skus,
)

# SPEC v3 made "moves worth a truck" the default: these are the v2 rules, pinned (v3: test_engine_v3.py).
V2 = "v2"
W1 = RedistParams(history_weeks=1, rules=V2)


def make(
    stores: list[str],
    sales: dict[tuple[str, str], float] | None = None,
    stock: dict[tuple[str, str], int] | None = None,
    *,
    skus: dict[str, str | None] | None = None,
    category_store: dict[tuple[str, str], float] | None = None,
    category_sku: dict[tuple[str, str], int] | None = None,
    file_qty: dict[str, int] | None = None,
) -> tuple[PlanInputs, dict[str, int]]:
    """Inputs from readable dicts: (sku, store) → units. Store ids are 10, 20, 30… in list order.

    Category units per store default to the sales of the SKUs given (one category "C").
    """
    sales = sales or {}
    stock = stock or {}
    skus = skus or {sku: "C" for sku, _ in [*sales, *stock]}
    pid = {sku: i + 1 for i, sku in enumerate(sorted(skus))}
    sid = {name: (i + 1) * 10 for i, name in enumerate(stores)}
    sku_frame = pd.DataFrame(
        {
            "product_id": [pid[s] for s in sorted(skus)],
            "sku": sorted(skus),
            "category": [skus[s] for s in sorted(skus)],
            "file_qty": pd.array([(file_qty or {}).get(s) for s in sorted(skus)], dtype="Float64"),
        }
    )
    store_frame = pd.DataFrame({"store_id": [sid[n] for n in stores], "name": stores})
    sales_frame = pd.DataFrame(
        [(pid[k], sid[st], u) for (k, st), u in sales.items()], columns=["product_id", "store_id", "units"]
    )
    stock_frame = pd.DataFrame(
        [(pid[k], sid[st], u) for (k, st), u in stock.items()], columns=["product_id", "store_id", "units"]
    )
    if category_store is None:
        totals: dict[tuple[str, str], float] = {}
        for (k, st), u in sales.items():
            key = (skus[k] or "", st)
            totals[key] = totals.get(key, 0) + u
        category_store = {k: v for k, v in totals.items() if k[0]}
    cat_store = pd.DataFrame(
        [(c, sid[st], u) for (c, st), u in category_store.items()], columns=["category", "store_id", "units"]
    )
    cat_sku = pd.DataFrame(
        [(c, pid.get(k, 999), u) for (c, k), u in (category_sku or {}).items()],
        columns=["category", "product_id", "units"],
    )
    return PlanInputs(sku_frame, store_frame, sales_frame, stock_frame, cat_store, cat_sku), sid


def moves(result) -> list[tuple[str, str, str, int]]:
    return [(r.sku, r.origin_store, r.destination_store, r.qty) for r in result.lines.itertuples()]


# --- demand ------------------------------------------------------------------


def test_demand_is_units_over_history_weeks():
    inputs, _ = make(["A", "B"], {("X", "A"): 16, ("X", "B"): 4})
    m = demand_matrices(inputs, RedistParams(rules=V2, history_weeks=8), SCOPE_SKUS)
    assert m.own_demand.tolist() == [[2.0, 0.5]]


def test_negative_units_count_as_zero_demand():
    inputs, _ = make(["A", "B"], {("X", "A"): -3, ("X", "B"): 4})
    m = demand_matrices(inputs, W1, SCOPE_SKUS)
    assert m.own_demand.tolist() == [[0.0, 4.0]]


def test_category_scope_blends_sku_demand_with_category_share():
    # share A = 30/100, B = 70/100; network = 10.
    inputs, _ = make(["A", "B"], {("X", "A"): 10}, category_store={("C", "A"): 30, ("C", "B"): 70})
    m = demand_matrices(inputs, W1, SCOPE_CATEGORY)
    assert m.demand[0] == pytest.approx([0.7 * 10 + 0.3 * 0.3 * 10, 0.3 * 0.7 * 10])  # 7.9, 2.1


def test_sku_scope_uses_own_demand_where_positive_else_blended():
    inputs, _ = make(["A", "B"], {("X", "A"): 10}, category_store={("C", "A"): 30, ("C", "B"): 70})
    m = demand_matrices(inputs, W1, SCOPE_SKUS)
    assert m.demand[0] == pytest.approx([10.0, 2.1])


def test_sku_weight_is_configurable():
    inputs, _ = make(["A", "B"], {("X", "A"): 10}, category_store={("C", "A"): 30, ("C", "B"): 70})
    m = demand_matrices(inputs, RedistParams(rules=V2, history_weeks=1, sku_weight=0.5), SCOPE_CATEGORY)
    assert m.demand[0] == pytest.approx([0.5 * 10 + 0.5 * 0.3 * 10, 0.5 * 0.7 * 10])


def test_network_of_a_sku_without_sales_is_the_category_average_per_selling_sku():
    # Category sells 6 + 2 units over 2 selling SKUs (a third sold 0) in one week: 4 per SKU.
    inputs, _ = make(
        ["A", "B"],
        stock={("NEW", "A"): 0},
        category_store={("C", "A"): 25, ("C", "B"): 75},
        category_sku={("C", "S1"): 6, ("C", "S2"): 2, ("C", "S3"): 0},
    )
    m = demand_matrices(inputs, W1, SCOPE_SKUS)
    assert m.demand[0] == pytest.approx([0.3 * 0.25 * 4, 0.3 * 0.75 * 4])


def test_share_is_over_eligible_stores_only():
    # Category units at a store that is not eligible do not dilute the share.
    inputs, sid = make(["A", "B"], {("X", "A"): 10}, category_store={("C", "A"): 30, ("C", "B"): 70})
    inputs.category_store = pd.concat(
        [inputs.category_store, pd.DataFrame({"category": ["C"], "store_id": [99], "units": [1000]})]
    )
    m = demand_matrices(inputs, W1, SCOPE_CATEGORY)
    assert m.demand[0] == pytest.approx([7.9, 2.1])


# --- destination need: band and urgency ----------------------------------------


@pytest.mark.parametrize(
    ("stock", "expected_qty", "urgent"),
    [
        (1, 5, True),  # need = ceil(2 × 3 − 1) = 5; 1 < 1 × 3 → urgent
        (3, 3, False),  # 3 is not below min_woc × d = 3
        (5, 0, False),  # need 1 < min_fill 2 and not urgent → no move
        (6, 0, False),  # at target
    ],
)
def test_need_moves_a_destination_to_target_woc(stock, expected_qty, urgent):
    inputs, _ = make(["D", "G"], {("X", "D"): 3}, {("X", "D"): stock, ("X", "G"): 100})
    result = plan_transfers(inputs, W1, PlanTarget(destination=10))
    assert sum(result.lines["qty"]) == expected_qty
    if expected_qty:
        assert bool(result.lines["urgent"].iloc[0]) is urgent
        assert result.lines["reason"].iloc[0] == (REASON_URGENT if urgent else REASON_BELOW_TARGET)


def test_need_rounds_before_ceiling():
    # 2 × 1.15 = 2.3 → 3 (not 2); 0.1 × 30 = 3.0000000000000004 → 3 (not 4).
    inputs, _ = make(["D", "G"], {("X", "D"): 1.15}, {("X", "G"): 100})
    result = plan_transfers(inputs, W1, PlanTarget(destination=10))
    assert result.lines["qty"].tolist() == [3]
    inputs, _ = make(["D", "G"], {("X", "D"): 0.1}, {("X", "G"): 100})
    result = plan_transfers(
        inputs, RedistParams(rules=V2, history_weeks=1, target_woc=30, max_woc=40), PlanTarget(destination=10)
    )
    assert result.lines["qty"].tolist() == [3]


def test_no_need_at_or_above_max_woc():
    # target 5, max 5: stock 15 = 5 × 3 → nothing; one unit below → need 1.
    params = RedistParams(rules=V2, history_weeks=1, target_woc=5, max_woc=5, min_fill=1)
    inputs, _ = make(["D", "G"], {("X", "D"): 3}, {("X", "D"): 15, ("X", "G"): 100})
    assert plan_transfers(inputs, params, PlanTarget(destination=10)).lines.empty
    inputs, _ = make(["D", "G"], {("X", "D"): 3}, {("X", "D"): 14, ("X", "G"): 100})
    assert plan_transfers(inputs, params, PlanTarget(destination=10)).lines["qty"].tolist() == [1]


def test_a_store_without_demand_needs_nothing():
    inputs, _ = make(["D", "G"], {("X", "G"): 1}, {("X", "G"): 100}, category_store={("C", "G"): 1})
    assert plan_transfers(inputs, W1, PlanTarget(destination=10)).lines.empty


# --- donor retain floor ----------------------------------------------------------


def test_donor_keeps_max_retain_woc_of_its_own_demand():
    # Donor G: d = 3, stock 10 → retain ceil(2 × 3) = 6, excess 4. Destination needs 10.
    inputs, _ = make(["D", "G"], {("X", "D"): 5, ("X", "G"): 3}, {("X", "G"): 10})
    result = plan_transfers(inputs, W1, PlanTarget(destination=10))
    assert moves(result) == [("X", "G", "D", 4)]
    line = result.lines.iloc[0]
    assert (line.origin_stock, line.origin_retain, line.origin_excess) == (10, 6, 4)
    assert result.shortfalls[["store", "short", "reason"]].values.tolist() == [["D", 6, SHORT_NO_DONOR]]


def test_donor_keeps_at_least_min_store_stock():
    # d = 0.2 → ceil(0.4) = 1 < min_store_stock 3: retain 3, excess 7 - 3 = 4.
    params = RedistParams(rules=V2, history_weeks=1, min_store_stock=3)
    inputs, _ = make(["D", "G"], {("X", "D"): 5, ("X", "G"): 0.2}, {("X", "G"): 7})
    result = plan_transfers(inputs, params, PlanTarget(destination=10))
    assert moves(result) == [("X", "G", "D", 4)]
    assert result.lines["origin_retain"].tolist() == [3]


def test_donor_without_sales_keeps_min_store_stock_only():
    inputs, _ = make(["D", "G"], {("X", "D"): 2}, {("X", "G"): 5})
    result = plan_transfers(inputs, W1, PlanTarget(destination=10))
    assert result.lines[["qty", "origin_retain"]].values.tolist() == [[4, 1]]


# --- min_fill ---------------------------------------------------------------------


def test_min_fill_bump_for_an_urgent_destination():
    # d = 0.5, stock 0: need ceil(1) = 1 < min_fill 2, urgent (0 < 0.5), donor has excess → 2.
    inputs, _ = make(["D", "G"], {("X", "D"): 0.5}, {("X", "G"): 10})
    result = plan_transfers(inputs, W1, PlanTarget(destination=10))
    assert result.lines[["qty", "reason"]].values.tolist() == [[2, REASON_MIN_FILL]]


def test_min_fill_bump_only_within_max_woc():
    # 1 unit in 7 weeks: d = 1/7, stock 0 → need ⌈2 × 1/7⌉ = 1 < min_fill 2, urgent; but 0 + 2 > max_woc 4 × 1/7
    # = 0.571 (14 weeks of cover): no move (SPEC §7).
    inputs, _ = make(["D", "G"], {("X", "D"): 1}, {("X", "G"): 10})
    result = plan_transfers(inputs, RedistParams(rules=V2, history_weeks=7), PlanTarget(destination=10))
    assert result.lines.empty
    assert result.shortfalls[["short", "reason"]].values.tolist() == [[1, SHORT_MIN_FILL]]
    # With max_woc 14 the same move fits (0 + 2 ≤ 14 × 1/7 = 2): bumped to 2.
    wide = RedistParams(rules=V2, history_weeks=7, max_woc=14)
    result = plan_transfers(inputs, wide, PlanTarget(destination=10))
    assert result.lines[["qty", "reason"]].values.tolist() == [[2, REASON_MIN_FILL]]


def test_min_fill_drop_when_destination_is_not_urgent():
    # d = 2, stock 3: need 1, not urgent (3 ≥ 2) → no move.
    inputs, _ = make(["D", "G"], {("X", "D"): 2}, {("X", "D"): 3, ("X", "G"): 10})
    result = plan_transfers(inputs, W1, PlanTarget(destination=10))
    assert result.lines.empty
    assert result.shortfalls["reason"].tolist() == [SHORT_MIN_FILL]


def test_min_fill_drop_when_donor_excess_is_below_min_fill():
    # Urgent destination needs 4 but the donor can give only 1 (stock 2, keeps 1).
    inputs, _ = make(["D", "G"], {("X", "D"): 2}, {("X", "G"): 2})
    result = plan_transfers(inputs, W1, PlanTarget(destination=10))
    assert result.lines.empty
    assert result.shortfalls[["short", "reason"]].values.tolist() == [[4, SHORT_MIN_FILL]]


def test_min_fill_is_configurable():
    inputs, _ = make(["D", "G"], {("X", "D"): 2}, {("X", "D"): 3, ("X", "G"): 10})
    result = plan_transfers(inputs, RedistParams(rules=V2, history_weeks=1, min_fill=1), PlanTarget(destination=10))
    assert result.lines["qty"].tolist() == [1]


# --- caps ------------------------------------------------------------------------------


def test_max_units_per_sku_per_destination():
    inputs, _ = make(["D", "G"], {("X", "D"): 15}, {("X", "G"): 100})
    result = plan_transfers(inputs, W1, PlanTarget(destination=10))
    assert result.lines["qty"].tolist() == [20]  # need 30, cap 20
    assert result.shortfalls[["short", "reason"]].values.tolist() == [[10, SHORT_CAP_DEST]]
    result = plan_transfers(
        inputs, RedistParams(rules=V2, history_weeks=1, max_units_per_sku_per_dest=25), PlanTarget(destination=10)
    )
    assert result.lines["qty"].tolist() == [25]


def test_per_destination_cap_spans_several_donors():
    # Need 30; two donors with 12 excess each; cap 20 → 12 + 8.
    inputs, _ = make(["D", "G1", "G2"], {("X", "D"): 15}, {("X", "G1"): 13, ("X", "G2"): 13})
    result = plan_transfers(inputs, W1, PlanTarget(destination=10))
    assert sorted(result.lines["qty"].tolist()) == [8, 12]


def test_max_rows_stops_the_plan():
    stores = ["D1", "D2", "D3", "G"]
    inputs, _ = make(stores, {("X", d): 2 for d in stores[:3]}, {("X", "G"): 100})
    result = plan_transfers(inputs, RedistParams(rules=V2, history_weeks=1, max_rows=2), PlanTarget())
    assert len(result.lines) == 2
    assert result.cap_hit == SHORT_MAX_ROWS
    assert result.shortfalls["reason"].tolist() == [SHORT_MAX_ROWS]
    assert result.summary["cap_hit"] == SHORT_MAX_ROWS


def test_max_units_is_a_global_cap():
    stores = ["D1", "D2", "D3", "G"]
    inputs, _ = make(stores, {("X", d): 2 for d in stores[:3]}, {("X", "G"): 100})
    result = plan_transfers(inputs, RedistParams(rules=V2, history_weeks=1, max_units=10), PlanTarget())
    assert result.lines["qty"].tolist() == [4, 4, 2]
    assert result.cap_hit == SHORT_MAX_UNITS
    assert result.shortfalls[["store", "short", "reason"]].values.tolist() == [["D3", 2, SHORT_MAX_UNITS]]
    result = plan_transfers(inputs, RedistParams(rules=V2, history_weeks=1, max_units=8), PlanTarget())
    assert result.lines["qty"].tolist() == [4, 4]
    assert result.cap_hit == SHORT_MAX_UNITS
    assert result.shortfalls[["store", "reason"]].values.tolist() == [["D3", SHORT_MAX_UNITS]]


# --- who gives, who receives -------------------------------------------------------------


def test_all_stores_serves_urgent_destinations_first():
    # Donor G has 6 to give. U: d = 2, stock 0 (urgent, need 4). H: d = 5, stock 6 (not urgent, need 4).
    inputs, _ = make(["G", "H", "U"], {("X", "U"): 2, ("X", "H"): 5}, {("X", "G"): 7, ("X", "H"): 6})
    result = plan_transfers(inputs, W1, PlanTarget())
    assert moves(result) == [("X", "G", "U", 4), ("X", "G", "H", 2)]


def test_then_higher_demand_then_stronger_category_store():
    # Three non-urgent destinations; donor gives 4, two moves of 2.
    # P: d 4 stock 6 → need 2; Q and R: d 2 stock 2 → need 2; R is stronger in the category.
    inputs, _ = make(
        ["G", "P", "Q", "R"],
        {("X", "P"): 4, ("X", "Q"): 2, ("X", "R"): 2},
        {("X", "G"): 5, ("X", "P"): 6, ("X", "Q"): 2, ("X", "R"): 2},
        category_store={("C", "P"): 10, ("C", "Q"): 10, ("C", "R"): 50},
    )
    result = plan_transfers(inputs, W1, PlanTarget())
    assert [m[2] for m in moves(result)] == ["P", "R"]


def test_donors_give_largest_excess_first():
    inputs, _ = make(["D", "G1", "G2"], {("X", "D"): 2}, {("X", "G1"): 5, ("X", "G2"): 9})
    result = plan_transfers(inputs, W1, PlanTarget(destination=10))
    assert moves(result) == [("X", "G2", "D", 4)]


def test_a_store_is_never_donor_and_destination_of_one_sku():
    # Lower retain than target: B (d 2, stock 3) has excess 1 (retain 2) and a need of 1.
    params = RedistParams(rules=V2, history_weeks=1, max_retain_woc=1, min_fill=1)
    inputs, _ = make(["A", "B", "G"], {("X", "A"): 2, ("X", "B"): 2}, {("X", "B"): 3, ("X", "G"): 10})
    result = plan_transfers(inputs, params, PlanTarget())
    origins = set(result.lines["origin_store"])
    destinations = set(result.lines["destination_store"])
    assert not origins & destinations
    assert destinations == {"A"}


def test_one_destination_only_that_store_receives():
    inputs, _ = make(["A", "B", "G"], {("X", "A"): 2, ("X", "B"): 2}, {("X", "G"): 20})
    result = plan_transfers(inputs, W1, PlanTarget(destination=20))
    assert moves(result) == [("X", "G", "B", 4)]


def test_the_destination_is_never_a_donor():
    # One destination D has excess of X; it still does not give X to anyone.
    inputs, _ = make(["A", "D"], {("X", "A"): 2}, {("X", "D"): 50})
    assert plan_transfers(inputs, W1, PlanTarget(destination=20)).lines.empty


def test_only_the_origin_gives_when_donors_are_not_auto_picked():
    inputs, _ = make(["D", "G", "O"], {("X", "D"): 3}, {("X", "G"): 50, ("X", "O"): 4})
    result = plan_transfers(inputs, W1, PlanTarget(destination=10, origin=30, auto_pick_donors=False))
    assert moves(result) == [("X", "O", "D", 3)]  # O keeps 1
    assert result.shortfalls[["short", "reason"]].values.tolist() == [[3, SHORT_NO_DONOR]]


def test_origin_gives_first_then_other_donors_complete():
    inputs, _ = make(["D", "G", "O"], {("X", "D"): 3}, {("X", "G"): 50, ("X", "O"): 4})
    result = plan_transfers(inputs, W1, PlanTarget(destination=10, origin=30, auto_pick_donors=True))
    assert moves(result) == [("X", "O", "D", 3), ("X", "G", "D", 3)]


def test_origin_to_all_stores_never_sends_to_itself():
    inputs, _ = make(["A", "B", "O"], {("X", "A"): 2, ("X", "B"): 1, ("X", "O"): 5}, {("X", "O"): 30})
    result = plan_transfers(inputs, W1, PlanTarget(origin=30, auto_pick_donors=False))
    assert moves(result) == [("X", "O", "A", 4), ("X", "O", "B", 2)]


# --- quantities from a file ------------------------------------------------------------------


def test_override_qty_is_the_need_but_the_donor_floor_holds():
    # File asks 9 for D, whose band says 0 (stock 10 ≥ 4 × 2). Donor O: d 3, stock 12 → keeps 6, gives 6.
    inputs, _ = make(["D", "O"], {("X", "D"): 2, ("X", "O"): 3}, {("X", "D"): 10, ("X", "O"): 12}, file_qty={"X": 9})
    result = plan_transfers(
        inputs, W1, PlanTarget(destination=10, origin=20, auto_pick_donors=False, qty_mode=QTY_OVERRIDE)
    )
    assert result.lines[["qty", "origin_retain", "reason"]].values.tolist() == [[6, 6, REASON_OVERRIDE]]
    assert result.shortfalls[["need", "short"]].values.tolist() == [[9, 3]]


def test_override_qty_below_min_fill_is_kept():
    inputs, _ = make(["D", "O"], {("X", "D"): 2}, {("X", "O"): 12}, file_qty={"X": 1})
    result = plan_transfers(inputs, W1, PlanTarget(destination=10, qty_mode=QTY_OVERRIDE))
    assert result.lines["qty"].tolist() == [1]


def test_override_ignored_for_skus_without_file_qty():
    inputs, _ = make(["D", "O"], {("X", "D"): 2, ("Y", "D"): 2}, {("X", "O"): 12, ("Y", "O"): 12}, file_qty={"X": 7})
    result = plan_transfers(inputs, W1, PlanTarget(destination=10, qty_mode=QTY_OVERRIDE))
    assert dict(zip(result.lines["sku"], result.lines["qty"], strict=True)) == {"X": 7, "Y": 4}
    assert dict(zip(result.lines["sku"], result.lines["reason"], strict=True))["Y"] == REASON_URGENT


def test_file_qty_as_a_ceiling_when_the_system_does_not_decide():
    inputs, _ = make(
        ["D", "O"], {("X", "D"): 5, ("Y", "D"): 5}, {("X", "O"): 50, ("Y", "O"): 50}, file_qty={"X": 3, "Y": 30}
    )
    result = plan_transfers(inputs, W1, PlanTarget(destination=10, qty_mode=QTY_FILE_MAX))
    assert dict(zip(result.lines["sku"], result.lines["qty"], strict=True)) == {"X": 3, "Y": 10}
    assert set(result.lines["reason"]) == {REASON_FILE_QTY}


# --- explanation fields, summary, Top N ---------------------------------------------------------


def test_line_carries_cover_before_and_after():
    inputs, _ = make(["D", "G"], {("X", "D"): 4}, {("X", "D"): 2, ("X", "G"): 40})
    line = plan_transfers(inputs, W1, PlanTarget(destination=10)).lines.iloc[0]
    assert line.qty == 6
    assert (line.destination_stock, line.destination_demand, line.destination_need) == (2, 4.0, 6)
    assert line.cover_before == pytest.approx(0.5)
    assert line.cover_after == pytest.approx(2.0)


def test_summary_counts():
    inputs, _ = make(["G", "H", "U"], {("X", "U"): 2, ("X", "H"): 5}, {("X", "G"): 7, ("X", "H"): 6})
    summary = plan_transfers(inputs, W1, PlanTarget()).summary
    assert summary["moves"] == 2
    assert summary["units"] == 6
    assert summary["skus_moved"] == 1
    assert summary["stores_affected"] == 3
    assert summary["destinations_short"] == 1  # H still needs 2
    assert summary["short_units"] == 2


def test_top_skus_by_category_demand():
    frame = pd.DataFrame(
        {
            "category": ["C"] * 4,
            "product_id": [1, 2, 3, 4],
            "sku": ["0004", "0003", "0002", "0001"],
            "units": [5, 9, 5, 0],
        }
    )
    assert top_skus(frame, 2)["sku"].tolist() == ["0003", "0002"]
    assert top_skus(frame, 10)["sku"].tolist() == ["0003", "0002", "0004"]


def test_params_errors():
    assert RedistParams().errors() == []
    problems = RedistParams(target_woc=0.5, min_fill=0, sku_weight=1.5).errors()
    assert len(problems) == 3
