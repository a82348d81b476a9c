"""SPEC v2 §4.3: categories compare trimmed and case-insensitively everywhere
(first spelling kept), and a category change from any path reaches the
product's weekly rows in the same transaction."""

from __future__ import annotations

import csv
import io

import pytest
from django.core.management import call_command
from django.urls import reverse

from distribution.models import DistributionLine
from forecast.models import ForecastLine
from inventory.models import Product
from inventory.services import products_import
from redistribution.models import TransferPlan
from sales.models import SalesWeeklyAgg
from sales.services import macro_sales_import
from tests import factories
from tests.distribution.helpers import generate, request_file
from tests.sales.uploads import csv_file

pytestmark = pytest.mark.usefixtures("denormalised_copies_agree")


def _weekly_categories(sku: str) -> set[str | None]:
    return set(SalesWeeklyAgg.objects.filter(product__sku=sku).values_list("category", flat=True))


def test_an_admin_category_edit_moves_the_weekly_rows(staff_client, week):
    store = factories.store("Tienda Centro")
    item = factories.product("00012345", "Consola", "Consolas")
    factories.weekly([(item, store, week(0), 3), (item, store, week(1), 4)])
    url = reverse("admin:inventory_product_change", args=[item.pk])
    response = staff_client.post(
        url, {"sku": "00012345", "name": "Consola", "category": "Videojuegos", "pack_size": 1, "display_min": 0}
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Product.objects.get(pk=item.pk).category == "Videojuegos"
    assert _weekly_categories("00012345") == {"Videojuegos"}
    # Clearing it clears the copy too.
    staff_client.post(url, {"sku": "00012345", "name": "Consola", "category": "", "pack_size": 1, "display_min": 0})
    assert _weekly_categories("00012345") == {None}


def test_an_admin_edit_keeps_the_catalogues_spelling(staff_client, week):
    factories.product("1", category="Consolas")
    store = factories.store("Tienda Centro")
    other = factories.product("2", category="Audio")
    factories.weekly([(other, store, week(0), 3)])
    url = reverse("admin:inventory_product_change", args=[other.pk])
    staff_client.post(url, {"sku": "2", "name": "x", "category": "  consolas ", "pack_size": 1, "display_min": 0})
    assert Product.objects.get(sku="2").category == "Consolas"
    assert _weekly_categories("2") == {"Consolas"}


def test_uploads_keep_the_first_spelling(db, tmp_path):
    products_import(path=csv_file(tmp_path, "p.csv", ["A,Consola A,Consolas"], header="sku,product_name,category"))
    products_import(path=csv_file(tmp_path, "q.csv", ["B,Consola B,consolas ", "C,Consola C,CONSOLAS"],
                                  header="sku,product_name,category"))  # fmt: skip
    macro_sales_import(
        path=csv_file(
            tmp_path, "v.csv", ["D,Tienda 1,2026-01-05,3,consolas"], header="sku,store,date,quantity,category"
        )
    )
    assert set(Product.objects.values_list("category", flat=True)) == {"Consolas"}
    assert _weekly_categories("D") == {"Consolas"}
    # A new category's first spelling in a file wins over its later spellings.
    products_import(path=csv_file(tmp_path, "r.csv", ["E,,audio", "F,,Audio"], header="sku,product_name,category"))
    assert set(Product.objects.filter(sku__in=["E", "F"]).values_list("category", flat=True)) == {"audio"}


def test_a_request_files_category_is_the_catalogues(db, tmp_path, week):
    store = factories.store("Tienda Centro")
    seller = factories.product("OLD", category="Consolas")
    factories.weekly([(seller, store, week(11), 24)])
    factories.cd_stock([])
    run = generate(request_file(tmp_path, [("NEW", "Nueva", "consolas")]), limit_by_cd=False).run
    new = Product.objects.get(sku="NEW")
    assert new.category == "Consolas"
    line = DistributionLine.objects.get(run=run, product=new, store__isnull=False)
    assert (line.category, line.model_name) == ("Consolas", "COLD_START_CATEGORY")


def test_the_forecast_sku_files_category_is_the_catalogues(db, tmp_path, week):
    store = factories.store("Tienda Centro")
    seller = factories.product("OLD", category="Consolas")
    factories.weekly([(seller, store, week(i), 4) for i in range(4)])
    skus = tmp_path / "skus.csv"
    skus.write_text("sku,category\nNEWSKU,consolas\n")
    output = tmp_path / "fc.csv"
    call_command(
        "forecast_purchase", "--skus", str(skus), "--weeks", "4", "--as-of", week(3).isoformat(),
        "--output", str(output), stdout=io.StringIO(),
    )  # fmt: skip
    with open(output, encoding="utf-8-sig", newline="") as handle:
        row = next(csv.DictReader(handle))
    assert (row["sku"], row["category"], row["source"]) == ("NEWSKU", "Consolas", ForecastLine.Source.CATEGORY_PROXY)
    # --category in any case names the same category.
    call_command(
        "forecast_purchase", "--category", " CONSOLAS ", "--weeks", "4", "--as-of", week(3).isoformat(),
        "--output", str(output), stdout=io.StringIO(),
    )  # fmt: skip
    with open(output, encoding="utf-8-sig", newline="") as handle:
        assert {r["sku"] for r in csv.DictReader(handle)} == {"OLD"}


def test_redistribute_category_is_case_insensitive(db, tmp_path, week):
    centro, norte = factories.store("Tienda Centro"), factories.store("Tienda Norte")
    item = factories.product("00012345", "Consola", "Consolas")
    factories.weekly([(item, norte, week(w), 2) for w in range(8)] + [(item, centro, week(w), 1) for w in range(8)])
    factories.store_stock([(centro, item, 40)])
    call_command(
        "redistribute", "--mode", "auto", "--category", "consolas", "--destination", "all", stdout=io.StringIO()
    )
    plan = TransferPlan.objects.get()
    assert plan.category == "Consolas"
    assert plan.lines.filter(product=item).exists()


def test_one_resolver_reads_a_typed_category_as_the_catalogue_spells_it(db):
    """Every form, command and service resolves a typed category with
    inventory.queries.category_resolve (issue 30: replay's copy collapsed inner
    spaces, forecast's did not): any case, spaces around, a run of spaces
    inside counts as one; the first spelling stored wins; blank or unknown: None."""
    from forecast.forms import category_resolve as forecast_resolve
    from inventory.queries import category_resolve

    assert forecast_resolve is category_resolve
    factories.product("1", category="Pequeños electrodomésticos")
    factories.product("2", category="pequeños ELECTRODOMÉSTICOS")  # a second spelling: the first one wins
    factories.product("3", category="Audio")
    for typed in ("Pequeños electrodomésticos", "  PEQUEÑOS   electrodomésticos ", "pequeños\telectrodomésticos"):
        assert category_resolve(typed) == "Pequeños electrodomésticos", typed
    assert category_resolve(" audio ") == "Audio"
    assert category_resolve("Audio y video") is None
    assert category_resolve("   ") is None
    assert category_resolve("") is None
