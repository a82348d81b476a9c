"""The planning metrics on tiny hand-checkable frames (issue 26, docs/planning.md)."""

import math

import pandas as pd
import pytest

from benchmarks import planning_metrics as m


def truth(*rows):
    """(sku, store, demand, rate, base_rate, stock)."""
    return pd.DataFrame(rows, columns=["sku", "store", "demand", "rate", "base_rate", "stock"])


def lines(*rows):
    """(sku, store, suggested_qty, allocated_qty, store_stock)."""
    return pd.DataFrame(rows, columns=["sku", "store", "suggested_qty", "allocated_qty", "store_stock"])


NO_LINES = lines()


def test_oos_left_empty_counts_out_of_stock_pairs_with_demand_that_got_nothing():
    t = truth(
        ("A", "T1", 4, 1.0, 1.0, 0),  # out, demand, got 2: served
        ("A", "T2", 3, 1.0, 1.0, 0),  # out, demand, line allocated 0 (CD): left empty
        ("A", "T3", 5, 1.0, 1.0, 0),  # out, demand, no line: left empty
        ("A", "T4", 0, 0.5, 0.5, 0),  # out, no demand: not counted
        ("A", "T5", 6, 2.0, 2.0, 3),  # in stock: not counted
        ("B", "T1", 9, 2.0, 2.0, 0),  # SKU outside `skus`
        ("A", "T9", 9, 2.0, 2.0, 0),  # store outside `stores`
    )
    plan = lines(("A", "T1", 2, 2, 0), ("A", "T2", 2, 0, 0))
    got = m.oos_left_empty(plan, t, skus=["A"], stores=["T1", "T2", "T3", "T4", "T5"])
    assert got == {"pairs": 3, "left_empty": 2, "share": pytest.approx(2 / 3), "demand_unserved": 8}


def test_oos_left_empty_without_such_pairs_is_zero():
    got = m.oos_left_empty(NO_LINES, truth(("A", "T1", 0, 0.0, 0.0, 0)), skus=["A"], stores=["T1"])
    assert got == {"pairs": 0, "left_empty": 0, "share": 0.0, "demand_unserved": 0}


def test_over_cover_lines_uses_the_true_rate_and_counts_zero_rate_as_infinite():
    t = truth(("A", "T1", 4, 1.0, 1.0, 2), ("A", "T2", 1, 0.25, 0.25, 0), ("A", "T3", 0, 0.0, 0.0, 0))
    plan = lines(
        ("A", "T1", 24, 24, 2),  # (2 + 24) / 1.0 = 26 weeks: not over
        ("A", "T2", 12, 12, 0),  # 12 / 0.25 = 48 weeks: over
        ("A", "T3", 6, 6, 0),  # no demand: infinite cover
        ("A", "T4", 6, 0, 0),  # ships nothing: not a line that ships
        ("A", "T5", 1, 1, 0),  # no truth row: rate 0, over
    )
    got = m.over_cover_lines(plan, t, weeks=26)
    assert (got["lines"], got["over"], got["units_over"], got["units"]) == (4, 3, 19, 43)
    assert got["share"] == pytest.approx(0.75)


def test_launch_reach_is_the_share_of_true_demand_at_stores_that_got_units():
    t = truth(
        ("N", "T1", 6, 1.5, 0.0, 0),
        ("N", "T2", 3, 0.75, 0.0, 0),
        ("N", "T3", 1, 0.25, 0.0, 0),
        ("M", "T1", 4, 1.0, 0.0, 0),
        ("L", "T1", 5, 1.25, 0.0, 4),  # a launching SKU's first store: its launch stock, no line needed
        ("L", "T2", 5, 1.25, 0.0, 0),  # not reached
    )
    plan = lines(("N", "T1", 2, 2, 0), ("N", "T3", 2, 0, 0), ("M", "T1", 2, 2, 0))
    got = m.launch_reach(plan, t, skus=["N", "M", "L"])
    assert got["by_sku"] == {"L": 0.0, "M": 1.0, "N": 0.6}  # N: 6 of 10 got a line; L: none
    assert (got["skus"], got["skus_at_half"]) == (3, 2)
    assert got["mean"] == pytest.approx((0.6 + 1.0 + 0.0) / 3) and got["min"] == pytest.approx(0.0)
    assert got["carried_mean"] == pytest.approx((0.6 + 1.0 + 0.5) / 3)  # L: 5 of 10 on the shelf


