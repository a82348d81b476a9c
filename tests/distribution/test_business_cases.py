"""The business's own four test cases (seed 01, PART 5), end to end through
the service on macro data built with the factories."""

from __future__ import annotations

import datetime as dt

from django.db import connection
from django.test.utils import CaptureQueriesContext

from distribution.explain import explanation_of
from distribution.models import DistributionLine
from fastdso.messages import render as message_text
from inventory.models import Product
from tests import factories
from tests.distribution.helpers import generate, request_file


def test_sku_with_macro_sales_gets_sales_based_lines(db, tmp_path, week):
    centro, norte = factories.store("Tienda Centro"), factories.store("Tienda Norte")
    item = factories.product("00012345", "Consola Alfa", "Consolas")
    factories.weekly([(item, centro, week(10), 5), (item, centro, week(11), 6), (item, norte, week(11), 2)])
    factories.cd_stock([(item, 120)])
    factories.store_stock([(centro, item, 3)])

    run = generate(request_file(tmp_path, [("00012345",)])).run

    lines = {line.store.name: line for line in DistributionLine.objects.filter(run=run).select_related("store")}
    assert set(lines) == {"Tienda Centro", "Tienda Norte"}
    centro_line = lines["Tienda Centro"]
    assert (centro_line.model_name, centro_line.rate, centro_line.suggested_qty, centro_line.allocated_qty) == (
        "SMA2",
        5.5,
        8,
        8,
    )
    assert explanation_of(centro_line).startswith(
        "SMA2 (venta en 2 de 12 sem, mín 1): (5+6)/2 = 5,5/sem × 2,0 sem = 11"
    )
    assert (lines["Tienda Norte"].rate, lines["Tienda Norte"].allocated_qty) == (1.0, 2)
    assert run.summary["sales_based_skus"] == 1 and run.summary["cold_start_skus"] == 0


def test_new_sku_with_category_consolas_gets_min_fill_2_in_the_top_10_category_stores(db, tmp_path, week):
    stores = [factories.store(f"Tienda {i:02d}") for i in range(12)]
    sold = factories.product("00000001", "Consola vieja", "Consolas")
    other = factories.product("00000002", "Parlante", "Audio")
    # Store i sells i+1 Consolas units over the window (all below 1/week: need ⌈rate⌉ = 1 < min_fill 2);
    # Audio sells a lot in store 0, which must not count for Consolas.
    factories.weekly([(sold, s, week(11), i + 1) for i, s in enumerate(stores)] + [(other, stores[0], week(11), 500)])
    factories.cd_stock([(sold, 0)])

    request = request_file(tmp_path, [("00099999", "Consola Nueva", "Consolas")])
    result = generate(request)
    run = result.run

    new = Product.objects.get(sku="00099999")
    assert (new.name, new.category) == ("Consola Nueva", "Consolas")
    lines = DistributionLine.objects.filter(run=run, product=new).select_related("store")
    top_10 = {f"Tienda {i:02d}" for i in range(2, 12)}  # the ten biggest Consolas sellers
    assert {line.store.name for line in lines} == top_10
    assert {line.suggested_qty for line in lines} == {2}
    assert {line.model_name for line in lines} == {"COLD_START_CATEGORY"}
    assert {line.reason for line in lines} == {"NO_CD_STOCK"}  # the new SKU has no CD stock yet
    assert run.summary["cold_start_skus"] == 1

    # With CD stock the cold start hands it out to the top category stores first.
    factories.cd_stock([(new, 7)], day=dt.date(2026, 3, 2))
    run = generate(request).run
    allocated = {
        line.store.name: line.allocated_qty
        for line in DistributionLine.objects.filter(run=run, product=new).select_related("store")
    }
    assert allocated["Tienda 11"] == 2 and allocated["Tienda 10"] == 2 and allocated["Tienda 09"] == 2
    assert allocated["Tienda 08"] == 1 and sum(allocated.values()) == 7
    assert run.summary["cold_start_allocated"] == 7


def test_new_sku_with_no_category_gets_no_lines_and_a_clear_warning(db, tmp_path, week):
    shop = factories.store("Tienda Centro")
    factories.weekly([(factories.product("1", category="Consolas"), shop, week(11), 4)])

    result = generate(request_file(tmp_path, [("00088888", "Sin categoría")]))

    rows = list(DistributionLine.objects.filter(run=result.run, product__sku="00088888"))
    assert len(rows) == 1 and rows[0].store_id is None  # the exception row, no store line
    assert (rows[0].reason, rows[0].suggested_qty, rows[0].allocated_qty) == ("NO_CATEGORY", 0, 0)
    assert "sin categoría" in explanation_of(rows[0])
    assert any("00088888" in message_text(w) and "sin categoría" in message_text(w) for w in result.warnings)
    assert result.run.summary["skipped_by_reason"] == {"NO_CATEGORY": 1}
    assert result.run.line_count == 0


def test_request_of_two_skus_over_a_large_macro_layer_plans_only_those_two(db, tmp_path, week):
    """The runaway-440k guard: the scope is the request, never the macro layer."""
    stores = [factories.store(f"Tienda {i}") for i in range(5)]
    products = [factories.product(f"{i:08d}", category="Consolas") for i in range(300)]
    factories.weekly([(p, s, week(11), 3) for p in products for s in stores])
    factories.cd_stock([(p, 100) for p in products])

    with CaptureQueriesContext(connection) as ctx:
        run = generate(request_file(tmp_path, [("00000007",), ("00000123",)])).run

    skus = set(DistributionLine.objects.filter(run=run).values_list("product__sku", flat=True))
    assert skus == {"00000007", "00000123"}
    assert run.line_count == 10  # 2 SKUs × 5 stores
    assert run.summary["scope_skus"] == 2
    # The sales read named the two SKUs (or their ids); no read of the macro table went unfiltered.
    macro_reads = [q["sql"] for q in ctx.captured_queries if "sales_salesweeklyagg" in q["sql"].lower()]
    assert macro_reads
    for sql in macro_reads:
        scoped = ("sku", "category", "w.product_id in (", "w.product_id = any(")
        assert any(word in sql.lower() for word in scoped), sql
