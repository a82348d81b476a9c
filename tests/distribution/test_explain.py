"""Line explanations rendered from stored numbers (distribution.explain), one
hand-checkable line per reason, in Spanish and English: decimal comma or
point, grouped thousands, half-up rounding."""

from __future__ import annotations

import pandas as pd
import pytest
from django.utils import translation

from distribution import engine, explain
from distribution.engine import DistributionParams

SMA = {"store_id": 1, "model_name": "SMA2", "reason": "SALES_RATE", "category": "Audio", "pack_size": 1}
COLD = {"store_id": 1, "model_name": engine.COLD_START_MODEL, "reason": "CATEGORY:Audio", "category": "Audio"}


def say(line: dict, language: str = "es", **params) -> str:
    frame = pd.DataFrame([line])
    frame["store_id"] = frame["store_id"].astype("Int64")
    with translation.override(language):
        return explain.line_explanations(frame, DistributionParams(**{"rules": "v2", **params}).as_dict()).iloc[0]


def sales_line(**values) -> dict:
    """SMA2: 1,000 then 1,500 units → 1,250/week × 2 = 2,500 − stock 300 = 2,200, CD 10,000."""
    line = {**SMA, "recent_2": 1000, "recent_1": 1500, "weeks_with_sales": 12, "store_stock": 300}
    line.update(suggested_qty=2200, allocated_qty=2200, cd_stock=10000, cd_available=10000, priority=1)
    return {**line, **values}


def test_a_sales_line_in_spanish_and_english_with_thousands():
    assert say(sales_line()) == (
        "SMA2 (venta en 12 de 12 sem, mín 1): (1.000+1.500)/2 = 1.250/sem × 2,0 sem = 2.500 − stock 300 = 2.200; "
        "CD por prioridad: 2.200 de 10.000 disponibles"
    )
    assert say(sales_line(), "en") == (
        "SMA2 (sales in 12 of 12 wk, min 1): (1,000+1,500)/2 = 1,250/wk × 2.0 wk = 2,500 − stock 300 = 2,200; "
        "DC by priority: 2,200 of 10,000 available"
    )


def test_a_fractional_rate_is_rounded_half_up_and_the_need_rounded_up():
    # SMA3: (1+1+2)/3 = 1.3333 → "1,333"; × 2.5 = 3.3333 → 4; returns shown in brackets.
    line = sales_line(model_name="SMA3", recent_3=1, recent_2=-1, recent_1=4, store_stock=-3, suggested_qty=4)
    text = say(line, model="SMA3", target_woc=2.5)
    assert "(1+(-1)+4)/3 = 1,333/sem × 2,5 sem = 3,333 → 4 − stock 0 (stock -3 se toma 0) = 4" in text
    assert "(1+(-1)+4)/3 = 1.333/wk × 2.5 wk = 3.333 → 4 − stock 0 (stock -3 taken as 0) = 4" in say(
        line, "en", model="SMA3", target_woc=2.5
    )


def test_a_cold_start_line_per_selling_sku_rounds_half_up():
    # 3 units / 12 weeks = 0.25/week ÷ 4 selling SKUs = 0.0625 → "0,063" (half-up, not 0,062).
    line = {**COLD, "category_units": 3, "category_skus": 4, "category_rank": 2, "category_stores": 7}
    line.update(store_stock=1, suggested_qty=1, allocated_qty=0, cd_stock=0, priority=1)
    assert say(line) == (
        "Arranque en frío, categoría «Audio» (tienda 2 de 7 del top 10): 3 u / 12 sem = 0,25/sem ÷ SKUs con "
        "venta: 4 = 0,063/sem por SKU (base por SKU) × 1,0 sem = 0,063 → 1; máx(mín 2, 1) = 2 − stock 1 = 1; "
        "CD: sin stock → 0"
    )
    english = say(line, "en", cold_start_basis="category")
    assert english.startswith("Cold start, category “Audio” (store 2 of 7 in the top 10): 3 u / 12 wk = ")
    assert "0.25/wk (category basis: the whole category) × 1.0 wk = 0.25 → 1; max(min 2, 1) = 2" in english


def test_packs_and_the_cd_rules():
    boxed = sales_line(pack_size=6, recent_2=3, recent_1=2, store_stock=0, suggested_qty=6, allocated_qty=6)
    # 2.5/week × 2 = 5 → 1 pack of 6.
    assert "; caja de 6 u: 5 → 1 caja(s) = 6; CD por prioridad en cajas de 6: 6 de" in say(boxed)
    assert "; pack of 6 u, not rounded to packs" in say(boxed, "en", round_to_pack=False)
    later = sales_line(cd_stock=12, cd_available=2, allocated_qty=2, priority=2)
    assert say(later).endswith("CD por prioridad: 2 de 2 disponibles (stock CD 12, prioridad 2)")
    assert say(later, "en").endswith("DC by priority: 2 of 2 available (DC stock 12, priority 2)")
    assert say(later, limit_by_cd=False).endswith("; CD: sin límite → 2")
    # Fair share: 12 × 10 / 22 = 5.4545 → 5, +1 for the largest remainder = 6.
    fair = sales_line(suggested_qty=10, allocated_qty=6, cd_stock=12, cd_wanted=22)
    assert say(fair, cd_rule="fair_share").endswith(
        "CD reparto proporcional: 12 × 10 / 22 = 5,455 → 5 +1 por mayor resto = 6 u"
    )
    assert say(fair, "en", cd_rule="fair_share").endswith(
        "DC fair share: 12 × 10 / 22 = 5.455 → 5 +1 for a largest remainder = 6 u"
    )
    enough = sales_line(cd_stock=5000, cd_wanted=3000)
    assert say(enough, cd_rule="fair_share").endswith("alcanza para todas (5.000 u) → 2.200")


