"""SKUs are text; store names match after normalisation."""

from __future__ import annotations

import pandas as pd
import pytest
from django.db import IntegrityError

from fastdso.messages import render as message_text
from inventory.models import Product, Store
from inventory.services import products_upsert, stores_resolve
from sales.models import SalesWeeklyAgg
from tests import factories


def test_sku_0123_and_123_are_different_products(db):
    result = products_upsert(pd.DataFrame({"sku": ["0123", "123", "0123"]}))
    assert result.created == 2
    assert set(Product.objects.values_list("sku", flat=True)) == {"0123", "123"}
    assert result.id_by_sku["0123"] != result.id_by_sku["123"]


def test_store_names_match_after_normalisation(db):
    existing = Store.objects.create(name="  Tienda   Centro 001 ")
    assert existing.name == "Tienda Centro 001"
    result = stores_resolve(["tienda centro 001", "TIENDA  CENTRO 001", " Tienda Norte "])
    assert result.id_by_label["tienda centro 001"] == existing.pk
    assert result.id_by_label["TIENDA  CENTRO 001"] == existing.pk
    assert result.created == 1
    assert Store.objects.get(pk=result.id_by_label["Tienda Norte"]).name == "Tienda Norte"


def test_store_name_is_unique_after_normalisation(db):
    Store.objects.create(name="Tienda Sur")
    with pytest.raises(IntegrityError):
        Store.objects.create(name="tienda  SUR")


def test_store_matched_by_code(db):
    store = Store.objects.create(name="Tienda Sur", code="T07")
    assert stores_resolve(["T07"]).id_by_label["T07"] == store.pk


def test_category_rule_sets_empty_and_warns_on_conflict(db, week):
    shop = factories.store("Tienda A")
    blank = factories.product("0001")
    factories.product("0002", category="Consolas")
    factories.weekly([(blank, shop, week(0), 3)])
    result = products_upsert(
        pd.DataFrame({"sku": ["0001", "0002"], "product_name": ["", ""], "category": ["Audio", "Juguetes"]})
    )
    assert Product.objects.get(sku="0001").category == "Audio"
    assert Product.objects.get(sku="0002").category == "Consolas"
    assert result.categories_set == 1
    assert len(result.category_warnings) == 1 and "0002" in message_text(result.category_warnings[0])
    assert SalesWeeklyAgg.objects.get(product=blank).category == "Audio"