def test_cd_short_shelves_counts_empty_shelves_left_and_units_short():
    t = truth(
        ("S", "T1", 8, 2.0, 2.0, 0),  # empty, gets 3: 5 short
        ("S", "T2", 4, 1.0, 1.0, 0),  # empty, gets nothing: left empty, 4 short
        ("S", "T3", 2, 0.5, 0.5, 5),  # stocked: 0 short
        ("S", "T4", 0, 0.0, 0.0, 0),  # empty without demand: not a shelf to fill
        ("X", "T1", 9, 2.0, 2.0, 0),  # not a CD-short SKU
    )
    plan = lines(("S", "T1", 4, 3, 0), ("S", "T2", 2, 0, 0))
    got = m.cd_short_shelves(plan, t, skus=["S"], stores=["T1", "T2", "T3", "T4"])
    assert got == {"empty_before": 2, "empty_shelves": 1, "units_short": 9, "allocated": 3}


def test_promo_inflation_compares_the_suggestion_with_the_base_rates():
    t = truth(("P", "T1", 4, 1.0, 1.0, 0), ("P", "T2", 8, 2.0, 2.0, 1), ("Q", "T1", 4, 1.0, 1.0, 0))
    # Base: ceil(2 × 1) − 0 = 2, ceil(2 × 2) − 1 = 3 → 5; the plan suggested 6 + 4 = 10.
    plan = lines(("P", "T1", 6, 6, 0), ("P", "T2", 4, 4, 1), ("Q", "T1", 50, 50, 0))
    got = m.promo_inflation(plan, t, skus=["P"], target_woc=2.0)
    assert got == {"skus": 1, "suggested": 10, "base": 5, "ratio": pytest.approx(2.0)}


def test_store_lines_counts_stores_that_got_units():
    plan = lines(("A", "N1", 2, 2, 0), ("B", "N1", 2, 2, 0), ("A", "N2", 2, 0, 0), ("A", "T1", 5, 5, 0))
    got = m.store_lines(plan, stores=["N1", "N2"])
    assert got == {"stores": 2, "stores_reached": 1, "share": 0.5, "lines": 2, "units": 4}


def test_move_quality_small_moves_and_similar_demand():
    t = truth(
        ("A", "D1", 0, 1.0, 1.0, 0),
        ("A", "R1", 0, 2.0, 2.0, 0),
        ("A", "R2", 0, 1.2, 1.2, 0),
        ("A", "R3", 0, 0.5, 0.5, 0),
    )
    moves = pd.DataFrame(
        [
            ("A", "D1", "R1", 5),  # 2.0 ≥ 1.25 × 1.0: towards demand
            ("A", "D1", "R2", 2),  # 1.2 < 1.25: similar, small
            ("A", "D1", "R3", 1),  # 0.5: against the gradient, small
            ("A", "X", "Y", 4),  # no truth at either store: no gradient, similar
        ],
        columns=["sku", "origin_store", "destination_store", "qty"],
    )
    got = m.move_quality(moves, t, small=2, similar=1.25)
    assert (got["moves"], got["units"], got["small"], got["similar"]) == (4, 12, 2, 3)
    assert (got["small_share"], got["similar_share"]) == (0.5, 0.75)
    assert m.move_quality(moves.iloc[0:0], t)["moves"] == 0


def test_goals_pass_and_fail_against_their_thresholds_and_v2():
    v2 = {"over_26w_lines": 100, "cd_short_empty_shelves": 40, "cd_short_units_short": 500, "promo_inflation": 2.1}
    v3 = {"over_26w_lines": 10, "cd_short_empty_shelves": 5, "cd_short_units_short": 501, "promo_inflation": 1.3}
    checks = m.goal_checks(v3, v2)
    assert checks == {
        "over_26w_lines": True,  # 10 ≤ 10% of 100
        "cd_short_empty_shelves": False,  # 5 > 4
        "cd_short_units_short": False,  # more units short than v2
        "promo_inflation": True,
    }
    # v2 measured alone: the relative goals have nothing to compare with.
    assert m.goal_checks(v2, None) == {
        "over_26w_lines": None,
        "cd_short_empty_shelves": None,
        "cd_short_units_short": None,
        "promo_inflation": False,
    }
    assert m.goal_checks({"oos_left_empty_share": 0.051, "small_moves_share": 0.25}, None) == {
        "oos_left_empty_share": False,
        "small_moves_share": True,
    }


def test_format_value():
    assert m.format_value("small_moves_share", 0.6712) == "67.1%"
    assert m.format_value("promo_inflation", 2.104) == "2.10×"
    assert m.format_value("over_26w_lines", 5060) == "5,060"
    assert m.format_value("over_26w_lines", None) == "—"
    assert m.format_value("promo_inflation", math.nan) == "—"