def test_what_other_runs_held_is_said_with_their_ids():
    line = sales_line(cd_snapshot=40, cd_reserved=12, reserved_by="DR-1: 12", in_transit=10, in_transit_by="DR-1")
    line.update(store_stock=10)
    text = say(line)
    assert text.endswith("; CD 40 − 12 reservadas por DR-1: 12 = 28; stock tienda 0 + 10 en tránsito por DR-1 = 10")
    english = say(line, "en")
    assert english.endswith("; DC 40 − 12 reserved by DR-1: 12 = 28; store stock 0 + 10 in transit from DR-1 = 10")
    going = say(sales_line(in_transit=-4, in_transit_by="TP-2", store_stock=6))
    assert "; stock tienda 10 − 4 comprometidas por TP-2 = 6" in going


EXCEPTIONS = [
    (
        engine.NO_CATEGORY,
        {"category": None},
        "Sin ventas en las últimas 12 semanas y sin categoría",
        "No sales in the last 12 weeks and no category",
    ),
    (
        engine.NO_CATEGORY_SALES,
        {"category": "Drones"},
        "la categoría «Drones» no tiene ventas en ninguna tienda en las últimas 12 semanas.",
        "category “Drones” has no sales at any store in the last 12 weeks.",
    ),
    (
        engine.SALES_BELOW_MIN_WEEKS,
        {"weeks_with_sales": 1},
        "ninguna tienda llega a 3 semanas con venta en 12 (la mejor tiene 1).",
        "no store reaches 3 weeks with sales in 12 (the best has 1).",
    ),
    (
        engine.NO_RECENT_SALES,
        {"weeks_with_sales": 4, "candidate_stores": 1234},
        "SMA2: las últimas 2 semanas suman 0 unidades o menos (devoluciones) en las tiendas que califican (1.234)",
        "SMA2: the last 2 weeks add up to 0 units or less (returns) at the qualifying stores (1,234)",
    ),
    (
        engine.STOCK_COVERS_NEED,
        {"weeks_with_sales": 4, "candidate_stores": 3},
        "El stock de las 3 tiendas candidatas cubre su necesidad (2,5 sem de cobertura): sugerido 0.",
        "The stock of the 3 candidate stores covers their need (2.5 wk of cover): suggested 0.",
    ),
    (
        engine.STOCK_COVERS_NEED,
        {"weeks_with_sales": 0, "candidate_stores": 3},
        "cubre su necesidad (arranque en frío)",
        "covers their need (cold start)",
    ),
    (engine.UNKNOWN, {}, "Sin línea: causa no identificada.", "No line: cause not identified."),
]


@pytest.mark.parametrize(("reason", "values", "spanish", "english"), EXCEPTIONS)
def test_every_no_line_reason_in_both_languages(reason, values, spanish, english):
    row = {"store_id": None, "reason": reason, "category": "Audio", **values}
    assert spanish in say(row, min_weeks=3, target_woc=2.5)
    assert english in say(row, "en", min_weeks=3, target_woc=2.5)


def test_stored_text_of_an_older_run_is_shown_as_stored():
    old = sales_line(explanation="SMA2 (venta en 2 de 12 sem, mín 1): (5+6)/2 = 5.5/sem")
    assert say(old, "en") == "SMA2 (venta en 2 de 12 sem, mín 1): (5+6)/2 = 5.5/sem"


def test_three_hundred_thousand_lines_render_in_one_pass():
    frame = pd.DataFrame([sales_line(), {**COLD, "category_units": 36, "category_skus": 3}] * 1000)
    frame["store_id"] = frame["store_id"].astype("Int64")
    with translation.override("en"):
        texts = explain.line_explanations(frame.fillna(0), DistributionParams(rules="v2").as_dict())
    assert len(texts) == 2000 and texts.iloc[0] == texts.iloc[2] and texts.iloc[1].startswith("Cold start")


def test_no_recent_sales_says_one_week_in_the_singular():
    row: dict[str, object] = {"store_id": None, "reason": engine.NO_RECENT_SALES, "category": "Audio"}
    row.update(weeks_with_sales=4, candidate_stores=3)
    assert "SMA1: la última semana suma 0 unidades" in say(row, model="SMA1")
    assert "SMA1: the last week adds up to 0 units" in say(row, "en", model="SMA1")
