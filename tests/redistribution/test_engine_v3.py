"""SPEC v3 §7, moves worth a truck, on tables small enough to check by hand.

history_weeks=1, so demand = the units given. Defaults: min_woc 1, target_woc 2,
max_woc 4, max_retain_woc 2, min_store_stock 1, min_fill 2, min_move_units 3, min_gain 1.25.
"""

from __future__ import annotations

from redistribution.engine import (
    QTY_OVERRIDE,
    REASON_BELOW_TARGET,
    REASON_MIN_FILL,
    REASON_OVERRIDE,
    REASON_URGENT,
    SHORT_MIN_MOVE,
    SHORT_NO_GAIN,
    PlanTarget,
    RedistParams,
    plan_transfers,
)
from tests.redistribution.test_engine import make, moves

V3 = RedistParams(history_weeks=1)
V2 = RedistParams(history_weeks=1, rules="v2")


def test_v3_is_the_default_and_v2_stays_one_flag_away():
    assert RedistParams().rules == "v3" and (RedistParams().min_move_units, RedistParams().min_gain) == (3, 1.25)
    assert RedistParams(rules="v1").errors() == [{"code": "redistribution.rules_unknown", "params": {}}]
    assert RedistParams(min_move_units=0, min_gain=-1).errors() == [
        {"code": "redistribution.param_between", "params": {"name": "min_move_units", "low": 1, "high": 1000}},
        {"code": "redistribution.param_between", "params": {"name": "min_gain", "low": 0, "high": 100}},
    ]


def test_a_move_under_min_move_units_is_not_made():
    # D sells 1, has 0: need ⌈2 × 1⌉ = 2 (urgent). G sells 0, has 10: keeps 1, gives up to 9.
    inputs, _ = make(["D", "G"], {("X", "D"): 1}, {("X", "G"): 10})
    assert moves(plan_transfers(inputs, V2, PlanTarget(destination=10))) == [("X", "G", "D", 2)]
    result = plan_transfers(inputs, V3, PlanTarget(destination=10))
    assert result.lines.empty
    assert result.shortfalls[["store", "short", "reason"]].values.tolist() == [["D", 2, SHORT_MIN_MOVE]]
    two = RedistParams(history_weeks=1, min_move_units=2)
    assert moves(plan_transfers(inputs, two, PlanTarget(destination=10))) == [("X", "G", "D", 2)]


def test_the_min_fill_bump_applies_first():
    # Need 2 (urgent); min_fill 3 raises it to 3 (0 + 3 ≤ max_woc 4 × 1): 3 ≥ min_move_units, made.
    inputs, _ = make(["D", "G"], {("X", "D"): 1}, {("X", "G"): 10})
    result = plan_transfers(inputs, RedistParams(history_weeks=1, min_fill=3), PlanTarget(destination=10))
    assert result.lines[["qty", "reason"]].values.tolist() == [[3, REASON_MIN_FILL]]


def test_gain_a_destination_selling_min_gain_times_the_donor():
    # D sells 5, has 6 (cover 1.2: not urgent): needs ⌈10 − 6⌉ = 4. G sells 4, has 30: keeps 8, gives 22.
    # 5 ≥ 1.25 × 4 = 5: worth it.
    inputs, _ = make(["D", "G"], {("X", "D"): 5, ("X", "G"): 4}, {("X", "D"): 6, ("X", "G"): 30})
    result = plan_transfers(inputs, V3, PlanTarget(destination=10))
    assert result.lines[["qty", "reason"]].values.tolist() == [[4, REASON_BELOW_TARGET]]


def test_no_move_between_stores_of_similar_demand():
    # D sells 5, has 6: needs 4, not urgent. G sells 5 too, has 20: keeps 10, gives 10.
    # 5 < 1.25 × 5; G after the move 16 ≤ max_woc 4 × 5 = 20: not worth a truck.
    inputs, _ = make(["D", "G"], {("X", "D"): 5, ("X", "G"): 5}, {("X", "D"): 6, ("X", "G"): 20})
    assert moves(plan_transfers(inputs, V2, PlanTarget(destination=10))) == [("X", "G", "D", 4)]
    result = plan_transfers(inputs, V3, PlanTarget(destination=10))
    assert result.lines.empty
    assert result.shortfalls[["short", "reason"]].values.tolist() == [[4, SHORT_NO_GAIN]]
    # A lower min_gain lets it go.
    low = RedistParams(history_weeks=1, min_gain=1.0)
    assert moves(plan_transfers(inputs, low, PlanTarget(destination=10))) == [("X", "G", "D", 4)]


