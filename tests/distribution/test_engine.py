"""The generator's rules, one small hand-checked case each (SPEC §5.2–5.4).

Weeks are Mondays: W(0) is the as-of week, W(-1) the week before.
Stores are ids 1.. named in STORES.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from typing import Any

import pandas as pd
import pytest
from django.utils import translation

from distribution import engine, explain
from distribution.engine import DistributionParams, EngineInputs, ParamsError

AS_OF = dt.date(2026, 3, 2)
# The literal v1 rules, one flag set away (SPEC v2 §5.3, §5.4, §5.4a): the cases
# below that encode a v1 number are pinned to them; v2 defaults are tested beside.
V1: dict[str, Any] = {"cold_start_basis": "category", "round_to_pack": False, "cd_rule": "priority"}
STORES = {1: "Tienda Alfa", 2: "Tienda Beta", 3: "Tienda Centro", 4: "Tienda Delta", 5: "Tienda Este"}


def W(offset: int) -> dt.date:
    return AS_OF + dt.timedelta(weeks=offset)


def run(
    scope: Sequence[tuple] | None = None,
    sales: Sequence[tuple] = (),
    category_units: Sequence[tuple] = (),
    stock: Sequence[tuple] = (),
    cd: Sequence[tuple] = (),
    as_of: dt.date | None = AS_OF,
    **overrides: Any,
) -> engine.EngineResult:
    """scope: (sku, product_id, category[, request_category[, pack_size]]); sales: (product_id, store, week, units);
    category_units: (category, store, units); stock: (product_id, store, units); cd: (product_id, units)."""
    scope = scope or [("A", 1, "Audio")]
    scope_frame = pd.DataFrame(
        [(*row, None, 1)[:5] if len(row) == 3 else (*row, 1)[:5] for row in scope],
        columns=["sku", "product_id", "category", "request_category", "pack_size"],
    )
    inputs = EngineInputs(
        scope=scope_frame,
        sales=pd.DataFrame(list(sales), columns=["product_id", "store_id", "week_start", "units"]),
        category_units=_category_frame(category_units),
        store_stock=pd.DataFrame(list(stock), columns=["product_id", "store_id", "units"]),
        cd_stock=pd.DataFrame(list(cd), columns=["product_id", "units"]),
        stores=pd.DataFrame(list(STORES.items()), columns=["store_id", "store_name"]),
        as_of_week=as_of,
    )
    # The cases below encode v2 numbers: pinned to rules=v2 (SPEC v3 changed the
    # defaults); the v3 rules are tested in test_rules.py.
    params = DistributionParams(**{"rules": "v2", **overrides})
    result = engine.generate(inputs, params)
    # Each line's explanation as the run page shows it in Spanish (distribution.explain).
    with translation.override("es"):
        result.lines["explanation"] = explain.line_explanations(result.lines, params.as_dict())
    return result


def _category_frame(rows: Sequence[tuple]) -> pd.DataFrame:
    """(category, store, units) rows, or (category, store, units, selling SKUs) for the per_sku basis."""
    rows = list(rows)
    if rows and all(len(row) == 4 for row in rows):
        return pd.DataFrame(rows, columns=["category", "store_id", "units", "skus"])
    return pd.DataFrame(rows, columns=["category", "store_id", "units"])


def by_store(result: engine.EngineResult, sku: str = "A") -> dict[int, dict]:
    lines = result.store_lines[result.store_lines["sku"] == sku]
    return {int(row["store_id"]): row for row in lines.to_dict("records")}


def exception(result: engine.EngineResult, sku: str = "A") -> dict:
    rows = result.exceptions[result.exceptions["sku"] == sku].to_dict("records")
    assert len(rows) == 1, result.lines
    return rows[0]


# --- SMA windows ------------------------------------------------------------


@pytest.mark.parametrize(("model", "rate", "suggested"), [("SMA1", 9.0, 18), ("SMA2", 7.5, 15), ("SMA3", 6.0, 12)])
def test_each_sma_window_averages_its_last_k_weeks(model, rate, suggested):
    sales = [(1, 1, W(-3), 100), (1, 1, W(-2), 3), (1, 1, W(-1), 6), (1, 1, W(0), 9)]
    line = by_store(run(sales=sales, cd=[(1, 1000)], model=model))[1]
    assert line["rate"] == rate
    assert line["suggested_qty"] == suggested  # 2.0 weeks of cover
    assert line["model_name"] == model


def test_a_week_without_a_row_counts_as_zero():
    # SMA3 over W(-2), W(-1), W(0): W(-1) has no row → (4 + 0 + 5) / 3 = 3
    line = by_store(run(sales=[(1, 1, W(-2), 4), (1, 1, W(0), 5)], cd=[(1, 100)], model="SMA3"))[1]
    assert line["rate"] == 3.0
    assert line["suggested_qty"] == 6
    assert "(4+0+5)/3 = 3/sem" in line["explanation"]


def test_sales_outside_the_lookback_window_are_ignored():
    # Only a sale 12 weeks before the as-of week: outside a 12-week lookback → no sales → cold start.
    result = run(sales=[(1, 1, W(-12), 50)], category_units=[("Audio", 2, 24)], cd=[(1, 10)], **V1)
    assert set(by_store(result)) == {2}
    assert by_store(result)[2]["model_name"] == engine.COLD_START_MODEL


# --- min_weeks --------------------------------------------------------------


def test_min_weeks_keeps_only_stores_with_enough_selling_weeks():
    sales = [
        (1, 1, W(-5), 1),
        (1, 1, W(-1), 2),
        (1, 1, W(0), 2),  # store 1: 3 selling weeks
        (1, 2, W(0), 4),  # store 2: 1 selling week
        (1, 3, W(-1), 0),
        (1, 3, W(0), 3),  # store 3: a 0-unit week does not count → 1
    ]
    result = run(sales=sales, cd=[(1, 100)], min_weeks=2)
    assert set(by_store(result)) == {1}
    assert by_store(result)[1]["suggested_qty"] == 4  # (2+2)/2 × 2
    assert set(by_store(run(sales=sales, cd=[(1, 100)], min_weeks=1))) == {1, 2, 3}


def test_sku_whose_stores_all_fall_short_of_min_weeks_says_so():
    result = run(sales=[(1, 1, W(0), 5), (1, 2, W(-3), 2)], cd=[(1, 100)], min_weeks=2)
    row = exception(result)
    assert row["reason"] == engine.SALES_BELOW_MIN_WEEKS
    assert "la mejor tiene 1" in row["explanation"]


# --- stock adjustment and rounding -------------------------------------------


def test_store_stock_is_subtracted_and_never_goes_below_zero():
    sales = [(1, 1, W(-1), 5), (1, 1, W(0), 6), (1, 2, W(-1), 5), (1, 2, W(0), 6)]
    result = run(sales=sales, stock=[(1, 1, 3), (1, 2, 20)], cd=[(1, 120)])
    lines = by_store(result)
    assert set(lines) == {1}  # store 2: 11 − 20 → 0: no line
    assert lines[1]["store_stock"] == 3
    assert lines[1]["suggested_qty"] == 8


def test_sku_whose_stock_covers_the_need_everywhere_is_an_exception():
    result = run(sales=[(1, 1, W(0), 2)], stock=[(1, 1, 4)], cd=[(1, 100)], model="SMA1")
    row = exception(result)
    assert row["reason"] == engine.STOCK_COVERS_NEED
    assert pd.isna(row["store_id"])
    assert row["suggested_qty"] == row["allocated_qty"] == 0


@pytest.mark.parametrize(
    ("target_woc", "weeks", "expected"),
    [
        (2.0, (1, 2), 3),  # 2.0 × 1.5 = 3 exactly: not 4
        (1.1, (10, 10), 11),  # 1.1 × 10 = 11.000000000000002 in floats: still 11
        (0.7, (10, 10), 7),  # 0.7 × 10 = 7.000000000000001
        (2.0, (1, 0), 1),  # 2.0 × 0.5 = 1
        (1.5, (1, 0), 1),  # 1.5 × 0.5 = 0.75 → 1
        (2.5, (1, 2), 4),  # 2.5 × 1.5 = 3.75 → 4
    ],
)
def test_rounding_up_is_exact_at_multiples(target_woc, weeks, expected):
    sales = [(1, 1, W(-1), weeks[0]), (1, 1, W(0), weeks[1])]
    line = by_store(run(sales=sales, cd=[(1, 100)], target_woc=target_woc))[1]
    assert line["suggested_qty"] == expected


# --- CD limiting --------------------------------------------------------------


def test_cd_stock_goes_to_the_highest_rate_first_and_ties_by_store_name():
    # Rates (SMA1): Centro 5, Beta 3, Alfa 3 → needs 10, 6, 6; CD 12.
    sales = [(1, 3, W(0), 5), (1, 2, W(0), 3), (1, 1, W(0), 3)]
    result = run(sales=sales, cd=[(1, 12)], model="SMA1")
    lines = by_store(result)
    assert [lines[s]["priority"] for s in (3, 1, 2)] == [1, 2, 3]  # Alfa before Beta on the tie
    assert (lines[3]["allocated_qty"], lines[3]["reason"]) == (10, engine.SALES_RATE)
    assert (lines[1]["allocated_qty"], lines[1]["reason"]) == (2, engine.CD_LIMITED)
    assert (lines[2]["allocated_qty"], lines[2]["reason"]) == (0, engine.CD_EXHAUSTED)
    assert [lines[s]["suggested_qty"] for s in (3, 1, 2)] == [10, 6, 6]
    assert lines[1]["explanation"].endswith("CD por prioridad: 2 de 2 disponibles (stock CD 12, prioridad 2)")


def test_no_cd_stock_allocates_nothing_and_says_so():
    result = run(sales=[(1, 1, W(0), 5), (1, 2, W(0), 2)], model="SMA1")
    lines = by_store(result)
    assert {s: (line["suggested_qty"], line["allocated_qty"]) for s, line in lines.items()} == {1: (10, 0), 2: (4, 0)}
    assert {line["reason"] for line in lines.values()} == {engine.NO_CD_STOCK}
    assert all(line["explanation"].endswith("CD: sin stock → 0") for line in lines.values())
    assert result.summary["no_cd_stock_skus"] == 1
    assert result.summary["total_allocated"] == 0


def test_without_cd_limit_allocated_equals_suggested():
    result = run(sales=[(1, 1, W(0), 5), (1, 2, W(0), 2)], cd=[(1, 3)], model="SMA1", limit_by_cd=False)
    lines = by_store(result)
    assert {s: line["allocated_qty"] for s, line in lines.items()} == {1: 10, 2: 4}
    assert lines[1]["explanation"].endswith("CD: sin límite → 10")


def test_cd_is_limited_per_sku():
    scope = [("A", 1, "Audio"), ("B", 2, "Audio")]
    sales = [(1, 1, W(0), 5), (2, 1, W(0), 5)]
    result = run(scope=scope, sales=sales, cd=[(1, 4), (2, 50)], model="SMA1")
    assert by_store(result, "A")[1]["allocated_qty"] == 4
    assert by_store(result, "B")[1]["allocated_qty"] == 10


# --- cold start -----------------------------------------------------------------


def test_cold_start_takes_the_top_n_category_stores_with_ties_by_name():
    # Category weekly rates over 12 weeks: Este 2, Delta 1, Beta 1, Alfa 1, Centro 0.5.
    category_units = [
        ("Consolas", 5, 24),
        ("Consolas", 4, 12),
        ("Consolas", 2, 12),
        ("Consolas", 1, 12),
        ("Consolas", 3, 6),
    ]
    scope = [("NEW", 7, None, "Consolas")]
    result = run(scope=scope, category_units=category_units, cd=[(7, 100)], cold_start_top_n=3, **V1)
    lines = by_store(result, "NEW")
    assert set(lines) == {5, 1, 2}  # Este, then Alfa and Beta win the tie against Delta by name
    assert [lines[s]["priority"] for s in (5, 1, 2)] == [1, 2, 3]
    assert lines[5]["category_rate"] == 2.0
    assert lines[5]["model_name"] == engine.COLD_START_MODEL
    assert lines[5]["reason"] == "CATEGORY:Consolas"
    assert lines[5]["category"] == "Consolas"


def test_cold_start_with_fewer_stores_than_top_n_uses_them_all():
    category_units = [("Consolas", 1, 12), ("Consolas", 2, 36), ("Consolas", 3, 0), ("Consolas", 4, -2)]
    result = run(scope=[("NEW", 7, "Consolas")], category_units=category_units, cd=[(7, 100)], **V1)
    lines = by_store(result, "NEW")
    assert set(lines) == {1, 2}  # only stores with a category rate > 0
    assert lines[2]["explanation"].startswith(
        "Arranque en frío, categoría «Consolas» (tienda 1 de 2 del top 10): 36 u / 12 sem = "
        "3/sem (base categoría: la categoría entera) × 1,0 sem = 3; "
        "máx(mín 2, 3) = 3 − stock 0 = 3; CD por prioridad: 3 de 100 disponibles"
    )


def test_cold_start_min_fill_and_stock():
    # cat_rate 0.5 → need ⌈0.5⌉ = 1 → max(2, 1) = 2, minus stock 1 → 1. cat_rate 3 → need 3 − stock 0.
    category_units = [("Consolas", 1, 6), ("Consolas", 2, 36), ("Consolas", 3, 6)]
    result = run(
        scope=[("NEW", 7, "Consolas")],
        category_units=category_units,
        stock=[(7, 1, 1), (7, 3, 5)],
        cd=[(7, 100)],
        **V1,
    )
    lines = by_store(result, "NEW")
    assert {s: line["suggested_qty"] for s, line in lines.items()} == {1: 1, 2: 3}
    assert "máx(mín 2, 1) = 2 − stock 1 = 1" in lines[1]["explanation"]
    bigger_fill = by_store(
        run(scope=[("NEW", 7, "Consolas")], category_units=category_units, cd=[(7, 100)], cold_start_min_fill=5, **V1),
        "NEW",
    )
    assert {s: line["suggested_qty"] for s, line in bigger_fill.items()} == {1: 5, 2: 5, 3: 5}


def test_cold_start_cd_priority_is_by_category_rate():
    category_units = [("Consolas", 1, 12), ("Consolas", 2, 36)]
    result = run(scope=[("NEW", 7, "Consolas")], category_units=category_units, cd=[(7, 4)], **V1)
    lines = by_store(result, "NEW")
    assert (lines[2]["allocated_qty"], lines[1]["allocated_qty"]) == (3, 1)
    assert result.summary["cold_start_allocated"] == 4


def test_cold_start_uses_the_request_category_when_the_product_has_none():
    result = run(scope=[("NEW", 7, None, "Consolas")], category_units=[("Consolas", 1, 12)], cd=[(7, 10)], **V1)
    assert by_store(result, "NEW")[1]["reason"] == "CATEGORY:Consolas"
    # The product's own category wins over the request's.
    result = run(
        scope=[("NEW", 7, "Audio", "Consolas")],
        category_units=[("Consolas", 1, 12), ("Audio", 2, 12)],
        cd=[(7, 10)],
        **V1,
    )
    assert set(by_store(result, "NEW")) == {2}


def test_cold_start_target_woc_scales_the_need():
    result = run(
        scope=[("NEW", 7, "Consolas")],
        category_units=[("Consolas", 1, 30)],
        cd=[(7, 100)],
        cold_start_target_woc=2.0,
        **V1,
    )
    assert by_store(result, "NEW")[1]["suggested_qty"] == 5  # ⌈2.0 × 2.5⌉ = 5


# --- exception reasons ----------------------------------------------------------


def test_no_category_is_reported_not_crashed():
    row = exception(run(scope=[("NEW", 7, None)], category_units=[("Consolas", 1, 12)], **V1), "NEW")
    assert row["reason"] == engine.NO_CATEGORY
    assert "sin categoría" in row["explanation"]


def test_category_without_sales_is_reported():
    row = exception(
        run(scope=[("NEW", 7, "Drones")], category_units=[("Consolas", 1, 12), ("Drones", 2, 0)], **V1), "NEW"
    )
    assert row["reason"] == engine.NO_CATEGORY_SALES
    assert "«Drones»" in row["explanation"]


def test_no_recent_sales_in_the_sma_window():
    row = exception(run(sales=[(1, 1, W(-5), 8)], cd=[(1, 100)], model="SMA2"))
    assert row["reason"] == engine.NO_RECENT_SALES


def test_no_macro_data_at_all_makes_every_sku_cold():
    result = run(scope=[("A", 1, "Audio"), ("B", 2, None)], as_of=None)
    assert exception(result, "A")["reason"] == engine.NO_CATEGORY_SALES
    assert exception(result, "B")["reason"] == engine.NO_CATEGORY


def test_every_scope_sku_gets_a_line_or_one_exception_row():
    scope = [("A", 1, "Audio"), ("B", 2, None), ("C", 3, "Consolas"), ("D", 4, "Drones"), ("E", 5, "Audio")]
    result = run(
        scope=scope,
        sales=[(1, 1, W(0), 5), (5, 1, W(0), 1)],
        category_units=[("Consolas", 2, 12)],
        stock=[(5, 1, 10)],
        cd=[(1, 3), (3, 9)],
        model="SMA1",
        **V1,
    )
    exceptions = result.exceptions.set_index("sku")["reason"].to_dict()
    assert exceptions == {"B": engine.NO_CATEGORY, "D": engine.NO_CATEGORY_SALES, "E": engine.STOCK_COVERS_NEED}
    assert set(result.store_lines["sku"]) == {"A", "C"}
    summary = result.summary
    assert (
        summary["sales_based_skus"] + summary["cold_start_skus"] + summary["skipped_skus"] == summary["scope_skus"] == 5
    )
    assert summary["skipped_by_reason"] == {"NO_CATEGORY": 1, "NO_CATEGORY_SALES": 1, "STOCK_COVERS_NEED": 1}


# --- negative weekly units (returns) ----------------------------------------------


def test_negative_weeks_are_summed_and_the_rate_is_clamped_at_zero():
    sales = [(1, 1, W(-2), 3), (1, 1, W(-1), 6), (1, 1, W(0), -2), (1, 2, W(-1), 1), (1, 2, W(0), -4)]
    result = run(sales=sales, cd=[(1, 100)])
    lines = by_store(result)
    assert set(lines) == {1}  # store 2: (1 − 4) / 2 < 0 → rate 0 → no line
    assert lines[1]["rate"] == 2.0  # (6 − 2) / 2
    assert lines[1]["suggested_qty"] == 4
    assert "(6+(-2))/2 = 2/sem" in lines[1]["explanation"]


def test_a_sku_with_only_returns_has_no_sales_and_goes_cold():
    result = run(sales=[(1, 1, W(0), -3), (1, 2, W(-1), 0)], category_units=[("Audio", 3, 12)], cd=[(1, 10)], **V1)
    lines = by_store(result)
    assert set(lines) == {3}
    assert lines[3]["model_name"] == engine.COLD_START_MODEL


def test_a_store_whose_recent_weeks_net_negative_gets_nothing():
    # Store 1 qualifies (3 selling weeks) but its last two weeks net −1: the rate is 0.
    sales = [(1, 1, W(-4), 2), (1, 1, W(-3), 2), (1, 1, W(-1), 1), (1, 1, W(0), -2)]
    row = exception(run(sales=sales, cd=[(1, 5)]))
    assert row["reason"] == engine.NO_RECENT_SALES


# --- explanations ------------------------------------------------------------------


def test_a_sales_line_explains_every_number():
    sales = [(1, 1, W(-1), 5), (1, 1, W(0), 6)]
    line = by_store(run(sales=sales, stock=[(1, 1, 3)], cd=[(1, 120)]))[1]
    assert line["explanation"] == (
        "SMA2 (venta en 2 de 12 sem, mín 1): (5+6)/2 = 5,5/sem × 2,0 sem = 11 − stock 3 = 8; "
        "CD por prioridad: 8 de 120 disponibles"
    )


def test_a_fractional_need_shows_its_rounding():
    sales = [(1, 1, W(-2), 1), (1, 1, W(-1), 1), (1, 1, W(0), 2)]
    line = by_store(run(sales=sales, cd=[(1, 120)], model="SMA3"))[1]
    assert "(1+1+2)/3 = 1,333/sem × 2,0 sem = 2,667 → 3 − stock 0 = 3" in line["explanation"]
    assert line["suggested_qty"] == math.ceil(round(2.0 * 4 / 3, 6))


# --- parameters ----------------------------------------------------------------------


def test_params_defaults_are_the_spec_defaults():
    params = DistributionParams()
    assert params.as_dict() == {
        "model": "SMA2",
        "lookback_weeks": 12,
        "min_weeks": 1,
        "target_woc": 2.0,
        "cold_start_min_fill": 2,
        "cold_start_target_woc": 1.0,
        "cold_start_top_n": 10,
        "category_window_weeks": 12,
        "cold_start_basis": "per_sku",
        "limit_by_cd": True,
        "cd_rule": "equal_cover",
        "round_to_pack": True,
        # v3 (SPEC §5.1)
        "rules": "v3",
        "rate_rule": "in_stock",
        "launch_weeks": 4,
        "launch_min_rate": 0.1,
        "new_store_weeks": 8,
        "pack_rule": "cover_capped",
        "max_pack_woc": 8.0,
        "promo_rule": "lift",
        "launch_rule": "like",
    }
    assert params.window == 2
    with pytest.raises(Exception):  # noqa: B017 - frozen dataclass
        params.model = "SMA1"  # type: ignore[misc]


@pytest.mark.parametrize(
    "bad",
    [
        {"model": "SMA4"},
        {"lookback_weeks": 0},
        {"model": "SMA3", "lookback_weeks": 2},
        {"min_weeks": 13},
        {"target_woc": 0},
        {"cold_start_min_fill": -1},
        {"cold_start_top_n": 0},
        {"category_window_weeks": 0},
        {"cold_start_basis": "store"},
        {"cd_rule": "greedy"},
        {"rules": "v1"},
        {"rate_rule": "median"},
        {"pack_rule": "up"},
        {"max_pack_woc": 0},
        {"launch_weeks": -1},
        {"new_store_weeks": 105},
        {"launch_min_rate": -0.1},
    ],
)
def test_invalid_params_are_refused_with_codes(bad):
    """The engine says what is wrong as codes; the viewer reads it in their language."""
    from fastdso.messages import catalogue, render

    with pytest.raises(ParamsError) as refused:
        DistributionParams(**bad)
    assert refused.value.message["code"] == "distribution.params_invalid"
    assert refused.value.problems and all(p["code"] in catalogue() for p in refused.value.problems)
    assert render(refused.value.message, "es").startswith("Parámetros inválidos: ")
    assert render(refused.value.message, "en").startswith("Invalid parameters: ")


# --- v2: cold start basis (SPEC §5.3) ---------------------------------------------------


def test_cold_start_per_sku_plans_one_selling_sku_of_the_category():
    # Store 1: 120 u / 12 sem = 10/sem over 5 selling SKUs → 2/sem → need ⌈1.0 × 2⌉ = 2.
    # Store 2: 360 u / 12 = 30/sem over 4 SKUs → 7.5/sem → need 8.
    category_units = [("Consolas", 1, 120, 5), ("Consolas", 2, 360, 4)]
    result = run(scope=[("NEW", 7, "Consolas")], category_units=category_units, cd=[(7, 100)])
    lines = by_store(result, "NEW")
    assert {s: line["suggested_qty"] for s, line in lines.items()} == {1: 2, 2: 8}
    assert (lines[1]["rate"], lines[2]["rate"]) == (2.0, 7.5)  # the rate column is cat_rate
    assert (lines[1]["category_rate"], lines[2]["category_rate"]) == (10.0, 30.0)
    assert "10/sem ÷ SKUs con venta: 5 = 2/sem por SKU (base por SKU) × 1,0 sem = 2" in lines[1]["explanation"]


def test_cold_start_category_basis_is_the_seeds_formula():
    category_units = [("Consolas", 1, 120, 5), ("Consolas", 2, 360, 4)]
    result = run(scope=[("NEW", 7, "Consolas")], category_units=category_units, cd=[(7, 100)], **V1)
    lines = by_store(result, "NEW")
    assert {s: line["suggested_qty"] for s, line in lines.items()} == {1: 10, 2: 30}
    assert (lines[1]["rate"], lines[2]["rate"]) == (10.0, 30.0)
    assert "(base categoría: la categoría entera)" in lines[1]["explanation"]


def test_cold_start_per_sku_still_ranks_stores_by_category_sales_and_fills_the_minimum():
    # Top 1 by cat_weekly: store 2 (30/sem) even though its per-SKU rate (1.5) is below store 1's (10).
    category_units = [("Consolas", 1, 120, 1), ("Consolas", 2, 360, 20)]
    result = run(scope=[("NEW", 7, "Consolas")], category_units=category_units, cd=[(7, 100)], cold_start_top_n=1)
    lines = by_store(result, "NEW")
    assert set(lines) == {2}
    assert lines[2]["suggested_qty"] == 2  # max(min_fill 2, ⌈1.5⌉ = 2)


# --- v2: natural store order (SPEC §5.4) ------------------------------------------------


def test_ties_go_to_stores_in_natural_name_order():
    stores = {9: "Tienda 9", 10: "Tienda 10", 2: "tienda 2"}
    sales = [(1, 10, W(0), 3), (1, 9, W(0), 3), (1, 2, W(0), 3)]
    inputs = EngineInputs(
        scope=pd.DataFrame([("A", 1, "Audio", None)], columns=["sku", "product_id", "category", "request_category"]),
        sales=pd.DataFrame(sales, columns=["product_id", "store_id", "week_start", "units"]),
        category_units=_category_frame([]),
        store_stock=pd.DataFrame(columns=["product_id", "store_id", "units"]),
        cd_stock=pd.DataFrame([(1, 8)], columns=["product_id", "units"]),
        stores=pd.DataFrame(list(stores.items()), columns=["store_id", "store_name"]),
        as_of_week=AS_OF,
    )
    lines = by_store(engine.generate(inputs, DistributionParams(model="SMA1", rules="v2")))
    assert [lines[s]["priority"] for s in (2, 9, 10)] == [1, 2, 3]
    assert [lines[s]["allocated_qty"] for s in (2, 9, 10)] == [6, 2, 0]


def test_natural_key_compares_digit_runs_as_numbers():
    names = ["Tienda 10", "Tienda 9", "tienda 1b", "Tienda 1a", "Tienda 100"]
    assert sorted(names, key=engine.natural_key) == ["Tienda 1a", "tienda 1b", "Tienda 9", "Tienda 10", "Tienda 100"]


# --- v2: fair share (SPEC §5.4) ---------------------------------------------------------


def test_fair_share_uses_largest_remainders():
    # Suggestions 10 (Centro), 6 (Alfa), 6 (Beta) = 22; CD 12.
    # Exact shares 12 × 10/22 = 5.45, 12 × 6/22 = 3.27 twice → floors 5, 3, 3 = 11;
    # the 1 left goes to the largest remainder (Centro: 120 mod 22 = 10 > 72 mod 22 = 6).
    sales = [(1, 3, W(0), 5), (1, 2, W(0), 3), (1, 1, W(0), 3)]
    lines = by_store(run(sales=sales, cd=[(1, 12)], model="SMA1", cd_rule="fair_share"))
    assert {s: line["allocated_qty"] for s, line in lines.items()} == {3: 6, 1: 3, 2: 3}
    assert lines[3]["explanation"].endswith(
        "CD reparto proporcional: 12 × 10 / 22 = 5,455 → 5 +1 por mayor resto = 6 u"
    )
    assert lines[1]["explanation"].endswith("CD reparto proporcional: 12 × 6 / 22 = 3,273 → 3 = 3 u")
    assert lines[1]["reason"] == engine.CD_LIMITED


def test_fair_share_ties_on_the_remainder_go_in_priority_order():
    # Three equal suggestions 6 (Alfa, Beta, Centro), CD 10: 3 × 3.33 → 3 each, 1 left, equal remainders:
    # the first in priority order (ties by name: Alfa) gets it.
    sales = [(1, 1, W(0), 3), (1, 2, W(0), 3), (1, 3, W(0), 3)]
    lines = by_store(run(sales=sales, cd=[(1, 10)], model="SMA1", cd_rule="fair_share"))
    assert {s: line["allocated_qty"] for s, line in lines.items()} == {1: 4, 2: 3, 3: 3}


def test_fair_share_gives_everyone_their_suggestion_when_the_cd_covers_all_and_never_more():
    sales = [(1, 3, W(0), 5), (1, 1, W(0), 1)]
    lines = by_store(run(sales=sales, cd=[(1, 500)], model="SMA1", cd_rule="fair_share"))
    assert {s: line["allocated_qty"] for s, line in lines.items()} == {3: 10, 1: 2}
    assert "alcanza para todas" in lines[3]["explanation"]
    # Tiny lines never get more than they asked, even with leftovers.
    sales = [(1, 1, W(0), 1), (1, 2, W(0), 1), (1, 3, W(0), 50)]
    lines = by_store(run(sales=sales, cd=[(1, 100)], model="SMA1", target_woc=1.0, cd_rule="fair_share"))
    assert {s: line["allocated_qty"] for s, line in lines.items()} == {1: 1, 2: 1, 3: 50}
    lines = by_store(run(sales=sales, cd=[(1, 51)], model="SMA1", target_woc=1.0, cd_rule="fair_share"))
    alloc = {s: line["allocated_qty"] for s, line in lines.items()}
    assert sum(alloc.values()) == 51 and all(alloc[s] <= lines[s]["suggested_qty"] for s in alloc)
    assert alloc == {1: 1, 2: 1, 3: 49}  # 51 × 1/52 = 0.98 twice, 51 × 50/52 = 49.04: leftovers to the 0.98s


def test_fair_share_counts_in_packs():
    # Pack 6. Suggestions in packs: Centro 4 (24 u), Alfa 2 (12 u); CD 27 u = 4 whole packs.
    # Shares 4 × 4/6 = 2.67 → 2, 4 × 2/6 = 1.33 → 1; 1 pack left → Centro (remainder 16 mod 6 = 4 > 8 mod 6 = 2).
    sales = [(1, 3, W(0), 12), (1, 1, W(0), 6)]
    result = run(scope=[("A", 1, "Audio", None, 6)], sales=sales, cd=[(1, 27)], model="SMA1", cd_rule="fair_share")
    lines = by_store(result)
    assert {s: line["suggested_qty"] for s, line in lines.items()} == {3: 24, 1: 12}
    assert {s: line["allocated_qty"] for s, line in lines.items()} == {3: 18, 1: 6}
    assert (
        "CD reparto proporcional en cajas de 6: 4 cajas × 4 / 6 = 2,667 → 2 +1 por mayor resto = 18 u"
        in (lines[3]["explanation"])
    )


# --- v2: packs (SPEC §5.4a) ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("units", "pack", "rounded"),
    [(1, 6, 6), (2, 5, 5), (5, 2, 6), (12, 6, 12), (4, 1, 4), (0, 6, 0), (3, 6, 6), (2, 6, 6), (8, 6, 6), (9, 6, 12)],
)
def test_pack_rounding_rule(units, pack, rounded):
    # 1 → 1 pack; 0.4 pack → 1 pack; 2.5 packs → 3 packs; half a pack rounds up; 0 stays 0.
    assert engine.round_to_packs(pd.Series([units]), pd.Series([pack])).tolist() == [rounded]


def test_a_line_is_rounded_to_packs_before_cd_limiting_and_the_cd_ships_whole_packs():
    # SMA1 rates 5 (Centro) and 3 (Alfa) → 10 and 6 units; pack 4: 10 = 2.5 packs → 3 (12 u), 6 = 1.5 → 2 (8 u).
    # CD 22: Centro gets 12, 10 left = 2 whole packs = 8 for Alfa; 2 units stay at the CD.
    sales = [(1, 3, W(0), 5), (1, 1, W(0), 3)]
    result = run(scope=[("A", 1, "Audio", None, 4)], sales=sales, cd=[(1, 22)], model="SMA1")
    lines = by_store(result)
    assert {s: line["suggested_qty"] for s, line in lines.items()} == {3: 12, 1: 8}
    assert {s: line["allocated_qty"] for s, line in lines.items()} == {3: 12, 1: 8}
    short = by_store(run(scope=[("A", 1, "Audio", None, 4)], sales=sales, cd=[(1, 19)], model="SMA1"))
    assert {s: line["allocated_qty"] for s, line in short.items()} == {3: 12, 1: 4}  # 7 left → 1 pack
    assert "caja de 4 u: 10 → 3 caja(s) = 12" in lines[3]["explanation"]
    assert "CD por prioridad en cajas de 4: 4 de 7 disponibles" in short[1]["explanation"]


def test_no_pack_rounding_keeps_units_and_says_so():
    sales = [(1, 3, W(0), 5)]
    lines = by_store(run(scope=[("A", 1, "Audio", None, 4)], sales=sales, cd=[(1, 9)], model="SMA1", **V1))
    assert (lines[3]["suggested_qty"], lines[3]["allocated_qty"]) == (10, 9)
    assert "caja de 4 u, sin redondeo a cajas" in lines[3]["explanation"]


def test_pack_of_one_changes_nothing():
    sales = [(1, 3, W(0), 5), (1, 1, W(0), 3)]
    default = by_store(run(sales=sales, cd=[(1, 12)], model="SMA1"))
    literal = by_store(run(sales=sales, cd=[(1, 12)], model="SMA1", **V1))
    assert {s: (r["suggested_qty"], r["allocated_qty"]) for s, r in default.items()} == {
        s: (r["suggested_qty"], r["allocated_qty"]) for s, r in literal.items()
    }
    assert "caja" not in default[3]["explanation"]


def test_cold_start_lines_are_rounded_to_packs_too():
    # per_sku: 24 u / 12 sem = 2/sem ÷ 1 SKU = 2 → need 2 → max(2, 2) = 2 → pack 12: 1 pack = 12.
    result = run(scope=[("NEW", 7, "Consolas", None, 12)], category_units=[("Consolas", 1, 24, 1)], cd=[(7, 30)])
    line = by_store(result, "NEW")[1]
    assert (line["suggested_qty"], line["allocated_qty"], line["rate"]) == (12, 12, 2.0)
