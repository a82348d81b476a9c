"""The weekly rows' category copy on uploads of real-catalogue size (issue 25):
a macro upload of more than 2,000 new products once stored a blank category on
most of their rows, because its lookup stepped 5,000 ids but read 2,000."""

from __future__ import annotations

import datetime as dt

import pytest

from inventory.models import Product
from inventory.services import products_import
from sales.models import SalesWeeklyAgg
from sales.queries import weekly_category_mismatches
from sales.services import macro_sales_import
from sales.summary import summary_fill, summary_mismatches
from tests.sales.uploads import csv_file

pytestmark = pytest.mark.usefixtures("denormalised_copies_agree")

PRODUCTS = 12_000  # a first upload of a real catalogue: far past one 2,000-id batch
MONDAY = dt.date(2026, 1, 5)


def _sku(i: int) -> str:
    return f"{i:06d}"


def _sales_lines(day: dt.date, quantity: int) -> list[str]:
    # Even products arrive with a category, odd ones without (a products file sets them later).
    return [
        f"{_sku(i)},Tienda {1 + i % 3},{day:%Y-%m-%d},{quantity},{f'Cat {i % 7}' if i % 2 == 0 else ''}"
        for i in range(PRODUCTS)
    ]


def _null_weekly_rows() -> int:
    return SalesWeeklyAgg.objects.filter(category__isnull=True).count()


def test_a_twelve_thousand_product_upload_keeps_every_weekly_category(db, tmp_path):
    header = "sku,store,date,quantity,category"
    first = csv_file(tmp_path, "ventas.csv", _sales_lines(MONDAY, 2), header=header)

    macro_sales_import(path=first)
    assert Product.objects.count() == PRODUCTS
    assert SalesWeeklyAgg.objects.count() == PRODUCTS
    assert weekly_category_mismatches() == 0
    # Exactly the odd products have none: 6,000 rows, not most of the upload.
    assert _null_weekly_rows() == PRODUCTS // 2
    assert SalesWeeklyAgg.objects.filter(product__sku=_sku(4_000)).get().category == "Cat 3"

    macro_sales_import(path=first)  # re-upload: the same rows, unchanged
    assert weekly_category_mismatches() == 0

    later = csv_file(tmp_path, "semana2.csv", _sales_lines(MONDAY + dt.timedelta(weeks=1), 1), header=header)
    macro_sales_import(path=later, mode="append_range")
    assert SalesWeeklyAgg.objects.count() == 2 * PRODUCTS
    assert weekly_category_mismatches() == 0

    # A products file gives the 6,000 odd products their category: the sync
    # copies it onto both weeks of rows of every one of them.
    products = csv_file(
        tmp_path,
        "productos.csv",
        [f"{_sku(i)},Producto {i},Nueva {i % 5}" for i in range(1, PRODUCTS, 2)],
        header="sku,product_name,category",
    )
    products_import(path=products)
    assert weekly_category_mismatches() == 0
    assert _null_weekly_rows() == 0
    assert SalesWeeklyAgg.objects.filter(product__sku=_sku(4_001), category="Nueva 1").count() == 2

    summary_fill(MONDAY + dt.timedelta(weeks=1), weeks=2)
    assert summary_mismatches() == 0


def test_the_repair_migration_gives_every_weekly_row_its_products_category(db, week):
    import importlib
    from types import SimpleNamespace

    from django.apps import apps
    from django.db import connection

    from sales.models import CategorySalesState
    from tests import factories

    repair = importlib.import_module("sales.migrations.0010_weekly_category_repair").weekly_categories_repair
    store = factories.store("Tienda 1")
    cable, lamp = factories.product("001", "Cable", "Audio"), factories.product("002", "Lámpara", None)
    factories.weekly([(cable, store, week(0), 3), (cable, store, week(1), 1), (lamp, store, week(0), 2)])
    SalesWeeklyAgg.objects.filter(product=cable).update(category=None)  # what the bug left behind
    CategorySalesState.objects.update_or_create(pk=1, defaults={"stale": False})
    assert weekly_category_mismatches() == 2

    repair(apps, SimpleNamespace(connection=connection))

    assert weekly_category_mismatches() == 0
    assert set(SalesWeeklyAgg.objects.filter(product=cable).values_list("category", flat=True)) == {"Audio"}
    assert CategorySalesState.objects.get(pk=1).stale
