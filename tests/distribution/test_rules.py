"""The v3 distribution rules (SPEC v3 §4.6, §5.2–§5.4a), one hand-checked case each.

Weeks are Mondays: W(0) is the as-of week, W(-11) the first of a 12-week window.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
import pytest
from django.utils import translation

from distribution import engine, explain, rules
from distribution.engine import DistributionParams, EngineInputs

AS_OF = dt.date(2026, 3, 2)
STORES = {1: "Tienda 1", 2: "Tienda 2", 3: "Tienda 3", 4: "Tienda 4", 5: "Tienda 5"}


def W(offset: int) -> dt.date:
    return AS_OF + dt.timedelta(weeks=offset)


def run(
    scope: list[dict] | None = None,
    sales: Sequence[tuple] = (),
    category_units: Sequence[tuple] = (),
    stock: Sequence[tuple] = (),
    cd: Sequence[tuple] = (),
    stores: pd.DataFrame | None = None,
    promotions: Sequence[tuple] = (),
    lift: dict | None = None,
    language: str = "es",
    **params,
) -> engine.EngineResult:
    """scope: dicts (sku, product_id, category, …); sales: (product_id, store, week, units);
    category_units: (category, store, units, skus); stock: (product_id, store, units); cd: (product_id, units);
    promotions: (product_id, store or None, start, end, name)."""
    scope = scope or [{"sku": "A", "product_id": 1, "category": "Audio"}]
    inputs = EngineInputs(
        scope=pd.DataFrame(scope),
        sales=pd.DataFrame(list(sales), columns=["product_id", "store_id", "week_start", "units"]),
        category_units=pd.DataFrame(list(category_units), columns=["category", "store_id", "units", "skus"]),
        store_stock=pd.DataFrame(list(stock), columns=["product_id", "store_id", "units"]),
        cd_stock=pd.DataFrame(list(cd), columns=["product_id", "units"]),
        stores=stores if stores is not None else pd.DataFrame(list(STORES.items()), columns=["store_id", "store_name"]),
        as_of_week=AS_OF,
        promotions=pd.DataFrame(list(promotions), columns=["product_id", "store_id", "start_date", "end_date", "name"]),
        category_lift=lift or {},
    )
    p = DistributionParams(**params)
    result = engine.generate(inputs, p)
    with translation.override(language):
        result.lines["explanation"] = explain.line_explanations(result.lines, p.as_dict())
    return result


def lines_of(result: engine.EngineResult, sku: str = "A") -> dict[int, dict]:
    lines = result.store_lines[result.store_lines["sku"] == sku]
    return {int(row["store_id"]): row for row in lines.to_dict("records")}


# --- parameters ------------------------------------------------------------------------


def test_rules_v2_puts_every_default_back_at_once():
    v2 = DistributionParams(rules="v2")
    assert (v2.rate_rule, v2.cd_rule, v2.pack_rule, v2.promo_rule, v2.launch_rule) == (
        "sma",
        "priority",
        "nearest",
        "ignore",
        "category",
    )
    assert (v2.launch_weeks, v2.new_store_weeks) == (0, 0)
    # A flag given with rules=v2 still wins: each rule is one flag away.
    assert DistributionParams(rules="v2", cd_rule="equal_cover").cd_rule == "equal_cover"
    # A run stored before v3 has no `rules`: it reads back as v2.
    assert DistributionParams.from_dict({"model": "SMA1"}).cd_rule == "priority"
    assert DistributionParams.from_dict(DistributionParams().as_dict()) == DistributionParams()


def test_rules_v2_ignores_every_v3_input_and_inactive_stores_still_get_lines():
    """`rules = v2` gives v2's outputs identically: the same run with every v3
    input (an inactive store, an opening store and its like store, a
    promotion, a display minimum, a like SKU, a launching SKU) and without
    them gives the same lines."""
    stores = pd.DataFrame(
        {
            "store_id": [1, 2, 3, 4],
            "store_name": ["Tienda 1", "Tienda 2", "Tienda 3", "Tienda 4"],
            "like_store_id": [None, 1, None, None],
            "size_factor": [1.0, 0.5, 1.0, 1.0],
            "active": [True, True, False, True],
            "sales_weeks": [50, 0, 40, 50],
        }
    )
    scope = [
        {"sku": "A", "product_id": 1, "category": "Audio", "display_min": 9, "pack_size": 6},
        {"sku": "NEW", "product_id": 2, "category": "Audio", "like_sku": "A", "like_product_id": 1},
        {"sku": "L", "product_id": 3, "category": "Audio"},
    ]
    # A: 4 a week at stores 1 and 3 (3 inactive, out of stock), 1 at store 4 until W(-6); L first sold in W(0).
    sales = [(1, s, W(-i), 4) for s in (1, 3) for i in range(12)] + [(1, 4, W(-6 - i), 1) for i in range(6)]
    sales += [(3, 1, W(0), 5)]
    cats = [("Audio", 1, 48, 1), ("Audio", 3, 48, 1), ("Audio", 4, 6, 1)]
    common: dict[str, Any] = {
        "sales": sales,
        "category_units": cats,
        "stock": [(1, 1, 2)],
        "cd": [(1, 100), (2, 100), (3, 4)],
    }
    promos = [(1, None, W(0), W(1), "Navidad")]
    with_v3 = run(scope=scope, stores=stores, promotions=promos, lift={"Audio": 2.0}, rules="v2", **common)
    v3_columns = ("display_min", "like_sku", "like_product_id")
    plain_scope = [{k: v for k, v in row.items() if k not in v3_columns} for row in scope]
    plain = run(scope=plain_scope, stores=stores[["store_id", "store_name"]], rules="v2", **common)
    columns = [c for c in engine.LINE_COLUMNS if c not in ("display_min", "like_name", "factor")]
    pd.testing.assert_frame_equal(with_v3.lines[columns], plain.lines[columns])
    a = lines_of(with_v3)
    # SMA2 4/wk → need 8: store 1 (stock 2) 6 → one pack of 6; store 3, inactive, still gets 8 → 6 (nearest);
    # store 4 sold nothing lately: no line (v2 reads no out-of-stock rate); the opening store 2 none.
    assert {s: line["suggested_qty"] for s, line in a.items()} == {1: 6, 3: 6}
    assert {line["reason"] for line in a.values()} == {engine.SALES_RATE}
    # NEW goes by the category (top stores 1, 3, 4), not by its like SKU; L is not launching.
    assert set(lines_of(with_v3, "NEW")) == {1, 3, 4}
    assert lines_of(with_v3, "NEW")[1]["model_name"] == engine.COLD_START_MODEL
    assert set(lines_of(with_v3, "L")) == {1}
    # Under v3 the inactive store gets nothing.
    assert 3 not in lines_of(run(scope=scope, stores=stores, promotions=promos, **common))


# --- §5.2 in-stock rate and display minimum -------------------------------------------


def test_a_store_that_ran_out_is_planned_at_its_in_stock_rate():
    # 12-week window W(-11)..W(0): 3 a week for 6 weeks, then out of stock (no sale) for 6.
    sales = [(1, 1, W(-11 + i), 3) for i in range(6)]
    line = lines_of(run(sales=sales, cd=[(1, 100)], model="SMA2"))[1]
    # SMA2 = 0; in stock: 18 units over 6 weeks = 3/week → 2 weeks × 3 = 6.
    assert line["rate"] == 3.0
    assert line["suggested_qty"] == 6
    assert line["reason"] == engine.OUT_OF_STOCK_RATE
    assert (line["in_stock_units"], line["in_stock_weeks"]) == (18, 6)
    assert "sin stock: 18 u en 6 sem hasta la última venta = 3/sem" in line["explanation"]


def test_a_store_with_stock_keeps_its_sma_and_sma_rule_is_v2():
    sales = [(1, 1, W(-11 + i), 3) for i in range(6)]
    # Stock 1 at the store: not out of stock → SMA 0 → no line.
    assert lines_of(run(sales=sales, stock=[(1, 1, 1)], cd=[(1, 100)])) == {}
    assert lines_of(run(sales=sales, cd=[(1, 100)], rate_rule="sma")) == {}


def test_in_stock_rate_only_raises():
    rate, raised = rules.in_stock_rate(
        np.array([4.0, 1.0, 1.0]), np.array([12, 12, 12]), np.array([6, 6, 6]), np.array([0, 0, 5])
    )
    assert rate.tolist() == [4.0, 2.0, 1.0] and raised.tolist() == [False, True, False]


def test_display_minimum_fills_an_empty_shelf():
    scope = [{"sku": "A", "product_id": 1, "category": "Audio", "display_min": 5}]
    sales = [(1, s, W(-1), 1) for s in (1, 3)] + [(1, s, W(0), 1) for s in (1, 3)]
    sales += [(1, 2, W(-1), 4), (1, 2, W(0), 4), (1, 4, W(-1), 4), (1, 4, W(0), 4)]
    stock = [(1, 1, 2), (1, 2, 3)]
    lines = lines_of(run(scope=scope, sales=sales, stock=stock, cd=[(1, 100)]))
    # Store 3 (empty shelf): ⌈2 × 1⌉ = 2 < 5 → 5. Store 1 still holds 2: no top-up to the
    # display minimum (2 − 2 = 0, no line). Stores 2 and 4: ⌈2 × 4⌉ = 8 ≥ 5 → 8 − 3 = 5 and 8.
    assert set(lines) == {2, 3, 4}
    assert (lines[3]["suggested_qty"], lines[3]["reason"], lines[3]["display_min"]) == (5, engine.DISPLAY_MIN, 5)
    assert (lines[2]["suggested_qty"], lines[2]["reason"]) == (5, engine.SALES_RATE)
    assert (lines[4]["suggested_qty"], lines[4]["reason"]) == (8, engine.SALES_RATE)
    assert "exhibición mínima 5" in lines[3]["explanation"]
    assert rules.display_minimum(np.array([5, 5, 5]), np.array([-1, 0, 1])).tolist() == [5, 5, 0]


# --- §5.4 equal_cover -----------------------------------------------------------------


def test_equal_cover_fills_empty_shelves_first_then_equal_cover():
    # SMA1 rates 10, 4, 2, 1 with stocks 0, 0, 2, 0; target 2 weeks → needs 20, 8, 4, 2
    # suggested 20, 8, 2, 2 (Σ 32) and the CD holds 9.
    sales = [(1, 1, W(0), 10), (1, 2, W(0), 4), (1, 3, W(0), 2), (1, 4, W(0), 1)]
    stock = [(1, 3, 2)]
    lines = lines_of(run(sales=sales, stock=stock, cd=[(1, 9)], model="SMA1"))
    # Empty shelves first (stores 1, 2, 4 by priority): 1 each, 6 left. Then one at a time to the
    # lowest (stock + allocated) / rate: store 1 at 1/10, 2/10, store 2 at 1/4, store 1 at 3/10,
    # 4/10, 5/10 (ties with store 2's 2/4: priority). Store 3 (2/2 = 1) and 4 (1/1) wait.
    got = {s: line["allocated_qty"] for s, line in lines.items()}
    assert got == {1: 6, 2: 2, 3: 0, 4: 1}
    assert "estante vacío primero: 1 → (0 + 1) / 1/sem = 1 sem" in lines[4]["explanation"]
    assert sum(got.values()) == 9


def test_equal_cover_never_above_the_suggestion_and_enough_for_all():
    got = rules.equal_cover(
        np.array([1, 1]),
        np.array([1, 2]),
        np.array([4, 2]),
        np.array([1, 1]),
        np.array([10, 10]),
        np.array([0, 0]),
        np.array([2.0, 1.0]),
    )
    assert got.tolist() == [4, 2]


def test_equal_cover_counts_in_packs_and_a_rate_of_zero_is_infinite_cover():
    # Pack 6, CD 18 = 3 packs; suggestions 12, 12, 6; stocks 0, 5, 0; rates 1, 0, 2.
    got = rules.equal_cover(
        np.array([7, 7, 7]),
        np.array([1, 2, 3]),
        np.array([12, 12, 6]),
        np.array([6, 6, 6]),
        np.array([18, 18, 18]),
        np.array([0, 5, 0]),
        np.array([1.0, 0.0, 2.0]),
    )
    # Empty shelves: lines 1 and 3 get a pack each; then line 1 (cover 6) vs line 2 (infinite): line 1.
    assert got.tolist() == [12, 0, 6]


# --- §5.4a cover-capped packs -----------------------------------------------------------


def test_cover_capped_rounds_up_only_within_max_pack_woc():
    rule = rules.PACK_RULE_OBJECTS["cover_capped"]
    # u 7, pack 6: down 6, up 12. Rate 1, stock 0: 12 > 8 → 6. Rate 2: 12 ≤ 16 → 12.
    out = rule.apply(np.array([7, 7]), np.array([6, 6]), np.array([0, 0]), np.array([1.0, 2.0]), 8.0)
    assert out.suggested.tolist() == [6, 12]
    # u 2, pack 12, empty store, rate 0.5: one pack = 12 > 8 × 0.5 → nothing, PACK_EXCEEDS_COVER.
    out = rule.apply(np.array([2, 2]), np.array([12, 12]), np.array([0, 1]), np.array([0.5, 2.0]), 8.0)
    # With stock 1 and rate 2: 1 + 12 ≤ 16 → 12.
    assert out.suggested.tolist() == [0, 12] and out.exceeds.tolist() == [True, False]


def test_a_pack_that_exceeds_the_cover_is_listed_with_its_store():
    scope = [{"sku": "A", "product_id": 1, "category": "Audio", "pack_size": 12}]
    sales = [(1, 1, W(-1), 1), (1, 1, W(0), 0), (1, 2, W(-1), 3), (1, 2, W(0), 3)]
    result = run(scope=scope, sales=sales, cd=[(1, 100)])
    # Store 1: SMA2 0.5 (in stock: 1 unit in 11 weeks is less) → need 1 → 12 > 4: nothing.
    # Store 2: 3/week → need 6 → down 0, up 12 ≤ 24 → 12.
    assert set(lines_of(result)) == {2} and lines_of(result)[2]["suggested_qty"] == 12
    exceeds = result.exceptions[result.exceptions["reason"] == engine.PACK_EXCEEDS_COVER]
    assert exceeds["store_id"].tolist() == [1]
    assert result.summary["pack_exceeds_pairs"] == 1
    assert "una caja de 12 u supera" in exceeds.iloc[0]["explanation"]
    # Nearest (v2) sends the 12 to store 1.
    assert lines_of(run(scope=scope, sales=sales, cd=[(1, 100)], pack_rule="nearest"))[1]["suggested_qty"] == 12


# --- §5.3 launches ------------------------------------------------------------------------


def test_a_launch_line_may_hold_one_pack_for_longer_than_a_sales_line():
    scope = [
        {"sku": "NEW", "product_id": 2, "category": "Audio", "like_sku": "OLD", "like_product_id": 1, "pack_size": 12},
        {"sku": "OLD", "product_id": 1, "category": "Audio"},
    ]
    # OLD: 1 a week at store 1, 0.25 at store 2 (3 u in 12 weeks), with stock (no OLD lines).
    sales = [(1, 1, W(-i), 1) for i in range(12)] + [(1, 2, W(-i), 1) for i in (1, 5, 9)]
    stock = [(1, 1, 50), (1, 2, 50)]
    result = run(scope=scope, sales=sales, stock=stock, cd=[(2, 100), (1, 100)])
    lines = lines_of(result, "NEW")
    # Store 1: launch rate 1 → one case of 12 ≤ 3.25 × 8 = 26 weeks × 1 (a sales line's cap: 8 × 1 = 8 < 12).
    assert set(lines) == {1} and lines[1]["suggested_qty"] == 12
    assert "(tope 26,0 sem × 1/sem = 26 u)" in lines[1]["explanation"]
    # Store 2: 12 > 26 × 0.25 = 6.5: left empty, listed with its store.
    exceeds = result.exceptions[result.exceptions["reason"] == engine.PACK_EXCEEDS_COVER]
    assert exceeds["store_id"].tolist() == [2]
    assert "una caja de 12 u supera 26,0 sem × 0,25/sem = 6,5 u" in exceeds.iloc[0]["explanation"]
    assert rules.LAUNCH_PACK_FACTOR * DistributionParams().max_pack_woc == 26


def test_a_new_sku_with_a_like_sku_goes_to_every_store_selling_the_like():
    scope = [
        {
            "sku": "NEW",
            "product_id": 2,
            "category": "Audio",
            "like_sku": "OLD",
            "like_product_id": 1,
            "launch_factor": 0.5,
        },
        {"sku": "OLD", "product_id": 1, "category": "Audio"},
    ]
    # OLD over 12 weeks: store 1 24 u (2/wk), store 2 12 u (1/wk), store 3 1 u (1/12 → ×0.5 < 0.1: out).
    sales = [(1, 1, W(-i), 2) for i in range(12)] + [(1, 2, W(-i), 1) for i in range(12)] + [(1, 3, W(-5), 1)]
    result = run(scope=scope, sales=sales, cd=[(2, 100), (1, 100)], cold_start_top_n=1)
    lines = lines_of(result, "NEW")
    assert set(lines) == {1, 2}
    # Store 1: 0.5 × 2 = 1/wk → need 1, top 1 → max(2, 1) = 2. Store 2: 0.5 × 1 → need 1.
    assert (lines[1]["suggested_qty"], lines[2]["suggested_qty"]) == (2, 1)
    assert lines[1]["model_name"] == engine.COLD_START_LIKE_MODEL and lines[1]["reason"] == "LIKE:OLD"
    assert "como «OLD» (tienda 1 de 2): 24 u / 12 sem = 2/sem × factor 0,5 = 1/sem" in lines[1]["explanation"]


def test_an_unknown_like_sku_falls_back_to_the_category_with_a_warning():
    scope = [{"sku": "NEW", "product_id": 2, "category": "Audio", "like_sku": "NOPE", "like_product_id": None}]
    result = run(scope=scope, category_units=[("Audio", 3, 24, 2)], cd=[(2, 10)])
    assert set(lines_of(result, "NEW")) == {3}
    assert result.like_fallbacks == [("NEW", "NOPE")]


def test_a_launching_sku_keeps_its_cold_start_stores():
    # First sale 2 weeks ago at store 1 only; category top stores 1, 2, 3.
    scope = [{"sku": "A", "product_id": 1, "category": "Audio"}]
    sales = [(1, 1, W(-1), 4), (1, 1, W(0), 4)]
    cats = [("Audio", 1, 36, 3), ("Audio", 2, 24, 2), ("Audio", 3, 12, 1)]
    lines = lines_of(run(scope=scope, sales=sales, category_units=cats, cd=[(1, 100)], stock=[(1, 1, 1)]))
    assert lines[1]["model_name"] == "SMA2"  # ranged: §5.2
    assert {s: lines[s]["model_name"] for s in (2, 3)} == {2: engine.COLD_START_MODEL, 3: engine.COLD_START_MODEL}
    # v2: only the store that sold.
    assert set(lines_of(run(scope=scope, sales=sales, category_units=cats, cd=[(1, 100)], rules="v2"))) == {1}


# --- §5.3 opening stores, §4.7 inactive stores ---------------------------------------------


def test_an_opening_store_is_planned_from_its_like_store_and_an_inactive_store_gets_nothing():
    stores = pd.DataFrame(
        {
            "store_id": [1, 2, 3],
            "store_name": ["Tienda 1", "Tienda 2", "Tienda 3"],
            "like_store_id": [None, 1, None],
            "size_factor": [1.0, 0.5, 1.0],
            "active": [True, True, False],
            "sales_weeks": [50, 0, 40],
        }
    )
    sales = [(1, 1, W(-1), 4), (1, 1, W(0), 4), (1, 3, W(-1), 4), (1, 3, W(0), 4)]
    result = run(sales=sales, stock=[(1, 1, 8), (1, 3, 0)], cd=[(1, 100)], stores=stores)
    lines = lines_of(result)
    # Store 1 covers its need (8 − 8); store 2 opens like store 1 at 0.5 × 4 = 2/wk → 4; store 3 inactive.
    assert set(lines) == {2}
    assert (lines[2]["model_name"], lines[2]["reason"], lines[2]["suggested_qty"]) == (
        engine.NEW_STORE_MODEL,
        "LIKE_STORE:Tienda 1",
        4,
    )
    assert "como «Tienda 1»" in lines[2]["explanation"]
    assert result.summary["lines_by_model"] == {engine.NEW_STORE_MODEL: 1}
    with translation.override("en"):
        english = explain.line_explanations(
            result.store_lines.drop(columns="explanation"), DistributionParams().as_dict()
        ).iloc[0]
    assert "opening store like “Tienda 1”" in english


# --- §4.6 promotions --------------------------------------------------------------------


def test_promoted_weeks_are_skipped_in_the_rate_window():
    # Week 0 promoted (30 units): SMA2 takes W(-1) and W(-2): (4 + 2) / 2 = 3.
    sales = [(1, 1, W(-2), 2), (1, 1, W(-1), 4), (1, 1, W(0), 30)]
    promos = [(1, None, W(0), W(0) + dt.timedelta(days=2), "Verano")]
    line = lines_of(run(sales=sales, stock=[(1, 1, 1)], cd=[(1, 100)], promotions=promos))[1]
    assert line["rate"] == 3.0 and line["suggested_qty"] == 5
    # Ignored (v2): (4 + 30) / 2 = 17.
    plain = lines_of(run(sales=sales, stock=[(1, 1, 1)], cd=[(1, 100)], promotions=promos, promo_rule="ignore"))[1]
    assert plain["rate"] == 17.0


def test_the_like_skus_rate_skips_its_promoted_weeks():
    scope = [
        {"sku": "NEW", "product_id": 2, "category": "Audio", "like_sku": "OLD", "like_product_id": 1},
        {"sku": "OLD", "product_id": 1, "category": "Audio"},
    ]
    # OLD at store 1: 1 a week for 12 weeks, but 25 in W(-3), a promoted week (2 more units in it: 24 + 1).
    sales = [(1, 1, W(-i), 1) for i in range(12) if i != 3] + [(1, 1, W(-3), 25)]
    promos = [(1, None, W(-3), W(-3) + dt.timedelta(days=6), "Verano")]
    result = run(scope=scope, sales=sales, stock=[(1, 1, 9)], cd=[(2, 100), (1, 100)], promotions=promos)
    line = lines_of(result, "NEW")[1]
    # 11 non-promoted weeks of 1 → 1/wk (the plain window: 36 / 12 = 3/wk) → need 1, top → min fill 2.
    assert (line["rate"], line["category_units"], line["window_weeks"]) == (1.0, 11, 11)
    assert line["suggested_qty"] == 2
    assert "11 u / 11 sem = 1/sem × factor 1" in line["explanation"]
    plain = lines_of(
        run(scope=scope, sales=sales, stock=[(1, 1, 9)], cd=[(2, 100), (1, 100)], promo_rule="ignore"), "NEW"
    )
    assert (plain[1]["rate"], plain[1]["suggested_qty"]) == (3.0, 3)
    with translation.override("en"):
        english = explain.line_explanations(
            result.store_lines.drop(columns="explanation"), DistributionParams().as_dict()
        )
    assert "skips its promoted weeks (11 of 12 without promotion)" in " ".join(english)
    assert "salta sus semanas de promoción (11 de 12 sin promoción)" in line["explanation"]


def test_a_store_that_sold_only_in_promoted_weeks_is_not_ranged():
    # Store 1 sold 6 in the promoted week W(-5) only; store 2 sells 2 a week. Both at 0 stock.
    sales = [(1, 1, W(-5), 6)] + [(1, 2, W(-i), 2) for i in range(12)]
    promos = [(1, 1, W(-5), W(-5) + dt.timedelta(days=6), "Tienda 1")]
    lines = lines_of(run(sales=sales, cd=[(1, 100)], promotions=promos))
    # Store 1 is not ranged (no non-promoted week with a sale): no in-stock line; store 2: 2 × 2 = 4.
    assert set(lines) == {2} and lines[2]["suggested_qty"] == 4
    # Promotions ignored (v2): store 1 is ranged and, out of stock, planned at 6 u / 7 weeks.
    ignored = lines_of(run(sales=sales, cd=[(1, 100)], promotions=promos, promo_rule="ignore"))
    assert set(ignored) == {1, 2} and ignored[1]["reason"] == engine.OUT_OF_STOCK_RATE


def test_a_promotion_ahead_raises_the_target_by_the_category_lift():
    sales = [(1, 1, W(-1), 5), (1, 1, W(0), 5)]
    promos = [(1, 1, W(1), W(1) + dt.timedelta(days=6), "Navidad")]
    line = lines_of(run(sales=sales, stock=[(1, 1, 1)], cd=[(1, 100)], promotions=promos, lift={"Audio": 2.0}))[1]
    # Weeks ahead: W(1) promoted ×2, W(2) not: 5 × (2 + 1) = 15 − 1 = 14.
    assert line["suggested_qty"] == 14 and line["reason"] == "PROMO:Navidad"
    assert "promoción por delante" in line["explanation"]


def test_category_lift_is_the_clamped_median_of_promoted_weeks():
    weeks = [W(-i) for i in range(30)]
    # 25 promoted weeks at 3 units over a base rate of 1 (5 non-promoted weeks of 1).
    weekly = pd.DataFrame(
        [(1, 1, week, 3 if i < 25 else 1, "Audio") for i, week in enumerate(weeks)],
        columns=["product_id", "store_id", "week_start", "units", "category"],
    )
    promoted = pd.DataFrame(
        [(1, 1, pd.Timestamp(weeks[i])) for i in range(25)], columns=["product_id", "store_id", "week_start"]
    )
    assert rules.category_lift(weekly, promoted, weeks) == {"Audio": 3.0}
    assert rules.category_lift(weekly, promoted.iloc[:10], weeks) == {"Audio": 1.0}  # fewer than 20 weeks


@pytest.mark.parametrize("language", ["es", "en"])
def test_summary_counts_lines_by_model_and_reason(language):
    sales = [(1, 1, W(-11 + i), 3) for i in range(6)] + [(1, 2, W(0), 4)]
    result = run(sales=sales, stock=[(1, 2, 1)], cd=[(1, 100)], language=language)
    assert result.summary["lines_by_reason"] == {engine.OUT_OF_STOCK_RATE: 1, engine.SALES_RATE: 1}
    assert result.summary["lines_by_model"] == {"SMA2": 2}


def test_the_categories_read_include_those_of_launching_skus():
    scope = pd.DataFrame([("A", 1, "Audio"), ("B", 2, "Video")], columns=["sku", "product_id", "category"])
    summary = engine.summarise_weekly(
        pd.DataFrame([(1, 1, W(0), 3), (2, 1, W(-10), 3)], columns=["product_id", "store_id", "week_start", "units"]),
        AS_OF,
        12,
        2,
    )
    assert engine.cold_start_categories(scope, summary) == []
    # A first sold in the as-of week: launching under v3, not under v2.
    assert engine.cold_start_categories(scope, summary, DistributionParams()) == ["Audio"]
    assert engine.cold_start_categories(scope, summary, DistributionParams(rules="v2")) == []


def test_a_sku_that_sold_in_the_windows_first_week_is_not_launching():
    """Its sales may have started before the window: with lookback 4 and
    launch_weeks 4 it was once taken for a launch, and every selling SKU got
    cold-start lines at the stores that never sell it."""
    scope = pd.DataFrame({"product_id": [1, 2]})
    summary = pd.DataFrame({"product_id": [1, 2], "first_week": [0, 2]})
    short = engine.DistributionParams(lookback_weeks=4, launch_weeks=4)
    assert engine.launching_ids(scope, summary, short) == {2}
    assert engine.launching_ids(scope, summary, engine.DistributionParams(lookback_weeks=12)) == set()