def test_an_overstocked_donor_may_give_to_a_similar_store():
    # As above, but G has 30: after giving 4 it holds 26 > max_woc 4 × 5 = 20 weeks' worth: worth it.
    inputs, _ = make(["D", "G"], {("X", "D"): 5, ("X", "G"): 5}, {("X", "D"): 6, ("X", "G"): 30})
    assert moves(plan_transfers(inputs, V3, PlanTarget(destination=10))) == [("X", "G", "D", 4)]


def test_an_urgent_destination_may_take_from_a_calm_similar_donor():
    # D sells 5, has 2 (< min_woc 1 × 5: urgent): needs 8. G sells 5, has 20 (calm): gives 8 of its 10 excess.
    inputs, _ = make(["D", "G"], {("X", "D"): 5, ("X", "G"): 5}, {("X", "D"): 2, ("X", "G"): 20})
    result = plan_transfers(inputs, V3, PlanTarget(destination=10))
    assert result.lines[["qty", "reason"]].values.tolist() == [[8, REASON_URGENT]]


def test_a_donor_that_fails_the_gain_test_is_skipped_for_the_next_one():
    # D sells 5, has 6: needs 4. G1 sells 5, has 20 (excess 10, the largest): fails the gain test.
    # G2 sells 1, has 10 (keeps 2, excess 8): 5 ≥ 1.25 × 1, it gives the 4.
    inputs, _ = make(
        ["D", "G1", "G2"],
        {("X", "D"): 5, ("X", "G1"): 5, ("X", "G2"): 1},
        {("X", "D"): 6, ("X", "G1"): 20, ("X", "G2"): 10},
    )
    assert moves(plan_transfers(inputs, V2, PlanTarget(destination=10))) == [("X", "G1", "D", 4)]
    assert moves(plan_transfers(inputs, V3, PlanTarget(destination=10))) == [("X", "G2", "D", 4)]


def test_inactive_stores_only_donate():
    # I is inactive: it sells 3 and has 0 (would need 6), yet gets nothing; it still gives its 9 (keeps 1).
    inputs, _ = make(["A", "I", "G"], {("X", "A"): 3, ("X", "I"): 3}, {("X", "G"): 4})
    inputs.stores["active"] = [True, False, True]
    assert sorted(moves(plan_transfers(inputs, V2, PlanTarget()))) == [("X", "G", "A", 3)]  # v2: I is a destination
    v2_all = plan_transfers(inputs, V2, PlanTarget())
    assert set(v2_all.lines["destination_store"]) | set(v2_all.shortfalls["store"]) == {"A", "I"}
    v3 = plan_transfers(inputs, V3, PlanTarget())
    assert moves(v3) == [("X", "G", "A", 3)]
    assert "I" not in set(v3.shortfalls["store"])  # not a destination at all
    donor, _ = make(["A", "I"], {("X", "A"): 3}, {("X", "I"): 10})
    donor.stores["active"] = [True, False]
    assert moves(plan_transfers(donor, V3, PlanTarget())) == [("X", "I", "A", 6)]


def test_a_file_override_is_not_gated():
    inputs, _ = make(["D", "G"], {("X", "D"): 1}, {("X", "G"): 10}, file_qty={"X": 2})
    result = plan_transfers(inputs, V3, PlanTarget(destination=10, qty_mode=QTY_OVERRIDE))
    assert result.lines[["qty", "reason"]].values.tolist() == [[2, REASON_OVERRIDE]]


def test_the_summary_counts_moves_under_three_units():
    # v2: D1 (sells 1, has 0) gets 2; D2 (sells 3, has 0) gets 6 → 1 of 2 moves under 3 units.
    inputs, _ = make(["D1", "D2", "G"], {("X", "D1"): 1, ("X", "D2"): 3}, {("X", "G"): 20})
    summary = plan_transfers(inputs, V2, PlanTarget()).summary
    assert (summary["moves"], summary["units"], summary["small_moves"], summary["small_moves_share"]) == (2, 8, 1, 0.5)
    summary = plan_transfers(inputs, V3, PlanTarget()).summary
    assert (summary["moves"], summary["units"], summary["small_moves"], summary["small_moves_share"]) == (1, 6, 0, 0.0)
    empty, _ = make(["D", "G"], {("X", "D"): 0}, {("X", "G"): 1})
    assert plan_transfers(empty, V3, PlanTarget()).summary["small_moves_share"] == 0.0


def test_stores_without_the_active_column_are_all_active():
    inputs, _ = make(["D", "G"], {("X", "D"): 3}, {("X", "G"): 10})
    assert "active" not in inputs.stores.columns
    assert moves(plan_transfers(inputs, V3, PlanTarget())) == [("X", "G", "D", 6)]
